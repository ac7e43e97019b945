"""Sandboxes (environments) of an org."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from sandbox_tooling.db import Base


class Sandbox(Base):
    __tablename__ = "sandboxes"
    __table_args__ = (
        # A name is unique among the org's live sandboxes; deleted ones stay readable.
        Index(
            "uq_sandboxes_live_name",
            "org_id",
            "name",
            unique=True,
            sqlite_where=text("state != 'deleted'"),
            postgresql_where=text("state != 'deleted'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(256))
    title: Mapped[str] = mapped_column(String(256))
    type: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(32))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    etag: Mapped[int] = mapped_column(Integer, default=1)
    created_date: Mapped[int] = mapped_column(BigInteger)
    modified_date: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(256))
    modified_by: Mapped[str] = mapped_column(String(256))
