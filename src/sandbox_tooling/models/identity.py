"""Orgs, users, roles, credentials and access tokens."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sandbox_tooling.db import Base, JSONType


class Org(Base):
    __tablename__ = "orgs"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    region: Mapped[str] = mapped_column(String(32))
    tenant_id: Mapped[str] = mapped_column(String(64))
    created_date: Mapped[int] = mapped_column(BigInteger)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("org_id", "user_id"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(256))
    # An argon2 hash (PHC string) of the console password; None: no password set.
    password_hash: Mapped[str | None] = mapped_column(String(256), nullable=True)
    created_date: Mapped[int] = mapped_column(BigInteger)


class Role(Base):
    """A named set of permissions ``[{resource, actions}]``, for all sandboxes or named ones."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    permissions: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    # None: every sandbox of the org; otherwise a list of sandbox names.
    sandboxes: Mapped[list[str] | None] = mapped_column(JSONType, nullable=True)
    created_date: Mapped[int] = mapped_column(BigInteger)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_pk: Mapped[int] = mapped_column(
        ForeignKey("users.pk", ondelete="CASCADE"), primary_key=True
    )
    role_pk: Mapped[int] = mapped_column(
        ForeignKey("roles.pk", ondelete="CASCADE"), primary_key=True, index=True
    )


class Credential(Base):
    """An API client (``x-api-key``). Only a hash of the secret is stored."""

    __tablename__ = "credentials"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.pk", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(128))
    created_date: Mapped[int] = mapped_column(BigInteger)


class AccessToken(Base):
    """A bearer token. Only its SHA-256 is stored."""

    __tablename__ = "access_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(
        ForeignKey("credentials.client_id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
    created_date: Mapped[int] = mapped_column(BigInteger)
