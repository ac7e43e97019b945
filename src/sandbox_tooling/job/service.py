"""Job records: creation, state changes, lookups (SPEC §3.3)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, object_session

from sandbox_tooling.audit import service as audit_service
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.job import repository
from sandbox_tooling.job.errors import JobNotFound, JobNotRunning
from sandbox_tooling.kit.clock import now_ms
from sandbox_tooling.kit.ids import hex32
from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.models import Job, Package
from sandbox_tooling.models.enums import (
    INTERNAL_REQUEST_TYPES,
    JobStatus,
    JobType,
    RequestType,
    TaskStatus,
)

#: ``session.info`` key: ids of jobs to submit once the session's transaction commits.
AFTER_COMMIT = "sbx.jobs_after_commit"
#: ``session.info`` key: jobs made PENDING in the session's transaction (created or put back
#: for a retry), by id; a queue backend enqueues them in that same transaction, just before
#: it commits (``runtime.build_runtime`` wires it; the in-process runner needs none).
TO_QUEUE = "sbx.jobs_to_queue"

#: Task messages (SPEC §3.3 formats), by status.
MESSAGES = {
    TaskStatus.CREATED: "{type} created. Source id={src}; Target id={tgt}",
    TaskStatus.OBJECT_REUSED: "{type} was not created anew. Reused object id={tgt}",
    TaskStatus.OBJECT_EXISTS: "Object {type}, id={tgt} already exists and was not re-created",
    TaskStatus.NO_CHANGE: "Standard {type} {tgt} is built into every sandbox; nothing to import",
    TaskStatus.UPDATED: "{type} updated. Source id={src}; Target id={tgt}",
}

# A task is stored compactly as [status, type, sourceId, title, newId, message, failed] and
# expanded to the documented shape only when rendered: an import of 100,000 objects keeps
# 100,000 of them in memory and in the job row.
Task = list[Any]


def task(
    status: TaskStatus,
    type_name: str,
    src: str,
    title: str | None,
    tgt: str | None,
    *,
    message: str | None = None,
    failed: bool = False,
) -> Task:
    return [status, type_name, src, title, tgt, message, failed]


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
    request_type: RequestType,
    job_type: JobType,
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
        status=JobStatus.PENDING,
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
    _to_queue(session, job)
    return job


def _to_queue(session: Session | None, job: Job) -> None:
    if session is not None:
        session.info.setdefault(TO_QUEUE, {})[job.id] = job


def take_to_queue(session: Session) -> list[Job]:
    """The jobs made PENDING in this transaction and not handed to the queue yet."""
    jobs: dict[str, Job] = session.info.pop(TO_QUEUE, {})
    return list(jobs.values())


def create_for_package(
    session: Session,
    pkg: Package,
    *,
    request_type: RequestType,
    job_type: JobType,
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


def submit_after_commit(session: Session, job: Job) -> None:
    """Have the runner submit ``job`` once this transaction commits (for jobs created where
    no endpoint submits them: webhook deliveries of events emitted inside services and jobs).
    ``runtime.build_runtime`` wires the database's commit hook to ``take_after_commit``."""
    session.info.setdefault(AFTER_COMMIT, []).append(job.id)


def take_after_commit(session: Session) -> list[str]:
    ids: list[str] = session.info.pop(AFTER_COMMIT, [])
    return ids


def internal(job: Job) -> bool:
    """A job of the service's own (a webhook delivery), not a package job."""
    return job.request_type in INTERNAL_REQUEST_TYPES


def require(session: Session, org_id: str, job_id: str) -> Job:
    job = repository.get(session, job_id)
    if job is None or job.org_id != org_id or internal(job):
        raise JobNotFound(job_id)
    return job


def get_any(session: Session, job_id: str, *, for_update: bool = False) -> Job | None:
    """A job of any org, by id (for jobs about jobs, which carry their own org checks);
    ``for_update`` locks its row for the rest of the transaction."""
    return repository.get(session, job_id, for_update=for_update)


JOB_ACTIONS = ("view", "manage", "share")


def visible(principal: Principal, job: Job) -> bool:
    """A job is seen by users whose roles cover every sandbox it names (its package's source
    and its target); one about another org's sandboxes by users whose roles cover all."""
    names = principal.sandboxes_for("Package", JOB_ACTIONS)
    if names is None:
        return True
    for ref in (job.source_sandbox, job.destination_sandbox):
        if ref is None:
            continue
        if ref.get("imsOrgId") not in (None, principal.org_id) or ref.get("name") not in names:
            return False
    return True


def get_job(session: Session, principal: Principal, job_id: str) -> Job:
    principal.require("Package", "view")
    job = require(session, principal.org_id, job_id)
    if not visible(principal, job):
        raise JobNotFound(job_id)
    return job


def list_jobs(
    session: Session, principal: Principal, query: ListQuery, *, with_results: bool = False
) -> tuple[list[Job], int]:
    """A page of the org's jobs the caller may see (results loaded only ``with_results``)."""
    principal.require("Package", "view")
    names = principal.sandboxes_for("Package", JOB_ACTIONS)
    return repository.page(session, principal.org_id, query, names, with_results=with_results)


def require_running(session: Session, job_id: str) -> Job:
    """The job a handler works on, still IN_PROGRESS (another attempt may have ended it);
    locked until the transaction ends."""
    job = repository.get(session, job_id, for_update=True)
    if job is None or job.status != JobStatus.IN_PROGRESS:
        raise JobNotRunning(job_id)
    return job


def succeed(job: Job, result: dict[str, Any] | None = None) -> None:
    now = now_ms()
    if result is not None:
        job.result = result
    job.status = JobStatus.SUCCESS
    job.error = None
    job.counter += 1
    job.finished_date = now
    job.modified_date = now
    job.locked_by = None
    job.not_before = None
    _finished(job)


def fail(job: Job, reason: str, result: dict[str, Any] | None = None) -> None:
    now = now_ms()
    if result is not None:
        job.result = result
    job.status = JobStatus.FAILED
    job.error = reason[:10_000]
    job.counter += 1
    job.finished_date = now
    job.modified_date = now
    job.locked_by = None
    job.not_before = None
    _finished(job)


def _finished(job: Job) -> None:
    """A package job's end goes to the audit log and to the org's webhooks in the job's own
    success or failure transaction (on failure, the one ``on_failure`` also runs in)."""
    if internal(job):
        return
    session = object_session(job)
    if session is None:  # pragma: no cover - jobs are always ended inside a session
        raise RuntimeError(f"job {job.id} ended outside a session")
    # Imported here: the webhook service creates its delivery jobs through this module.
    from sandbox_tooling.webhook import service as webhook_service

    audit_service.job_finished(session, job)
    webhook_service.job_finished(session, job)


def requeue(job: Job, not_before: int | None = None, *, enqueue: bool = True) -> None:
    """Back to PENDING; ``not_before``: not run before then (epoch ms), for a retry.
    ``enqueue``: a queue backend enqueues it again with the transaction (False: the caller
    puts its existing queue entry back itself)."""
    job.status = JobStatus.PENDING
    job.locked_by = None
    job.not_before = not_before
    job.modified_date = now_ms()
    if enqueue:
        _to_queue(object_session(job), job)
