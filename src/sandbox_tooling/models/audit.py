"""The audit log: one append-only row per change an org makes (docs/api.md, "Audit log")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from sandbox_tooling.db import Base, JSONType


class AuditEvent(Base):
    """Written once, in the transaction of the change it records; nothing updates or deletes
    it (no repository function does)."""

    __tablename__ = "audit_events"
    # Every read is one org's events in a time range, newest first.
    __table_args__ = (Index("ix_audit_events_org_time", "org_id", "timestamp"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(128))
    timestamp: Mapped[int] = mapped_column(BigInteger)
    sandbox_name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    user_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    asset_type: Mapped[str] = mapped_column(String(64))
    asset_id: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    asset_name: Mapped[str | None] = mapped_column(String(512), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    details: Mapped[dict[str, Any]] = mapped_column(JSONType)
