"""Recording and reading the audit log.

``record`` is called by the service function that makes a change, with the change's own
session: the event is written in the same transaction, so a change that is rolled back
leaves no event and a committed change always has one. Jobs record their submission (in
the request's transaction) and their end (``job_finished``, in the job's success or failure
transaction). Nothing updates or deletes an event.

No secret ever goes into an event: callers pass ids, names and statuses, and ``details``
values under a key that names a secret (``kit/secrets.py``) are dropped all the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from sandbox_tooling.audit import repository
from sandbox_tooling.kit.clock import now_ms
from sandbox_tooling.kit.ids import hex32
from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.kit.secrets import is_secret_name
from sandbox_tooling.models import AuditEvent, Job
from sandbox_tooling.models.enums import (
    JOB_ACTIONS,
    AuditAction,
    AuditStatus,
    JobStatus,
    JobType,
    RequestType,
)

if TYPE_CHECKING:
    from sandbox_tooling.identity.service import Principal

#: Who reads the log: ``Audit:read``; a role limited to sandboxes sees their events only.
RESOURCE, READ = "Audit", "read"


class Who(Protocol):
    """An actor: the user and, when known, the API client (a ``Principal`` is one)."""

    @property
    def user_id(self) -> str: ...

    @property
    def client_id(self) -> str | None: ...


@dataclass(frozen=True)
class Actor:
    user_id: str
    client_id: str | None = None


def _who(actor: Who | str | None) -> tuple[str | None, str | None]:
    if actor is None:
        return None, None
    if isinstance(actor, str):
        return actor, None
    return actor.user_id, actor.client_id


def _clean(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items() if not is_secret_name(str(k))}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def record(
    session: Session,
    *,
    org_id: str,
    actor: Who | str | None,
    action: AuditAction,
    sandbox: str | None,
    object_type: str,
    object_id: str | None,
    object_name: str | None = None,
    result: AuditStatus = AuditStatus.SUCCESS,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the org's log, in the caller's transaction. ``actor``: a
    principal (user and API client), a user id (a job acting for its submitter), or None
    (the operator's ``sbx admin`` commands)."""
    user_id, client_id = _who(actor)
    event = AuditEvent(
        id=hex32(),
        org_id=org_id,
        timestamp=now_ms(),
        sandbox_name=sandbox,
        user_id=user_id,
        client_id=client_id,
        action=action,
        asset_type=object_type[:64],
        asset_id=object_id[:1024] if object_id is not None else None,
        asset_name=object_name[:512] if object_name is not None else None,
        status=result,
        details=_clean(dict(details or {})),
    )
    repository.insert(session, event)
    return event


def list_events(
    session: Session, principal: Principal, query: ListQuery
) -> tuple[list[AuditEvent], int]:
    """The org's events; a user whose ``Audit:read`` is limited to some sandboxes sees the
    events of those sandboxes only (none of the org-wide ones: sign-ins, links...)."""
    principal.require(RESOURCE, READ)
    scope = principal.sandboxes_for(RESOURCE, (READ,))
    return repository.page(session, principal.org_id, query, scope)


def objects_loaded(
    session: Session, principal: Who, org_id: str, sandbox: str, source: str, types: list[str]
) -> None:
    """Many objects created in one request (a batch, a Schema Registry import): one event,
    with the count per type."""
    counts: dict[str, int] = {}
    for type_name in types:
        counts[type_name] = counts.get(type_name, 0) + 1
    record(
        session,
        org_id=org_id,
        actor=principal,
        action=AuditAction.OBJECTS_LOAD,
        sandbox=sandbox,
        object_type="Sandbox",
        object_id=sandbox,
        details={"source": source, "count": len(types), "types": counts},
    )


# -- jobs -------------------------------------------------------------------------------------
def _own_sandbox(ref: Mapping[str, Any] | None, org_id: str) -> str | None:
    if not ref or ref.get("imsOrgId") not in (None, org_id):
        return None
    name = ref.get("name")
    return str(name) if name else None


def job_sandbox(job: Job, org_id: str) -> str | None:
    """The sandbox a job changes or reads: an import's target, else the package's source
    (when it is a sandbox of ``org_id``)."""
    if job.request_type == RequestType.IMPORT:
        return _own_sandbox(job.destination_sandbox, org_id)
    return _own_sandbox(job.source_sandbox, org_id)


def _job_actions(job: Job) -> tuple[AuditAction, AuditAction] | None:
    try:
        return JOB_ACTIONS.get((RequestType(job.request_type), JobType(job.job_type)))
    except ValueError:
        return None


def _job_details(job: Job) -> dict[str, Any]:
    details: dict[str, Any] = {"requestType": job.request_type, "jobType": job.job_type}
    for key, value in (
        ("packageId", job.package_id),
        ("packageVersion", job.package_version),
        ("sourceSandbox", job.source_sandbox),
        ("destinationSandbox", job.destination_sandbox),
        ("importJobId", job.params.get("importJobId")),
        ("transferId", job.params.get("transferId")),
    ):
        if value is not None:
            details[key] = value
    return details


def job_submitted(session: Session, principal: Who, org_id: str, job: Job) -> None:
    """A package job was submitted by ``principal`` of ``org_id``."""
    actions = _job_actions(job)
    if actions is None:
        return
    record(
        session,
        org_id=org_id,
        actor=principal,
        action=actions[0],
        sandbox=job_sandbox(job, org_id),
        object_type="Job",
        object_id=job.id,
        object_name=job.name,
        details=_job_details(job),
    )


def job_finished(session: Session, job: Job) -> None:
    """A package job ended (SUCCESS or FAILED), in its org's log, acting for its submitter."""
    actions = _job_actions(job)
    if actions is None:
        return
    details = _job_details(job)
    if job.status == JobStatus.FAILED and job.error:
        details["errorMessage"] = job.error[:1000]
    record(
        session,
        org_id=job.org_id,
        actor=job.created_by,
        action=actions[1],
        sandbox=job_sandbox(job, job.org_id),
        object_type="Job",
        object_id=job.id,
        object_name=job.name,
        result=AuditStatus.SUCCESS if job.status == JobStatus.SUCCESS else AuditStatus.FAILURE,
        details=details,
    )
