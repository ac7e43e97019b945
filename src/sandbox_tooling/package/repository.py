"""Package queries."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.kit.sql import apply_filters, order_by
from sandbox_tooling.models import Package, PackageVersion


def get(session: Session, package_id: str) -> Package | None:
    return session.get(Package, package_id)


def by_name(session: Session, org_id: str, name: str) -> Package | None:
    return session.scalars(
        select(Package).where(Package.org_id == org_id, Package.name == name)
    ).first()


def page(session: Session, org_id: str, query: ListQuery) -> tuple[list[Package], int]:
    stmt = apply_filters(select(Package).where(Package.org_id == org_id), Package, query)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        order_by(stmt, Package, query, Package.id).offset(query.start).limit(query.limit)
    )
    return list(rows), total


def latest_version(session: Session, package_id: str) -> PackageVersion | None:
    return session.scalars(
        select(PackageVersion)
        .where(PackageVersion.package_id == package_id)
        .order_by(PackageVersion.package_version.desc())
    ).first()
