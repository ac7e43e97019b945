"""SBX_JOB_PROCESSES (job/processes.py): the in-process runner runs each job attempt in a job
process; a job process killed mid-import leaves its target untouched and the job is retried,
then FAILED with the reason once its attempts are spent; the runner goes on with new ones."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sandbox_tooling.api.app import create_app
from sandbox_tooling.config import Settings
from sandbox_tooling.db import Database
from sandbox_tooling.models import Job
from sandbox_tooling.runtime import Runtime, build_runtime
from tests import factories as f
from tests.helpers import ORG_A, Api, make_api, objects, package, sandbox, submit


@contextmanager
def an_import(settings: Settings, db: Database) -> Iterator[tuple[Runtime, Api, str]]:
    """A runtime with one job process (started with the runner: it sees the failpoints set
    before), the test world published as a package, and its import into dev submitted."""
    rt = build_runtime(settings.model_copy(update={"job_processes": True, "job_workers": 1}), db=db)
    with TestClient(create_app(rt.settings, rt), raise_server_exceptions=False) as client:
        api = make_api(client, rt, ORG_A, "alpha")
        ids = f.seed_world(api)
        sandbox(api, "dev")
        r = submit(api, package(api, [("CATALOG_DATASET", ids["ds"])]), "dev")
        assert r.status_code == 200, r.text
        yield rt, api, r.json()["jobId"]


def test_jobs_run_in_a_job_process(
    settings: Settings, db: Database, state: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SBX_FAILPOINTS", "import.artifact=1:sleep1500")
    with an_import(settings, db) as (rt, api, job_id):
        holder = None
        deadline = time.monotonic() + 30
        while holder is None and time.monotonic() < deadline:
            with rt.db.transaction(write=False) as s:
                holder = s.scalar(select(Job.locked_by).where(Job.id == job_id))
            time.sleep(0.02)
        assert holder is not None, "the import never started"
        assert int(holder.split(":")[1]) != os.getpid()  # host:pid:token of a job process
        job = api.wait_job(job_id, timeout=60)
        assert job["jobStatus"] == "SUCCESS", job
        assert objects(api, "dev"), "the import created nothing"


def test_a_killed_job_process_leaves_nothing_and_the_job_fails_with_the_reason(
    settings: Settings, db: Database, state: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every job process dies at the second artifact it imports: each attempt is cut off.
    monkeypatch.setenv("SBX_FAILPOINTS", "import.artifact=2:kill")
    with an_import(settings, db) as (rt, api, job_id):
        job = api.wait_job(job_id, timeout=120)
        assert job["jobStatus"] == "FAILED", job
        with rt.db.transaction(write=False) as s:
            row = s.get(Job, job_id)
            assert row is not None
            assert row.attempts == rt.settings.job_max_attempts
            assert "death of its job process" in (row.error or "")
        assert not objects(api, "dev"), "a killed import left objects in its target"
        # The runner goes on with new job processes.
        ids = f.seed_world(api, "dev")
        other = package(api, [("CATALOG_DATASET", ids["ds"])], name="after", source="dev")
        assert other
