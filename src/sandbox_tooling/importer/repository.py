"""Import plan queries."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sandbox_tooling.models import StoredPlan


def get_plan(session: Session, plan_id: str) -> StoredPlan | None:
    return session.scalars(select(StoredPlan).where(StoredPlan.id == plan_id)).first()


def delete_expired_plans(session: Session, before: int) -> None:
    """Forget plans that expired before ``before`` (epoch ms)."""
    session.execute(delete(StoredPlan).where(StoredPlan.expiry < before))
