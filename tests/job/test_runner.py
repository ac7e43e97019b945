"""The job runner: recovery after a crash, single execution, handler failures."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import text

from sandbox_tooling.api.app import create_app
from sandbox_tooling.config import Settings
from sandbox_tooling.job import repository as job_repository
from sandbox_tooling.job.handlers import JobHandlers, JobRun, RetriableJobError, RetryPolicy
from sandbox_tooling.job.runner import InProcessRunner
from sandbox_tooling.kit.clock import now_ms
from sandbox_tooling.models.enums import JobType, RequestType
from sandbox_tooling.runtime import Runtime as AppState
from sandbox_tooling.runtime import build_runtime, job_handlers
from tests import factories as f
from tests.helpers import Api

P = "/data/foundation/exim/packages"


def _submit_publish_without_running(api: Api, state: AppState) -> tuple[str, str]:
    """Create and submit a publish while the runner is not accepting work (a crash window)."""
    world = f.seed_world(api)
    pkg = api.post(
        P,
        json={
            "name": "p",
            "packageType": "PARTIAL",
            "artifacts": [{"id": world["ds"], "type": "CATALOG_DATASET"}],
        },
    ).json()
    state.jobs.stop()
    r = api.get(f"{P}/{pkg['id']}/export")
    assert r.status_code == 200
    return pkg["id"], r.json()["jobId"]


def _restart(settings: Settings, state: AppState) -> InProcessRunner:
    runner = InProcessRunner(state, job_handlers())
    runner.start()
    assert runner.wait_idle(30)
    return runner


def _status(state: AppState, job_id: str) -> tuple[str, int]:
    with state.db.transaction(write=False) as s:
        job = job_repository.get(s, job_id)
        assert job is not None
        return job.status, job.attempts


def test_job_left_in_progress_is_resumed(api: Api, state: AppState, settings: Settings) -> None:
    pkg_id, job_id = _submit_publish_without_running(api, state)
    with state.db.transaction() as s:  # as if a process died mid-job
        s.execute(
            text(
                "UPDATE jobs SET status='IN_PROGRESS', attempts=1, locked_by='dead:1' WHERE id=:i"
            ),
            {"i": job_id},
        )
    runner = _restart(settings, state)
    try:
        assert _status(state, job_id) == ("SUCCESS", 2)
        assert api.get(f"{P}/{pkg_id}").json()["status"] == "PUBLISHED"
    finally:
        runner.stop()


def test_job_out_of_attempts_is_failed(api: Api, state: AppState, settings: Settings) -> None:
    pkg_id, job_id = _submit_publish_without_running(api, state)
    with state.db.transaction() as s:
        s.execute(
            text("UPDATE jobs SET status='IN_PROGRESS', attempts=:n WHERE id=:i"),
            {"i": job_id, "n": settings.job_max_attempts},
        )
    runner = _restart(settings, state)
    try:
        assert _status(state, job_id)[0] == "FAILED"
        got = api.get(f"{P}/{pkg_id}").json()
        assert got["status"] == "PUBLISH_FAILED" and "crash" in got["failureReason"]
        job = api.get(f"/data/foundation/exim/tools/job/{job_id}").json()["object"]
        assert "crash" in job["errorMessage"]
    finally:
        runner.stop()


def test_pending_job_is_picked_up_on_start(api: Api, state: AppState, settings: Settings) -> None:
    _pkg_id, job_id = _submit_publish_without_running(api, state)
    runner = _restart(settings, state)
    try:
        assert _status(state, job_id) == ("SUCCESS", 1)
    finally:
        runner.stop()


def test_job_runs_once_even_if_submitted_twice(
    api: Api, state: AppState, settings: Settings
) -> None:
    pkg_id, job_id = _submit_publish_without_running(api, state)
    runner = InProcessRunner(state, job_handlers())
    runner.run_one(job_id)
    runner.run_one(job_id)
    assert _status(state, job_id) == ("SUCCESS", 1)
    with state.db.transaction(write=False) as s:
        n = s.execute(
            text("SELECT count(*) FROM package_versions WHERE package_id=:p"), {"p": pkg_id}
        ).scalar()
    assert n == 1


def test_claim_is_atomic(api: Api, state: AppState) -> None:
    _pkg, job_id = _submit_publish_without_running(api, state)
    with state.db.transaction() as s:
        assert job_repository.claim(s, job_id, "w1", now_ms())
    with state.db.transaction() as s:
        assert not job_repository.claim(s, job_id, "w2", now_ms())


def test_app_start_recovers(api: Api, state: AppState, settings: Settings) -> None:
    _pkg_id, job_id = _submit_publish_without_running(api, state)
    with state.db.transaction() as s:
        s.execute(
            text("UPDATE jobs SET status='IN_PROGRESS', attempts=1 WHERE id=:i"), {"i": job_id}
        )
    fresh = build_runtime(settings, db=state.db)
    with TestClient(create_app(settings, fresh)):
        deadline = time.monotonic() + 30
        while _status(state, job_id)[0] != "SUCCESS" and time.monotonic() < deadline:
            time.sleep(0.05)
    assert _status(state, job_id)[0] == "SUCCESS"


# -- schedules and retries ---------------------------------------------------------------------
def test_retry_policy_backs_off_exponentially() -> None:
    policy = RetryPolicy(max_attempts=5, base_seconds=0.5, max_seconds=3.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert RetryPolicy(3, 30, 6 * 3600).delay(10_000) == 6 * 3600


def test_a_job_is_not_run_before_not_before(api: Api, state: AppState) -> None:
    _pkg_id, job_id = _submit_publish_without_running(api, state)
    not_before = now_ms() + 600
    with state.db.transaction() as s:
        s.execute(text("UPDATE jobs SET not_before=:t WHERE id=:i"), {"t": not_before, "i": job_id})
    with state.db.transaction() as s:
        assert not job_repository.claim(s, job_id, "w1", now_ms())  # not due
    runner = InProcessRunner(state, job_handlers())
    runner.start()  # recovery finds it pending, and schedules it
    try:
        time.sleep(0.2)
        assert _status(state, job_id) == ("PENDING", 0)
        assert runner.wait_idle(30)
        with state.db.transaction(write=False) as s:
            job = job_repository.get(s, job_id)
            assert job is not None and job.status == "SUCCESS"
            assert job.started_date is not None and job.started_date >= not_before
            assert job.not_before is None
    finally:
        runner.stop()


class Flaky:
    """A publish handler that fails retriably ``failures`` times, then publishes."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls = failures, []
        self.real = job_handlers().get("EXPORT", "NEW")

    def run(self, rt: AppState, run: JobRun) -> None:
        self.calls.append(time.monotonic())
        if len(self.calls) <= self.failures:
            raise RetriableJobError("lock timeout")
        assert self.real is not None
        self.real.run(rt, run)

    def on_failure(self, session, job, reason: str) -> None:
        assert self.real is not None
        self.real.on_failure(session, job, reason)


