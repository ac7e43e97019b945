"""The procrastinate job backend (job/queue.py) piece by piece, on PostgreSQL: entries made
with the job's transaction, a job run once however often its entry is seen, retries scheduled
as new entries, dead workers' jobs retried or failed, the sweep, progress through the
database. The whole layout with worker processes: tests/job/test_cluster.py."""

from __future__ import annotations

import os
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from sandbox_tooling.config import Settings
from sandbox_tooling.db import Database
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.job import service as job_service
from sandbox_tooling.job.handlers import JobHandlers, JobRun, Progress, RetriableJobError
from sandbox_tooling.job.queue import QueueRunner
from sandbox_tooling.models import Job
from sandbox_tooling.models.enums import JobType, RequestType
from sandbox_tooling.runtime import Runtime, build_runtime

pytestmark = pytest.mark.skipif(
    not os.environ.get("SBX_TEST_DATABASE_URL"), reason="the job queue needs PostgreSQL"
)

ORG = "QUEUE000000000000000000@AdobeOrg"


class Recorder:
    """A handler that counts its runs and succeeds, or raises what it is given."""

    def __init__(self, raises: BaseException | None = None) -> None:
        self.runs: list[str] = []
        self.raises = raises

    def run(self, rt: Runtime, run: JobRun) -> None:
        self.runs.append(run.job_id)
        if self.raises is not None:
            raise self.raises
        with rt.db.transaction() as session:
            job_service.succeed(job_service.require_running(session, run.job_id))

    def on_failure(self, session: Session, job: Job, reason: str) -> None:
        pass


@pytest.fixture
def rt(settings: Settings, db: Database, state: Runtime) -> Runtime:
    """A runtime on the procrastinate backend (``state`` empties the tables first)."""
    queued = settings.model_copy(update={"job_backend": "procrastinate", "job_max_attempts": 2})
    runtime = build_runtime(queued, db=db)
    with db.transaction() as s:
        s.execute(text("DELETE FROM procrastinate_jobs"))
        s.execute(text("DELETE FROM procrastinate_workers"))
        identity_service.create_org(s, org_id=ORG, name="Queue", region="va7", tenant="queue")
    return runtime


def _runner(rt: Runtime, handler: Recorder) -> QueueRunner:
    handlers = JobHandlers()
    handlers.add(RequestType.IMPORT, JobType.NEW, handler)
    return QueueRunner(rt, handlers)


def _create(session: Session, request_type: RequestType = RequestType.IMPORT) -> Job:
    return job_service.create(
        session,
        org_id=ORG,
        request_type=request_type,
        job_type=JobType.NEW,
        name="job",
        description=None,
        actor="tester",
        destination_sandbox={"name": "dev", "imsOrgId": ORG},
    )


def _entries(rt: Runtime) -> list[dict[str, Any]]:
    with rt.db.transaction(write=False) as s:
        rows = s.execute(
            text(
                "SELECT id, status::text AS status, lock, queueing_lock, args, scheduled_at, "
                "worker_id FROM procrastinate_jobs ORDER BY id"
            )
        ).mappings()
        return [dict(r) for r in rows]


def _job(rt: Runtime, job_id: str) -> Job:
    with rt.db.transaction(write=False) as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def test_entry_commits_or_rolls_back_with_the_job(rt: Runtime) -> None:
    with pytest.raises(RuntimeError), rt.db.transaction() as s:
        _create(s)
        raise RuntimeError("the request failed")
    assert _entries(rt) == []
    with rt.db.transaction() as s:
        imported = _create(s).id
        published = _create(s, RequestType.EXPORT).id
    entries = {e["queueing_lock"]: e for e in _entries(rt)}
    assert set(entries) == {imported, published}
    assert entries[imported]["args"] == {"job_id": imported}
    assert entries[imported]["lock"] == f"sbx-target:{ORG}:dev"  # one import per target
    assert entries[published]["lock"] is None
    assert all(e["status"] == "todo" and e["scheduled_at"] is None for e in entries.values())


def test_a_job_runs_once_however_often_its_entry_is_seen(rt: Runtime) -> None:
    handler = Recorder()
    runner = _runner(rt, handler)
    with rt.db.transaction() as s:
        job_id = _create(s).id
    runner.run_entry(job_id)
    runner.run_entry(job_id)
    assert handler.runs == [job_id]
    job = _job(rt, job_id)
    assert job.status == "SUCCESS" and job.attempts == 1


