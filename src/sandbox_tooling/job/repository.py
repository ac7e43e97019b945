"""Job queries, including the atomic claim that keeps a job from running twice."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.kit.sql import paginate
from sandbox_tooling.models import Job

PENDING, IN_PROGRESS, SUCCESS, FAILED, CANCELLED = (
    "PENDING",
    "IN_PROGRESS",
    "SUCCESS",
    "FAILED",
    "CANCELLED",
)


def get(session: Session, job_id: str) -> Job | None:
    return session.get(Job, job_id)


def claim(session: Session, job_id: str, worker: str, now: int) -> bool:
    """PENDING -> IN_PROGRESS, only if nobody else got there first."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == PENDING)
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


def page(session: Session, org_id: str, query: ListQuery) -> tuple[list[Job], int]:
    return paginate(session, select(Job).where(Job.org_id == org_id), Job, query, Job.id)
