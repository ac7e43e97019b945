"""Job queries, including the atomic claim that keeps a job from running twice."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.kit.sql import paginate
from sandbox_tooling.models import Job
from sandbox_tooling.models.enums import INTERNAL_REQUEST_TYPES, JobStatus, JobType, RequestType

PENDING, IN_PROGRESS, SUCCESS = JobStatus.PENDING, JobStatus.IN_PROGRESS, JobStatus.SUCCESS


def get(session: Session, job_id: str, *, for_update: bool = False) -> Job | None:
    return session.get(Job, job_id, with_for_update=for_update or None)


def claim(session: Session, job_id: str, worker: str, now: int) -> bool:
    """PENDING -> IN_PROGRESS, only if nobody else got there first and the job is due."""
    result = session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            Job.status == PENDING,
            or_(Job.not_before.is_(None), Job.not_before <= now),
        )
        .values(
            status=IN_PROGRESS,
            attempts=Job.attempts + 1,
            locked_by=worker,
            heartbeat=now,
            started_date=now,
            modified_date=now,
        )
    )
    return bool(getattr(result, "rowcount", 0))


def ids_with_status(session: Session, status: str) -> list[str]:
    return list(
        session.scalars(select(Job.id).where(Job.status == status).order_by(Job.created_date))
    )


def pending(session: Session) -> list[tuple[str, int | None]]:
    """``(id, not_before)`` of every PENDING job, oldest first."""
    rows = session.execute(
        select(Job.id, Job.not_before).where(Job.status == PENDING).order_by(Job.created_date)
    )
    return [(i, n) for i, n in rows]


def page(
    session: Session, org_id: str, query: ListQuery, sandboxes: frozenset[str] | None
) -> tuple[list[Job], int]:
    """``sandboxes``: only jobs whose sandboxes are all the org's and among these (None: all)."""
    stmt = select(Job).where(
        Job.org_id == org_id, Job.request_type.not_in(sorted(INTERNAL_REQUEST_TYPES))
    )
    if sandboxes is not None:
        names = sorted(sandboxes)
        for ref in (Job.source_sandbox, Job.destination_sandbox):
            name, org = ref["name"].as_string(), ref["imsOrgId"].as_string()
            stmt = stmt.where(
                or_(name.is_(None), and_(name.in_(names), or_(org.is_(None), org == org_id)))
            )
    return paginate(session, stmt, Job, query, Job.id)


def running_version_save(session: Session, package_id: str) -> Job | None:
    return session.scalars(
        select(Job).where(
            Job.package_id == package_id,
            Job.request_type == RequestType.VERSION,
            Job.job_type == JobType.UPGRADE,
            Job.status.in_((PENDING, IN_PROGRESS)),
        )
    ).first()


def imports_of(session: Session, org_id: str, package_id: str) -> list[tuple[str, Any]]:
    """``(id, destination_sandbox)`` of the package's successful imports and updates, newest
    first; results (which can be large) are not loaded."""
    rows = session.execute(
        select(Job.id, Job.destination_sandbox)
        .where(
            Job.org_id == org_id,
            Job.package_id == package_id,
            Job.request_type == RequestType.IMPORT,
            Job.job_type.in_((JobType.NEW, JobType.UPDATE)),
            Job.status == SUCCESS,
        )
        .order_by(Job.finished_date.desc())
    )
    return [(i, d) for i, d in rows]


def compares_of(session: Session, package_id: str, package_version: int) -> list[tuple[str, Any]]:
    """``(id, params)`` of the version's live or finished compare jobs, newest first."""
    rows = session.execute(
        select(Job.id, Job.params)
        .where(
            Job.package_id == package_id,
            Job.request_type == RequestType.VERSION,
            Job.job_type == JobType.COMPUTE,
            Job.package_version == package_version,
            Job.status.in_((PENDING, IN_PROGRESS, SUCCESS)),
        )
        .order_by(Job.created_date.desc())
    )
    return [(i, p) for i, p in rows]
