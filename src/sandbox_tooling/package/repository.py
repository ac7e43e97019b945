"""Package queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.kit.sql import contains, paginate
from sandbox_tooling.models import Package, PackageVersion


def get(session: Session, package_id: str, *, for_update: bool = False) -> Package | None:
    """``for_update``: the row is locked until the transaction ends (a read-modify-write)."""
    return session.get(Package, package_id, with_for_update=for_update or None)


def by_name(session: Session, org_id: str, name: str) -> Package | None:
    return session.scalars(
        select(Package).where(Package.org_id == org_id, Package.name == name)
    ).first()


def page(
    session: Session,
    org_id: str,
    query: ListQuery,
    sandboxes: frozenset[str] | None,
    name_contains: str | None = None,
) -> tuple[list[Package], int]:
    """``sandboxes``: only the org's own packages of these source sandboxes (None: all);
    ``name_contains``: a case-insensitive search in names."""
    stmt = select(Package).where(Package.org_id == org_id)
    if name_contains:
        stmt = stmt.where(contains(Package.name, name_contains))
    if sandboxes is not None:
        stmt = stmt.where(
            Package.source_org_id == org_id, Package.source_sandbox_name.in_(sorted(sandboxes))
        )
    return paginate(session, stmt, Package, query, Package.id)


def latest_version(session: Session, package_id: str) -> PackageVersion | None:
    return session.scalars(
        select(PackageVersion)
        .where(PackageVersion.package_id == package_id)
        .order_by(PackageVersion.package_version.desc())
    ).first()


def versions(session: Session, package_id: str) -> list[PackageVersion]:
    """Newest first."""
    return list(
        session.scalars(
            select(PackageVersion)
            .where(PackageVersion.package_id == package_id)
            .order_by(PackageVersion.package_version.desc())
        )
    )


def version_number(session: Session, package_id: str, number: int) -> PackageVersion | None:
    return session.scalars(
        select(PackageVersion).where(
            PackageVersion.package_id == package_id, PackageVersion.package_version == number
        )
    ).first()


def version_by_snapshot(session: Session, snapshot_id: str | None) -> PackageVersion | None:
    if snapshot_id is None:
        return None
    return session.scalars(
        select(PackageVersion).where(PackageVersion.snapshot_id == snapshot_id)
    ).first()
