"""Audit queries: an insert and a page. There is deliberately no update or delete."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.kit.sql import paginate
from sandbox_tooling.models import AuditEvent


def insert(session: Session, event: AuditEvent) -> None:
    session.add(event)


def page(
    session: Session, org_id: str, query: ListQuery, sandboxes: frozenset[str] | None
) -> tuple[list[AuditEvent], int]:
    """``sandboxes``: only events of these sandboxes (None: every event of the org)."""
    stmt = select(AuditEvent).where(AuditEvent.org_id == org_id)
    if sandboxes is not None:
        stmt = stmt.where(AuditEvent.sandbox_name.in_(sorted(sandboxes)))
    return paginate(session, stmt, AuditEvent, query, AuditEvent.id)
