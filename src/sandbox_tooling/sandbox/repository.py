"""Sandbox queries."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sandbox_tooling.models import RegistryObject, Sandbox
from sandbox_tooling.models.enums import SandboxState

DELETED = SandboxState.DELETED


def live(session: Session, org_id: str, name: str) -> Sandbox | None:
    return session.scalars(
        select(Sandbox).where(
            Sandbox.org_id == org_id, Sandbox.name == name, Sandbox.state != DELETED
        )
    ).first()


def latest_by_name(session: Session, org_id: str, name: str) -> Sandbox | None:
    """The live sandbox of that name, else the most recently deleted one."""
    stmt = (
        select(Sandbox)
        .where(Sandbox.org_id == org_id, Sandbox.name == name)
        .order_by((Sandbox.state == DELETED).asc(), Sandbox.modified_date.desc())
    )
    return session.scalars(stmt).first()


def page(
    session: Session,
    org_id: str,
    *,
    include_deleted: bool,
    names: list[str] | None,
    limit: int,
    offset: int,
) -> tuple[list[Sandbox], int]:
    """``names``: only sandboxes of these names (None: all)."""
    where = [Sandbox.org_id == org_id]
    if not include_deleted:
        where.append(Sandbox.state != DELETED)
    if names is not None:
        where.append(Sandbox.name.in_(names))
    total = session.scalar(select(func.count()).select_from(Sandbox).where(*where)) or 0
    rows = session.scalars(
        select(Sandbox)
        .where(*where)
        .order_by(Sandbox.created_date, Sandbox.name)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def count_live(session: Session, org_id: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Sandbox)
            .where(Sandbox.org_id == org_id, Sandbox.state != DELETED)
        )
        or 0
    )


def empty(session: Session, sandbox_id: str) -> int:
    """Delete every object of a sandbox (references go with them by cascade)."""
    result = session.execute(delete(RegistryObject).where(RegistryObject.sandbox_id == sandbox_id))
    return int(getattr(result, "rowcount", 0) or 0)


def lock_live(session: Session, org_id: str, name: str) -> Sandbox | None:
    """The live sandbox, row-locked for the rest of the transaction on PostgreSQL (SQLite's
    write transactions are exclusive already)."""
    stmt = select(Sandbox).where(
        Sandbox.org_id == org_id, Sandbox.name == name, Sandbox.state != DELETED
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()
