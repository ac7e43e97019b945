"""Partner links between orgs (handshakes) and package transfers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sandbox_tooling.db import Base, JSONType


class Handshake(Base):
    __tablename__ = "handshakes"
    __table_args__ = (
        Index("ix_handshakes_source", "source_org_id", "created_date"),
        Index("ix_handshakes_target", "target_org_id", "created_date"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    linking_id: Mapped[str] = mapped_column(String(36), unique=True)
    source_org_id: Mapped[str] = mapped_column(String(128))
    target_org_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=0)
    target_region: Mapped[str | None] = mapped_column(String(32), nullable=True)
    target_org_name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    status_history: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    created_by: Mapped[str] = mapped_column(String(256))
    created_by_name: Mapped[str] = mapped_column(String(256))
    modified_by: Mapped[str] = mapped_column(String(256))
    modified_by_name: Mapped[str] = mapped_column(String(256))
    modified_by_org_id: Mapped[str] = mapped_column(String(128))
    created_date: Mapped[int] = mapped_column(BigInteger)
    modified_date: Mapped[int] = mapped_column(BigInteger)


class Transfer(Base):
    __tablename__ = "transfers"
    __table_args__ = (
        Index("ix_transfers_source", "source_org_id", "created_date"),
        Index("ix_transfers_target", "target_org_id", "created_date"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    request_type: Mapped[str] = mapped_column(String(16))
    source_org_id: Mapped[str] = mapped_column(String(128))
    target_org_id: Mapped[str] = mapped_column(String(128))
    package_id: Mapped[str] = mapped_column(String(32))
    package_name: Mapped[str] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16))
    initiated_by: Mapped[str] = mapped_column(String(256))
    pipeline_message_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    job_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    target_package_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    messages: Mapped[list[str]] = mapped_column(JSONType)
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    completed_time: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_by: Mapped[str] = mapped_column(String(256))
    modified_by: Mapped[str] = mapped_column(String(256))
    created_date: Mapped[int] = mapped_column(BigInteger)
    modified_date: Mapped[int] = mapped_column(BigInteger)
