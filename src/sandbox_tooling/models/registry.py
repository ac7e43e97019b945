"""Typed configuration objects held by a sandbox, and the references between them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sandbox_tooling.db import Base, JSONType


class RegistryObject(Base):
    __tablename__ = "registry_objects"
    __table_args__ = (
        UniqueConstraint("sandbox_id", "type", "object_id"),
        Index("ix_registry_objects_sandbox_object", "sandbox_id", "object_id"),
        Index("ix_registry_objects_sandbox_type_title", "sandbox_id", "type", "title"),
    )

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sandbox_id: Mapped[str] = mapped_column(ForeignKey("sandboxes.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(512))
    title: Mapped[str] = mapped_column(String(512))
    version: Mapped[int] = mapped_column(Integer, default=1)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_date: Mapped[int] = mapped_column(BigInteger)
    modified_date: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(256))
    modified_by: Mapped[str] = mapped_column(String(256))


class ObjectReference(Base):
    """``source`` refers to ``(target_type, target_id)`` in the same sandbox.

    ``attach`` marks references whose source travels with its target (a descriptor is
    packaged with the schema it describes), so closures follow them backwards.
    """

    __tablename__ = "object_references"
    __table_args__ = (
        Index("ix_object_references_target", "sandbox_id", "target_id", "target_type"),
    )

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sandbox_id: Mapped[str] = mapped_column(ForeignKey("sandboxes.id", ondelete="CASCADE"))
    source_pk: Mapped[int] = mapped_column(
        ForeignKey("registry_objects.pk", ondelete="CASCADE"), index=True
    )
    target_type: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str] = mapped_column(String(512))
    attach: Mapped[bool] = mapped_column(Boolean, default=False)
