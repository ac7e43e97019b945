"""Import plans: what an import would do, stored so that an apply can be held to it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sandbox_tooling.db import Base, JSONType


class StoredPlan(Base):
    """A plan computed by the server (a client refers to it by id and cannot alter it).

    ``steps`` are compact lists (see ``importer/planning.py``); ``reads`` the target objects
    the plan read, ``[type, id, title, version, modified]``, whose digest is ``digest``.
    """

    __tablename__ = "import_plans"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    package_id: Mapped[str | None] = mapped_column(
        ForeignKey("packages.id", ondelete="CASCADE"), nullable=True, index=True
    )
    package_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    snapshot_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    sandbox_id: Mapped[str] = mapped_column(ForeignKey("sandboxes.id", ondelete="CASCADE"))
    target_name: Mapped[str] = mapped_column(String(256))
    source_name: Mapped[str] = mapped_column(String(256))
    #: What the caller gave: ``alternatives`` (or an update's ``overwriteMappings``), and for
    #: an express copy its root artifacts.
    request: Mapped[dict[str, Any]] = mapped_column(JSONType)
    #: Source id -> target id: the alternatives, or an update's pairs.
    pairs: Mapped[dict[str, str]] = mapped_column(JSONType)
    steps: Mapped[list[list[Any]]] = mapped_column(JSONType)
    reads: Mapped[list[list[Any]]] = mapped_column(JSONType)
    digest: Mapped[str] = mapped_column(String(80))
    #: An express copy: the source objects planned, ``[type, id, title, version]``.
    source_reads: Mapped[list[list[Any]]] = mapped_column(JSONType)
    stamp: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(256))
    created_date: Mapped[int] = mapped_column(BigInteger)
    expiry: Mapped[int] = mapped_column(BigInteger, index=True)
