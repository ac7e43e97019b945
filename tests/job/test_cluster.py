"""The whole layout on PostgreSQL with S3 (a moto server): 2 API processes and 2 workers
(``sbx serve``, ``sbx worker``, the procrastinate job backend), 20 imports across 5 sandboxes
plus 4 concurrent imports into one sandbox, and one worker killed with SIGKILL in the middle
of a 10,000-object import.

Checked: every job ends SUCCESS or FAILED with a reason; the killed import left nothing in
its target and succeeded on its second attempt, on the other worker; every target holds
exactly the objects its successful imports created (nothing partial, nothing twice); imports
into one target never overlapped, imports into different targets did; progress of the running
import was read from both API processes (not from the worker's memory).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from sandbox_tooling.runtime import Runtime as AppState
from tests.helpers import make_bucket

pytestmark = pytest.mark.skipif(
    not os.environ.get("SBX_TEST_DATABASE_URL"), reason="the job queue needs PostgreSQL"
)

ROOT = Path(__file__).resolve().parents[2]
EXIM = "/data/foundation/exim"
P = f"{EXIM}/packages"
SMALL_TARGETS = [f"t{i}" for i in range(5)]


def _bench(name: str) -> ModuleType:
    """A module of bench/ (the seeding helpers and the cluster processes are shared)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = importlib.util.spec_from_file_location(
            f"bench_{name}", ROOT / "bench" / f"{name}.py"
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "bench"))


