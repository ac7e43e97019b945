"""The job read models: the bytes ``/tools/job/{id}`` answers are the model's serialization."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from sandbox_tooling.job.handlers import Progress
from sandbox_tooling.job.schemas import JobRead, TaskRead, ToolsEnvelope, task_data
from sandbox_tooling.job.service import task
from sandbox_tooling.models import Job
from sandbox_tooling.models.enums import JobStatus, TaskStatus


def _job(status: str, result: dict[str, Any], **extra: Any) -> Job:
    fields: dict[str, Any] = {
        "id": "0123456789abcdef0123456789abcdef",
        "org_id": "ORG@AdobeOrg",
        "package_id": "p" * 32,
        "request_type": "IMPORT",
        "job_type": "NEW",
        "status": status,
        "name": "import",
        "description": None,
        "package_type": "PARTIAL",
        "source_sandbox": {"name": "prod", "imsOrgId": "ORG@AdobeOrg"},
        "destination_sandbox": {"name": "dev"},
        "snapshot_id": None,
        "package_version": 1,
        "params": {},
        "result": result,
        "error": None,
        "attempts": 1,
        "counter": 0,
        "created_by": "admin",
        "created_date": 1,
        "modified_date": 2,
    }
    fields.update(extra)
    return Job(**fields)


TASKS = [
    task(TaskStatus.CREATED, "REGISTRY_SCHEMA", "s1", "Schema", "t1"),
    task(TaskStatus.OBJECT_REUSED, "ID_NAMESPACE", "Email", "Email", "Email"),
    task(TaskStatus.CREATED, "CATALOG_DATASET", "d1", None, None),
]

JOBS = {
    "succeeded": _job(
        JobStatus.SUCCESS,
        {
            "completedTasks": TASKS,
            "failedTasks": [],
            "createdObjects": [["REGISTRY_SCHEMA", "t1"]],
            "summary": {"created": 1},
            "importReplacementMap": {"s1": "t1"},
        },
    ),
    "failed": _job(
        JobStatus.FAILED,
        {"completedTasks": [], "failedTasks": [[*TASKS[0][:5], "boom", True]]},
        error="boom",
    ),
    "drifted": _job(
        JobStatus.FAILED,
        {"driftedObjects": [["dev", "REGISTRY_SCHEMA", "t1", "Schema", "modified"]]},
        error="drift",
        source_sandbox=None,
        package_type=None,
    ),
}


@pytest.mark.parametrize("name", sorted(JOBS))
def test_json_of_is_the_model_serialized(name: str) -> None:
    job = JOBS[name]
    body = orjson.loads(ToolsEnvelope.json_of(job))
    model = ToolsEnvelope.of(job)
    assert body == orjson.loads(model.model_dump_json(by_alias=True, exclude_unset=True))
    # and the bytes are a valid instance of the declared response model
    assert ToolsEnvelope.model_validate(body).model_dump() == model.model_dump()


def test_progress_of_a_running_import_is_serialized() -> None:
    job = _job(JobStatus.IN_PROGRESS, {})
    progress = Progress()
    progress.completed.extend(TASKS[:2])
    progress.planned = {"REGISTRY_SCHEMA": 4, "ID_NAMESPACE": 1}
    body = orjson.loads(ToolsEnvelope.json_of(job, progress))["object"]
    assert body["progress"] == {
        "done": 2,
        "total": 5,
        "types": {
            "ID_NAMESPACE": {"done": 1, "total": 1},
            "REGISTRY_SCHEMA": {"done": 1, "total": 4},
        },
    }
    assert [t["artifact"]["id"] for t in body["completedTasks"]] == ["s1", "Email"]
    assert body == JobRead.of(job, progress).model_dump(by_alias=True, exclude_unset=True)


def test_task_without_target_id_has_no_new_id() -> None:
    assert "newId" not in task_data(TASKS[2])["artifact"]
    assert TaskRead.of(TASKS[0]).artifact.new_id == "t1"