def test_a_retry_is_a_new_entry_at_the_rows_time(rt: Runtime) -> None:
    handler = Recorder(RetriableJobError("lock timeout", delay_seconds=60))
    runner = _runner(rt, handler)
    with rt.db.transaction() as s:
        job_id = _create(s).id
    with rt.db.transaction() as s:  # the worker's entry is running
        s.execute(text("UPDATE procrastinate_jobs SET status = 'doing'"))
    runner.run_entry(job_id)
    job = _job(rt, job_id)
    assert job.status == "PENDING" and job.attempts == 1 and job.not_before
    waiting = [e for e in _entries(rt) if e["status"] == "todo"]
    assert len(waiting) == 1 and waiting[0]["queueing_lock"] == job_id
    assert abs(waiting[0]["scheduled_at"].timestamp() * 1000 - job.not_before) < 5


def _die_while_running(rt: Runtime, runner: QueueRunner, job_id: str) -> None:
    """What a worker killed mid-job leaves: the row claimed, its entry running under a worker
    whose heartbeat stopped long ago."""
    from sandbox_tooling.job import repository

    with rt.db.transaction() as s:
        assert repository.claim(s, job_id, "deadhost:999:dead", 1)
        worker = s.execute(
            text(
                "INSERT INTO procrastinate_workers (last_heartbeat) "
                "VALUES (NOW() - INTERVAL '1 hour') RETURNING id"
            )
        ).scalar()
        s.execute(
            text(
                "UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w "
                "WHERE queueing_lock = :j AND status = 'todo'"
            ),
            {"w": worker, "j": job_id},
        )


def test_a_dead_workers_job_is_retried_then_failed(rt: Runtime) -> None:
    handler = Recorder()
    runner = _runner(rt, handler)
    with rt.db.transaction() as s:
        job_id = _create(s).id
    [entry] = _entries(rt)

    _die_while_running(rt, runner, job_id)
    assert runner.housekeeping()["retried"] == 1
    job = _job(rt, job_id)
    assert job.status == "PENDING" and job.locked_by is None and job.attempts == 1
    [again] = _entries(rt)
    assert again["id"] == entry["id"] and again["status"] == "todo"  # its place in the order
    assert runner.housekeeping() == {"retried": 0, "failed": 0, "enqueued": 0}

    _die_while_running(rt, runner, job_id)  # attempt 2 of 2 dies too
    assert runner.housekeeping()["failed"] == 1
    job = _job(rt, job_id)
    assert job.status == "FAILED" and "interrupted 2 times" in (job.error or "")
    assert _entries(rt) == []
    assert handler.runs == []


def test_a_live_attempt_is_left_alone(rt: Runtime) -> None:
    runner = _runner(rt, Recorder())
    with rt.db.transaction() as s:
        job_id = _create(s).id
    _die_while_running(rt, runner, job_id)
    with rt.db.transaction() as holder:  # the attempt's transaction is still open somewhere
        holder.execute(text("SELECT 1 FROM jobs WHERE id = :j FOR UPDATE"), {"j": job_id})
        assert runner.housekeeping()["retried"] == 0
    assert _job(rt, job_id).status == "IN_PROGRESS"
    assert runner.housekeeping()["retried"] == 1


def test_sweep_enqueues_pending_jobs_without_entry_once(rt: Runtime) -> None:
    runner = _runner(rt, Recorder())
    with rt.db.transaction() as s:
        job_id = _create(s).id
        orphan = _create(s).id
    with rt.db.transaction() as s:  # e.g. rows written under the in-process backend
        s.execute(text("DELETE FROM procrastinate_jobs"))
        s.execute(
            text("UPDATE jobs SET status = 'IN_PROGRESS', attempts = 1 WHERE id = :j"),
            {"j": orphan},
        )
    assert runner.housekeeping() == {"retried": 1, "failed": 0, "enqueued": 2}
    assert runner.housekeeping()["enqueued"] == 0
    assert sorted(e["queueing_lock"] for e in _entries(rt)) == sorted([job_id, orphan])
    assert _job(rt, orphan).status == "PENDING"


def test_progress_is_read_from_the_database(rt: Runtime) -> None:
    worker, api = _runner(rt, Recorder()), _runner(rt, Recorder())
    progress = Progress()
    progress.planned = {"REGISTRY_SCHEMA": 3}
    progress.completed.append(["CREATED", "REGISTRY_SCHEMA", "a", "A", "b", None, False])
    worker._track("j1", progress)
    worker.flush_progress()
    seen = api.progress("j1")
    assert seen is not None and seen.planned == {"REGISTRY_SCHEMA": 3}
    assert seen.completed == progress.completed and seen.failed == []
    worker._untrack("j1")
    assert api.progress("j1") is None