def _flaky_runner(state: AppState, flaky: Flaky) -> InProcessRunner:
    handlers = JobHandlers()
    handlers.add(RequestType.EXPORT, JobType.NEW, flaky, retry=lambda _s: RetryPolicy(3, 0.1, 5.0))
    runner = InProcessRunner(state, handlers)
    runner.start()
    return runner


def test_retriable_failures_wait_longer_each_time(api: Api, state: AppState) -> None:
    pkg_id, job_id = _submit_publish_without_running(api, state)
    flaky = Flaky(failures=2)
    runner = _flaky_runner(state, flaky)
    try:
        assert runner.wait_idle(30)
    finally:
        runner.stop()
    assert _status(state, job_id) == ("SUCCESS", 3)
    first, second, third = flaky.calls
    assert second - first >= 0.1 and third - second >= 0.2
    assert api.get(f"{P}/{pkg_id}").json()["status"] == "PUBLISHED"


def test_retriable_failures_give_up_after_max_attempts(api: Api, state: AppState) -> None:
    pkg_id, job_id = _submit_publish_without_running(api, state)
    runner = _flaky_runner(state, Flaky(failures=5))
    try:
        assert runner.wait_idle(30)
    finally:
        runner.stop()
    assert _status(state, job_id) == ("FAILED", 3)
    job = api.get(f"/data/foundation/exim/tools/job/{job_id}").json()["object"]
    assert job["errorMessage"] == "gave up after 3 attempts: lock timeout"
    assert api.get(f"{P}/{pkg_id}").json()["status"] == "PUBLISH_FAILED"
