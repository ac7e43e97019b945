"""Job records: creation, state changes and the documented renderings (SPEC §3.3)."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.orm import Session

from sandbox_tooling.errors import Conflict, NotFound
from sandbox_tooling.job import repository
from sandbox_tooling.job.handlers import Progress
from sandbox_tooling.job.repository import FAILED, IN_PROGRESS, PENDING, SUCCESS
from sandbox_tooling.kit.clock import now_ms
from sandbox_tooling.kit.ids import hex32
from sandbox_tooling.models import Job, Package

REQUEST_TYPES = ("EXPORT", "IMPORT", "COPY", "VERSION", "TRANSFER")
JOB_TYPES = ("NEW", "RESUME", "ROLLBACK", "COMPUTE", "UPGRADE", "UPDATE")
JOB_STATUSES = ("PENDING", "IN_PROGRESS", "SUCCESS", "FAILED", "CANCELLED")


#: Task messages (SPEC §3.3 formats), by status.
MESSAGES = {
    "CREATED": "{type} created. Source id={src}; Target id={tgt}",
    "OBJECT_REUSED": "{type} was not created anew. Reused object id={tgt}",
    "OBJECT_EXISTS": "Object {type}, id={tgt} already exists and was not re-created",
    "NO_CHANGE": "Standard {type} {tgt} is built into every sandbox; nothing to import",
    "UPDATED": "{type} updated. Source id={src}; Target id={tgt}",
}

# A task is stored compactly as [status, type, sourceId, title, newId, message, failed] and
# expanded to the documented shape only when rendered: an import of 100,000 objects keeps
# 100,000 of them in memory and in the job row.
Task = list[Any]


def task(
    status: str,
    type_name: str,
    src: str,
    title: str | None,
    tgt: str | None,
    *,
    message: str | None = None,
    failed: bool = False,
) -> Task:
    return [status, type_name, src, title, tgt, message, failed]


def expand_task(t: Task) -> dict[str, Any]:
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


def empty_result() -> dict[str, Any]:
    return {
        "completedTasks": [],
        "failedTasks": [],
        "importReplacementMap": {},
        "sourceParentArtifactMap": {},
    }


def create(
    session: Session,
    *,
    org_id: str,
    request_type: str,
    job_type: str,
    name: str,
    description: str | None,
    actor: str,
    package_id: str | None = None,
    package_type: str | None = None,
    source_sandbox: dict[str, Any] | None = None,
    destination_sandbox: dict[str, Any] | None = None,
    snapshot_id: str | None = None,
    package_version: int | None = None,
    params: dict[str, Any] | None = None,
) -> Job:
    now = now_ms()
    job = Job(
        id=hex32(),
        org_id=org_id,
        package_id=package_id,
        request_type=request_type,
        job_type=job_type,
        status=PENDING,
        name=name,
        description=description,
        package_type=package_type,
        source_sandbox=source_sandbox,
        destination_sandbox=destination_sandbox,
        snapshot_id=snapshot_id,
        package_version=package_version,
        params=params or {},
        result=empty_result(),
        error=None,
        attempts=0,
        counter=0,
        created_by=actor,
        created_date=now,
        modified_date=now,
    )
    session.add(job)
    session.flush()
    return job


def create_for_package(
    session: Session,
    pkg: Package,
    *,
    request_type: str,
    job_type: str,
    name: str,
    actor: str,
    description: str | None = None,
    org_id: str | None = None,
    destination_sandbox: dict[str, Any] | None = None,
    snapshot_id: str | None = None,
    package_version: int | None = None,
    params: dict[str, Any] | None = None,
) -> Job:
    """A job about a package: its org (unless given), id, type and source sandbox filled in."""
    return create(
        session,
        org_id=org_id or pkg.org_id,
        request_type=request_type,
        job_type=job_type,
        name=name,
        description=description,
        actor=actor,
        package_id=pkg.id,
        package_type=pkg.package_type,
        source_sandbox={"name": pkg.source_sandbox_name, "imsOrgId": pkg.source_org_id},
        destination_sandbox=destination_sandbox,
        snapshot_id=snapshot_id,
        package_version=package_version,
        params=params,
    )


def require(session: Session, org_id: str, job_id: str) -> Job:
    job = repository.get(session, job_id)
    if job is None or job.org_id != org_id:
        raise NotFound(f"job {job_id} not found")
    return job


def require_running(session: Session, job_id: str) -> Job:
    """The job a handler works on, still IN_PROGRESS (another attempt may have ended it)."""
    job = repository.get(session, job_id)
    if job is None or job.status != IN_PROGRESS:
        raise Conflict(f"job {job_id} is no longer in progress")
    return job


def succeed(job: Job, result: dict[str, Any] | None = None) -> None:
    now = now_ms()
    if result is not None:
        job.result = result
    job.status = SUCCESS
    job.error = None
    job.counter += 1
    job.finished_date = now
    job.modified_date = now
    job.locked_by = None


def fail(job: Job, reason: str, result: dict[str, Any] | None = None) -> None:
    now = now_ms()
    if result is not None:
        job.result = result
    job.status = FAILED
    job.error = reason[:10_000]
    job.counter += 1
    job.finished_date = now
    job.modified_date = now
    job.locked_by = None


def requeue(job: Job) -> None:
    job.status = PENDING
    job.locked_by = None
    job.modified_date = now_ms()


def render(job: Job, progress: Progress | None = None) -> dict[str, Any]:
    """The job as ``/tools/job/{id}`` shows it; ``progress`` overlays a running job's tasks."""
    result = job.result or {}
    if progress is not None and job.status == IN_PROGRESS:
        result = {
            **result,
            "completedTasks": list(progress.completed),
            "failedTasks": list(progress.failed),
        }
    out: dict[str, Any] = {
        "id": job.id,
        "name": job.name,
        "description": job.description,
        "visibility": "TENANT",
        "requestType": job.request_type,
        "expiry": 0,
        "snapshotId": job.snapshot_id,
        "packageId": job.package_id,
        "packageVersion": job.package_version,
        "createdTimestamp": job.created_date,
        "modifiedTimestamp": job.modified_date,
        "type": job.package_type,
        "jobStatus": job.status,
        "jobType": job.job_type,
        "counter": job.counter,
        "imsOrgId": job.org_id,
        "jobHash": hashlib.sha1(job.id.encode()).hexdigest(),
        "sourceSandbox": job.source_sandbox,
        "destinationSandbox": job.destination_sandbox,
        "completedTasks": [expand_task(t) for t in result.get("completedTasks", [])],
        "failedTasks": [expand_task(t) for t in result.get("failedTasks", [])],
        "importReplacementMap": result.get("importReplacementMap", {}),
        "sourceParentArtifactMap": result.get("sourceParentArtifactMap", {}),
        "schemaFieldMappings": None,
        "attempts": job.attempts,
        "createdBy": job.created_by,
    }
    for extra in ("snapshot", "summary", "rolledBackBy"):
        if extra in result:
            out[extra] = result[extra]
    for extra in ("createdObjects", "updatedObjects", "deletedObjects"):
        if extra in result:
            out[extra] = [{"type": t, "id": i} for t, i in result[extra]]
    if "deltaPackageVersion" in result:
        out["deltaPackageVersion"] = result["deltaPackageVersion"]
    if job.status == FAILED and job.error:
        out["errorMessage"] = job.error
    return out


def render_list_item(job: Job) -> dict[str, Any]:
    """The flattened item of ``GET /packages/jobs`` (``sourceSandBox`` sic)."""
    return {
        "id": job.id,
        "name": job.name,
        "updated": job.modified_date,
        "created": job.created_date,
        "requestType": job.request_type,
        "jobType": job.job_type,
        "packageType": job.package_type,
        "description": job.description,
        "jobStatus": job.status,
        "visibility": "TENANT",
        "sourceSandBox": (job.source_sandbox or {}).get("name"),
        "targetSandbox": (job.destination_sandbox or {}).get("name"),
        "createdBy": job.created_by,
    }


def tools_envelope(job: Job, progress: Progress | None = None) -> dict[str, Any]:
    return {
        "status": "OK",
        "type": "SUCCESS",
        "message": f"Job with ID: {job.id} found",
        "object": render(job, progress),
    }
