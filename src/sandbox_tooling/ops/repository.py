"""Operational queries: is the database there, how deep is the job queue."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from sandbox_tooling.models import Job
from sandbox_tooling.models.enums import JobStatus


def ping(session: Session) -> None:
    session.execute(text("SELECT 1"))


def queue_depth(session: Session) -> dict[str, int]:
    """Jobs PENDING and IN_PROGRESS (one indexed count per status)."""
    rows = session.execute(
        select(Job.status, func.count())
        .where(Job.status.in_((JobStatus.PENDING, JobStatus.IN_PROGRESS)))
        .group_by(Job.status)
    )
    out = {str(JobStatus.PENDING): 0, str(JobStatus.IN_PROGRESS): 0}
    out.update({str(s): int(n) for s, n in rows})
    return out
