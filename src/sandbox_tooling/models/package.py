"""Packages and their immutable published versions (snapshots)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sandbox_tooling.db import Base, JSONType
from sandbox_tooling.models.enums import Visibility


class Package(Base):
    __tablename__ = "packages"
    __table_args__ = (
        UniqueConstraint("org_id", "name"),
        # The lists' default order (newest first) without sorting every package of the org.
        Index("ix_packages_org_created", "org_id", "created_date"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(512))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    package_type: Mapped[str] = mapped_column(String(16))
    source_sandbox_name: Mapped[str] = mapped_column(String(256))
    source_org_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(32), index=True)
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.PRIVATE)
    access_type: Mapped[str] = mapped_column(String(16), default="TENANT")
    expiry: Mapped[int] = mapped_column(BigInteger)
    publish_date: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    latest_package_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    artifacts: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str] = mapped_column(String(64))
    created_date: Mapped[int] = mapped_column(BigInteger, index=True)
    modified_date: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(256))
    modified_by: Mapped[str] = mapped_column(String(256))


class PackageVersion(Base):
    """One published snapshot of a package. The blobs it names are never rewritten."""

    __tablename__ = "package_versions"
    __table_args__ = (UniqueConstraint("package_id", "package_version"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    package_id: Mapped[str] = mapped_column(ForeignKey("packages.id", ondelete="CASCADE"))
    package_version: Mapped[int] = mapped_column(Integer)
    snapshot_id: Mapped[str] = mapped_column(String(36), unique=True)
    manifest_key: Mapped[str] = mapped_column(String(512))
    artifacts_key: Mapped[str] = mapped_column(String(512))
    content_hash: Mapped[str] = mapped_column(String(80))
    artifact_count: Mapped[int] = mapped_column(Integer)
    created_date: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(256))
