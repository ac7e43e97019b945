"""Read models of jobs: ``/tools/job/{id}`` (SPEC §3.3) and the ``/packages/jobs`` list."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from pydantic import Field

from sandbox_tooling.job.handlers import Progress
from sandbox_tooling.job.service import MESSAGES, Task
from sandbox_tooling.kit.schema import ReadModel, set_fields
from sandbox_tooling.models import Job
from sandbox_tooling.models.enums import JobStatus, JobType, PackageType, RequestType
from sandbox_tooling.package.schemas import SandboxRef


class TaskMessage(ReadModel):
    status: str
    attempt: int
    message: str


class TaskArtifact(ReadModel):
    id: str
    type: str | None
    title: str | None
    found: bool
    count: int
    messages: list[TaskMessage]
    new_id: str | None = Field(default=None, alias="newId")


class TaskRead(ReadModel):
    task_type: str = Field(alias="taskType")
    task_status: str = Field(alias="taskStatus")
    artifact: TaskArtifact

    @classmethod
    def of(cls, t: Task) -> TaskRead:
        return cls.model_validate(task_data(t))


def task_data(t: Task) -> dict[str, Any]:
    """A task as ``TaskRead`` serializes it (by alias, unset fields left out)."""
    status, type_name, src, title, tgt, message, failed = t
    text = message or MESSAGES[status].format(type=type_name, src=src, tgt=tgt)
    artifact: dict[str, Any] = {
        "id": src,
        "type": type_name,
        "title": title,
        "found": not failed,
        "count": 0 if failed else 1,
        "messages": [{"status": status, "attempt": 1, "message": text}],
    }
    if tgt is not None:
        artifact["newId"] = tgt
    return {
        "taskType": "POST",
        "taskStatus": "FAILED" if failed else "SUCCESS",
        "artifact": artifact,
    }


class ObjectKey(ReadModel):
    type: str
    id: str


class DriftedObjectRead(ReadModel):
    """An object that changed between an import plan and its apply (``change``: added,
    removed, modified)."""

    sandbox: str
    type: str
    id: str
    title: str
    change: str


class TypeProgress(ReadModel):
    done: int
    total: int


class ProgressRead(ReadModel):
    """A running import's progress: tasks done of those planned, in all and per type."""

    done: int
    total: int
    types: dict[str, TypeProgress]

    @classmethod
    def of(cls, progress: Progress) -> ProgressRead:
        done: dict[str, int] = {}
        for t in progress.completed:
            done[t[1]] = done.get(t[1], 0) + 1
        types = {
            name: TypeProgress(done=min(done.get(name, 0), total), total=total)
            for name, total in sorted(progress.planned.items())
        }
        return cls(
            done=sum(t.done for t in types.values()),
            total=sum(t.total for t in types.values()),
            types=types,
        )


