"""Queries for orgs, users, roles, credentials and tokens."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sandbox_tooling.models import AccessToken, Credential, Org, Role, User, UserRole


def get_org(session: Session, org_id: str) -> Org | None:
    return session.get(Org, org_id)


def org_by_tenant(session: Session, tenant: str) -> Org | None:
    return session.scalars(select(Org).where(Org.tenant_id == tenant)).first()


def get_user(session: Session, org_id: str, user_id: str) -> User | None:
    return session.scalars(
        select(User).where(User.org_id == org_id, User.user_id == user_id)
    ).first()


def user_by_pk(session: Session, pk: int) -> User | None:
    return session.get(User, pk)


def get_role(session: Session, org_id: str, name: str) -> Role | None:
    return session.scalars(select(Role).where(Role.org_id == org_id, Role.name == name)).first()


def roles_of(session: Session, user_pk: int) -> list[Role]:
    stmt = (
        select(Role).join(UserRole, UserRole.role_pk == Role.pk).where(UserRole.user_pk == user_pk)
    )
    return list(session.scalars(stmt))


def has_role(session: Session, user_pk: int, role_pk: int) -> bool:
    return session.get(UserRole, (user_pk, role_pk)) is not None


def get_credential(session: Session, client_id: str) -> Credential | None:
    return session.get(Credential, client_id)


def token_principal(
    session: Session, token_hash: str
) -> tuple[AccessToken, Credential, User, Org, list[Role]] | None:
    """The token, its credential, user and org, and the user's roles: one query (every
    authenticated request makes it)."""
    stmt = (
        select(AccessToken, Credential, User, Org, Role)
        .join(Credential, Credential.client_id == AccessToken.client_id)
        .join(User, User.pk == Credential.user_pk)
        .join(Org, Org.id == Credential.org_id)
        .outerjoin(UserRole, UserRole.user_pk == User.pk)
        .outerjoin(Role, Role.pk == UserRole.role_pk)
        .where(AccessToken.token_hash == token_hash)
    )
    rows = session.execute(stmt).all()
    if not rows:
        return None
    token, cred, user, org, _role = rows[0]
    return token, cred, user, org, [row[4] for row in rows if row[4] is not None]


def purge_expired_tokens(session: Session, now: int) -> None:
    session.execute(delete(AccessToken).where(AccessToken.expires_at < now))


def first_client_id(session: Session, org_id: str, user_id: str) -> str | None:
    """The oldest API client of a user."""
    return session.scalars(
        select(Credential.client_id)
        .join(User, User.pk == Credential.user_pk)
        .where(User.org_id == org_id, User.user_id == user_id)
        .order_by(Credential.created_date)
    ).first()


def users_named(session: Session, user_id: str) -> list[tuple[User, Org]]:
    """Every user of that id with the org it belongs to (ids are unique per org only)."""
    stmt = (
        select(User, Org).join(Org, Org.id == User.org_id).where(User.user_id == user_id)
    ).order_by(Org.id)
    return [(u, o) for u, o in session.execute(stmt)]