class Client:
    """Requests spread over the API processes, round robin."""

    def __init__(self, urls: list[str], headers: dict[str, str]) -> None:
        self.clients = [httpx.Client(base_url=u, headers=headers, timeout=60) for u in urls]
        self.n = 0

    def pick(self) -> httpx.Client:
        self.n += 1
        return self.clients[self.n % len(self.clients)]

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.pick().get(path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.pick().post(path, **kw)

    def job_status(self, job_id: str) -> str:
        r = self.get(f"{P}/jobs", params={"property": f"id=={job_id}"})
        assert r.status_code == 200, r.text
        return str(r.json()["data"][0]["jobStatus"])

    def wait(self, job_ids: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        left = set(job_ids)
        while left:
            left = {j for j in left if self.job_status(j) not in ("SUCCESS", "FAILED")}
            assert time.monotonic() < deadline, f"jobs not finished in {timeout}s: {left}"
            time.sleep(0.2)

    def import_(self, pid: str, target: str, org: str) -> str:
        body = {"id": pid, "destinationSandbox": {"name": target, "imsOrgId": org}}
        r = self.post(f"{P}/import", json=body)
        assert r.status_code == 200, r.text
        return str(r.json()["jobId"])


def _count(state: AppState, org: str, sandbox: str) -> int:
    with state.db.transaction(write=False) as s:
        return int(
            s.execute(
                text(
                    "SELECT count(*) FROM registry_objects o JOIN sandboxes b "
                    "ON b.id = o.sandbox_id WHERE b.org_id = :o AND b.name = :n"
                ),
                {"o": org, "n": sandbox},
            ).scalar()
            or 0
        )


def _object_ids(state: AppState, org: str, sandbox: str) -> list[tuple[str, str]]:
    with state.db.transaction(write=False) as s:
        rows = s.execute(
            text(
                "SELECT o.type, o.object_id FROM registry_objects o JOIN sandboxes b "
                "ON b.id = o.sandbox_id WHERE b.org_id = :o AND b.name = :n"
            ),
            {"o": org, "n": sandbox},
        )
        return [(t, i) for t, i in rows]


def _jobs(state: AppState, org: str) -> list[dict[str, Any]]:
    with state.db.transaction(write=False) as s:
        rows = s.execute(
            text(
                "SELECT id, request_type, status, error, attempts, locked_by, started_date, "
                "finished_date, destination_sandbox, result FROM jobs WHERE org_id = :o"
            ),
            {"o": org},
        ).mappings()
        return [dict(r) for r in rows]


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["started_date"] < b["finished_date"] and b["started_date"] < a["finished_date"])


def test_cluster_survives_a_killed_worker(
    state: AppState, database_url: str, s3_endpoint: str, tmp_path: Path
) -> None:
    common = _bench("common")
    cluster_mod = _bench("cluster")
    with state.db.transaction() as s:  # entries left by earlier tests of the session
        s.execute(text("DELETE FROM procrastinate_jobs"))
        s.execute(text("DELETE FROM procrastinate_workers"))
    headers = common.make_org(state)
    org = common.ORG
    # Sources: 10,000 objects (1,000 units; a package of their 1,000 datasets) and 100.
    big_roots = common.seed(state, 1_000, "big-source")
    small_roots = common.seed(state, 10, "small-source")
    with state.db.transaction() as s:
        from sandbox_tooling.identity import repository as identity_repository
        from sandbox_tooling.sandbox import service as sandbox_service

        o = identity_repository.get_org(s, org)
        assert o is not None
        for name in [*SMALL_TARGETS, "shared", "big"]:
            sandbox_service.create_in_org(
                s, o, name=name, title=name, type_="development", actor="test"
            )
    bucket = f"sbx-{uuid.uuid4().hex[:12]}"
    make_bucket(s3_endpoint, bucket)
    env = {
        "SBX_DATABASE_URL": database_url,
        "SBX_DATA_DIR": str(tmp_path / "data"),
        "SBX_BLOB_URL": f"s3://{bucket}/sbx",
        "SBX_S3_ENDPOINT_URL": s3_endpoint,
        "SBX_S3_REGION": "us-east-1",
        "SBX_SECRET_KEY": "cluster-test-key",
        "SBX_LOG_LEVEL": "WARNING",
        "SBX_WORKER_HEARTBEAT_SECONDS": "1",
        "SBX_WORKER_STALLED_SECONDS": "6",
        "SBX_JOB_SWEEP_SECONDS": "1",
        "SBX_JOB_PROGRESS_SECONDS": "0.25",
        "SBX_JOB_MAX_ATTEMPTS": "3",
        # Each worker's first 150 batch writes (1,000 objects each) take 200 ms longer, so
        # that the big import lasts long enough to be killed in its middle on any machine.
        "SBX_FAILPOINTS": ",".join(f"import.batch={n}:sleep200" for n in range(1, 151)),
    }
    with cluster_mod.Cluster(env, tmp_path / "logs") as cluster:
        urls = [cluster.start_api(), cluster.start_api()]
        cluster.start_worker(concurrency=2)
        cluster.start_worker(concurrency=2)
        cluster.wait_workers_registered(database_url, 2)
        api = Client(urls, headers)
        big_pid, _ = common.publish(
            api.pick(), headers, "big", "big-source", big_roots, "CATALOG_DATASET"
        )
        small_pid, _ = common.publish(
            api.pick(), headers, "small", "small-source", small_roots, "CATALOG_DATASET"
        )

        big_job = api.import_(big_pid, "big", org)
        # 20 imports across 5 sandboxes, and 4 at once into one sandbox.
        small_jobs = [api.import_(small_pid, SMALL_TARGETS[i % 5], org) for i in range(20)]
        with ThreadPoolExecutor(4) as pool:
            shared_jobs = list(pool.map(lambda _: api.import_(small_pid, "shared", org), range(4)))

        # Kill the worker running the big import once it is well under way, as both API
        # processes report from the progress the worker writes to the database.
        deadline = time.monotonic() + 240
        seen: set[int] = set()
        while True:
            assert time.monotonic() < deadline, "the big import never got under way"
            client = api.clients[len(seen) % 2]
            job = client.get(f"{EXIM}/tools/job/{big_job}").json()["object"]
            assert job["jobStatus"] != "SUCCESS", "the big import ended before it was killed"
            progress = job.get("progress")
            if job["jobStatus"] == "IN_PROGRESS" and progress and progress["done"] >= 2_000:
                seen.add(len(seen) % 2)
                if len(seen) == 2:
                    assert progress["total"] == 10_000
                    break
            time.sleep(0.05)
        locked_by = next(j for j in _jobs(state, org) if j["id"] == big_job)["locked_by"]
        victim_pid = int(locked_by.split(":")[1])
        victim = next(w for w in cluster.workers if w.pid == victim_pid)
        os.kill(victim_pid, signal.SIGKILL)
        victim.wait(timeout=30)
        killed_at = time.monotonic()
        assert _count(state, org, "big") == 0  # its transaction died with it

        api.wait([big_job, *small_jobs, *shared_jobs], timeout=600)
        survivor = next(w for w in cluster.workers if w is not victim)
        assert survivor.poll() is None
        recovered_in = time.monotonic() - killed_at

    jobs = {j["id"]: j for j in _jobs(state, org)}
    for j in jobs.values():  # every job (publishes too) ended, a failure with its reason
        assert j["status"] in ("SUCCESS", "FAILED"), j
        if j["status"] == "FAILED":
            assert j["error"], j
    big = jobs[big_job]
    assert big["status"] == "SUCCESS", big["error"]
    assert big["attempts"] == 2 and str(victim_pid) not in (big["locked_by"] or "")
    assert len(big["result"]["createdObjects"]) == 10_000
    assert recovered_in < 300
    imports = [jobs[i] for i in [big_job, *small_jobs, *shared_jobs]]
    assert all(j["status"] == "SUCCESS" for j in imports), [j["error"] for j in imports]

    # Every target holds exactly what its successful imports created: none partial, none twice.
    for target in [*SMALL_TARGETS, "shared", "big"]:
        mine = [j for j in imports if j["destination_sandbox"]["name"] == target]
        created = [tuple(k) for j in mine for k in j["result"]["createdObjects"]]
        present = _object_ids(state, org, target)
        assert len(present) == len(set(present)) == len(created) == len(set(created))
        assert set(present) == set(created)
    # The first import into a small target creates the package's 100 objects; later ones
    # reuse what is there and create new datasets (10 each).
    assert len(_object_ids(state, org, "t0")) == 100 + 3 * 10

    # One target: one import at a time; different targets: side by side.
    shared = [jobs[i] for i in shared_jobs]
    for n, a in enumerate(shared):
        for b in shared[n + 1 :]:
            assert not _overlap(a, b), (a, b)
    small = [jobs[i] for i in small_jobs]
    assert any(
        _overlap(a, b)
        for a in small
        for b in small
        if a["destination_sandbox"]["name"] != b["destination_sandbox"]["name"]
    )
    with state.db.transaction(write=False) as s:  # progress rows go with their jobs
        assert s.execute(text("SELECT count(*) FROM job_progress")).scalar() == 0