class JobRead(ReadModel):
    """A job as ``/tools/job/{id}`` shows it; the documented fields, plus what sbx adds:
    ``snapshot`` (publish), ``summary`` and ``createdObjects`` (imports), ``updatedObjects``
    (updates), ``deletedObjects`` (rollbacks), ``rolledBackBy``, ``deltaPackageVersion``
    (compares), ``errorMessage`` (failed jobs), ``driftedObjects`` (an import refused because
    the target changed since its plan) and ``progress`` (a running import)."""

    id: str
    name: str
    description: str | None
    visibility: str
    request_type: RequestType = Field(alias="requestType")
    expiry: int
    snapshot_id: str | None = Field(alias="snapshotId")
    package_id: str | None = Field(alias="packageId")
    package_version: int | None = Field(alias="packageVersion")
    created_timestamp: int = Field(alias="createdTimestamp")
    modified_timestamp: int = Field(alias="modifiedTimestamp")
    type: PackageType | None
    job_status: JobStatus = Field(alias="jobStatus")
    job_type: JobType = Field(alias="jobType")
    counter: int
    ims_org_id: str = Field(alias="imsOrgId")
    job_hash: str = Field(alias="jobHash")
    source_sandbox: SandboxRef | None = Field(alias="sourceSandbox")
    destination_sandbox: SandboxRef | None = Field(alias="destinationSandbox")
    completed_tasks: list[TaskRead] = Field(alias="completedTasks")
    failed_tasks: list[TaskRead] = Field(alias="failedTasks")
    import_replacement_map: dict[str, str] = Field(alias="importReplacementMap")
    source_parent_artifact_map: dict[str, str] = Field(alias="sourceParentArtifactMap")
    schema_field_mappings: dict[str, Any] | None = Field(alias="schemaFieldMappings")
    attempts: int
    created_by: str = Field(alias="createdBy")
    snapshot: dict[str, Any] | None = None
    summary: dict[str, int] | None = None
    rolled_back_by: str | None = Field(default=None, alias="rolledBackBy")
    created_objects: list[ObjectKey] | None = Field(default=None, alias="createdObjects")
    updated_objects: list[ObjectKey] | None = Field(default=None, alias="updatedObjects")
    deleted_objects: list[ObjectKey] | None = Field(default=None, alias="deletedObjects")
    delta_package_version: dict[str, Any] | None = Field(default=None, alias="deltaPackageVersion")
    error_message: str | None = Field(default=None, alias="errorMessage")
    drifted_objects: list[DriftedObjectRead] | None = Field(default=None, alias="driftedObjects")
    progress: ProgressRead | None = None

    @classmethod
    def of(cls, job: Job, progress: Progress | None = None) -> JobRead:
        return cls.model_validate(cls.data(job, progress))

    @staticmethod
    def data(job: Job, progress: Progress | None = None) -> dict[str, Any]:
        """The job as ``JobRead`` serializes it (by alias, unset fields left out), built
        without a model per task: a big import's job holds tens of thousands of them, and
        ``/tools/job/{id}`` is polled."""
        result = job.result or {}
        running = None
        if progress is not None and job.status == JobStatus.IN_PROGRESS:
            running = ProgressRead.of(progress) if progress.planned else None
            result = {
                **result,
                "completedTasks": list(progress.completed),
                "failedTasks": list(progress.failed),
            }

        def keys(name: str) -> list[dict[str, str]] | None:
            if name not in result:
                return None
            return [{"type": t, "id": i} for t, i in result[name]]

        def sandbox(ref: dict[str, Any] | None) -> dict[str, Any] | None:
            if not ref:
                return None
            return SandboxRef.model_validate(ref).model_dump(by_alias=True, exclude_unset=True)

        body: dict[str, Any] = {
            "id": job.id,
            "name": job.name,
            "description": job.description,
            "visibility": "TENANT",
            "requestType": RequestType(job.request_type),
            "expiry": 0,
            "snapshotId": job.snapshot_id,
            "packageId": job.package_id,
            "packageVersion": job.package_version,
            "createdTimestamp": job.created_date,
            "modifiedTimestamp": job.modified_date,
            "type": PackageType(job.package_type) if job.package_type else None,
            "jobStatus": JobStatus(job.status),
            "jobType": JobType(job.job_type),
            "counter": job.counter,
            "imsOrgId": job.org_id,
            "jobHash": hashlib.sha1(job.id.encode()).hexdigest(),
            "sourceSandbox": sandbox(job.source_sandbox),
            "destinationSandbox": sandbox(job.destination_sandbox),
            "completedTasks": [task_data(t) for t in result.get("completedTasks", [])],
            "failedTasks": [task_data(t) for t in result.get("failedTasks", [])],
            "importReplacementMap": result.get("importReplacementMap", {}),
            "sourceParentArtifactMap": result.get("sourceParentArtifactMap", {}),
            "schemaFieldMappings": None,
            "attempts": job.attempts,
            "createdBy": job.created_by,
        }
        optional = {
            "snapshot": result.get("snapshot"),
            "summary": result.get("summary"),
            "rolledBackBy": result.get("rolledBackBy"),
            "createdObjects": keys("createdObjects"),
            "updatedObjects": keys("updatedObjects"),
            "deletedObjects": keys("deletedObjects"),
            "deltaPackageVersion": result.get("deltaPackageVersion"),
            "errorMessage": job.error if job.status == JobStatus.FAILED and job.error else None,
            "driftedObjects": [
                {"sandbox": a, "type": b, "id": c, "title": d, "change": e}
                for a, b, c, d, e in result["driftedObjects"]
            ]
            if "driftedObjects" in result
            else None,
            "progress": running.model_dump(by_alias=True) if running else None,
        }
        body.update(set_fields(**optional))
        return body


class ToolsEnvelope(ReadModel):
    """The envelope of ``/tools/job/{id}``."""

    status: str
    type: str
    message: str
    object: JobRead

    @classmethod
    def of(cls, job: Job, progress: Progress | None = None) -> ToolsEnvelope:
        return cls.model_validate(cls.data(job, progress))

    @staticmethod
    def data(job: Job, progress: Progress | None = None) -> dict[str, Any]:
        return {
            "status": "OK",
            "type": "SUCCESS",
            "message": f"Job with ID: {job.id} found",
            "object": JobRead.data(job, progress),
        }

    @classmethod
    def json_of(cls, job: Job, progress: Progress | None = None) -> bytes:
        """``of(job, progress)`` serialized, without building a model per task (the
        endpoint answers these bytes; ``tests/job/test_schemas.py`` holds them to the
        model)."""
        return orjson.dumps(cls.data(job, progress))


class JobListItem(ReadModel):
    """The flattened item of ``GET /packages/jobs`` (``sourceSandBox`` as documented), with
    ``errorMessage`` when the job FAILED."""

    id: str
    name: str
    updated: int
    created: int
    request_type: RequestType = Field(alias="requestType")
    job_type: JobType = Field(alias="jobType")
    package_type: PackageType | None = Field(alias="packageType")
    description: str | None
    job_status: JobStatus = Field(alias="jobStatus")
    visibility: str
    source_sand_box: str | None = Field(alias="sourceSandBox")
    target_sandbox: str | None = Field(alias="targetSandbox")
    created_by: str = Field(alias="createdBy")
    error_message: str | None = Field(default=None, alias="errorMessage")

    @classmethod
    def of(cls, job: Job) -> JobListItem:
        return cls(
            id=job.id,
            name=job.name,
            updated=job.modified_date,
            created=job.created_date,
            request_type=RequestType(job.request_type),
            job_type=JobType(job.job_type),
            package_type=PackageType(job.package_type) if job.package_type else None,
            description=job.description,
            job_status=JobStatus(job.status),
            visibility="TENANT",
            source_sand_box=(job.source_sandbox or {}).get("name"),
            target_sandbox=(job.destination_sandbox or {}).get("name"),
            created_by=job.created_by,
            **set_fields(
                error_message=job.error if job.status == JobStatus.FAILED and job.error else None
            ),
        )
