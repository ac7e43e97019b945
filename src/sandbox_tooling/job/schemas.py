"""Read models of jobs: ``/tools/job/{id}`` (SPEC §3.3) and the ``/packages/jobs`` list."""

from __future__ import annotations

import hashlib
from typing import Any

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
        status, type_name, src, title, tgt, message, failed = t
        text = message or MESSAGES[status].format(type=type_name, src=src, tgt=tgt)
        return cls(
            task_type="POST",
            task_status="FAILED" if failed else "SUCCESS",
            artifact=TaskArtifact(
                id=src,
                type=type_name,
                title=title,
                found=not failed,
                count=0 if failed else 1,
                messages=[TaskMessage(status=status, attempt=1, message=text)],
                **set_fields(new_id=tgt),
            ),
        )


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
        result = job.result or {}
        running = None
        if progress is not None and job.status == JobStatus.IN_PROGRESS:
            running = ProgressRead.of(progress) if progress.planned else None
            result = {
                **result,
                "completedTasks": list(progress.completed),
                "failedTasks": list(progress.failed),
            }

        def keys(name: str) -> list[ObjectKey] | None:
            if name not in result:
                return None
            return [ObjectKey(type=t, id=i) for t, i in result[name]]

        return cls(
            id=job.id,
            name=job.name,
            description=job.description,
            visibility="TENANT",
            request_type=RequestType(job.request_type),
            expiry=0,
            snapshot_id=job.snapshot_id,
            package_id=job.package_id,
            package_version=job.package_version,
            created_timestamp=job.created_date,
            modified_timestamp=job.modified_date,
            type=PackageType(job.package_type) if job.package_type else None,
            job_status=JobStatus(job.status),
            job_type=JobType(job.job_type),
            counter=job.counter,
            ims_org_id=job.org_id,
            job_hash=hashlib.sha1(job.id.encode()).hexdigest(),
            source_sandbox=SandboxRef.model_validate(job.source_sandbox)
            if job.source_sandbox
            else None,
            destination_sandbox=SandboxRef.model_validate(job.destination_sandbox)
            if job.destination_sandbox
            else None,
            completed_tasks=[TaskRead.of(t) for t in result.get("completedTasks", [])],
            failed_tasks=[TaskRead.of(t) for t in result.get("failedTasks", [])],
            import_replacement_map=result.get("importReplacementMap", {}),
            source_parent_artifact_map=result.get("sourceParentArtifactMap", {}),
            schema_field_mappings=None,
            attempts=job.attempts,
            created_by=job.created_by,
            **set_fields(
                snapshot=result.get("snapshot"),
                summary=result.get("summary"),
                rolled_back_by=result.get("rolledBackBy"),
                created_objects=keys("createdObjects"),
                updated_objects=keys("updatedObjects"),
                deleted_objects=keys("deletedObjects"),
                delta_package_version=result.get("deltaPackageVersion"),
                error_message=job.error if job.status == JobStatus.FAILED and job.error else None,
                drifted_objects=[
                    DriftedObjectRead(sandbox=a, type=b, id=c, title=d, change=e)
                    for a, b, c, d, e in result["driftedObjects"]
                ]
                if "driftedObjects" in result
                else None,
                progress=running,
            ),
        )


class ToolsEnvelope(ReadModel):
    """The envelope of ``/tools/job/{id}``."""

    status: str
    type: str
    message: str
    object: JobRead

    @classmethod
    def of(cls, job: Job, progress: Progress | None = None) -> ToolsEnvelope:
        return cls(
            status="OK",
            type="SUCCESS",
            message=f"Job with ID: {job.id} found",
            object=JobRead.of(job, progress),
        )


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
