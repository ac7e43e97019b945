"""Identity and tenancy: orgs, users, roles, credentials, tokens and permission checks."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from sandbox_tooling.audit import service as audit_service
from sandbox_tooling.audit.service import Actor
from sandbox_tooling.identity import errors, repository
from sandbox_tooling.identity.cache import CallerCache
from sandbox_tooling.identity.errors import (
    IdentityExists,
    IdentityNotFound,
    InvalidIdentity,
    InvalidSignIn,
    PermissionDenied,
)
from sandbox_tooling.kit.clock import now_ms
from sandbox_tooling.kit.ids import hex32
from sandbox_tooling.models import AccessToken, Credential, Org, Role, User, UserRole
from sandbox_tooling.models.enums import AuditAction, AuditStatus
from sandbox_tooling.sandbox import service as sandbox_service

ORG_ID = re.compile(r"^[A-Za-z0-9]{1,64}@AdobeOrg$")
TENANT = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
REGION = re.compile(r"^[a-z]{2,4}[0-9]{1,2}$")
USER_ID = re.compile(r"^[A-Za-z0-9._@+\-]{1,256}$")
ROLE_NAME = re.compile(r"^[A-Za-z0-9 _.\-]{1,128}$")
ADMIN_ROLE = "admin"

#: Resource types a role may grant, with their actions (SPEC §4.10, §7.8).
RESOURCE_ACTIONS: dict[str, tuple[str, ...]] = {
    "Sandbox": ("view", "manage"),
    "Package": ("view", "manage", "share"),
    "Schema": ("read", "write", "delete"),
    "Identity": ("read", "write", "delete"),
    "Dataset": ("read", "write", "delete"),
    "ProfileConfig": ("read", "write", "delete"),
    "Segment": ("read", "write", "delete"),
    "Composition": ("read", "write", "delete"),
    "SegmentDashboard": ("read",),
    "Query": ("read", "write"),
    "Sources": ("read", "write", "delete"),
    "Policy": ("read", "write", "delete"),
    "Journey": ("read", "write", "delete"),
    # beyond Adobe's list: reading the audit log, and the org's webhooks
    "Audit": ("read",),
    "Webhook": ("view", "manage"),
}


def hash_secret(secret: str) -> str:
    """Secrets are 256-bit random values, so one SHA-256 is a sound one-way hash for them."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass
class Principal:
    """The caller of a request: an org, a user, the API client, and the user's roles."""

    org: Org
    user: User
    client_id: str
    roles: list[Role] = field(default_factory=list)

    @property
    def org_id(self) -> str:
        return self.org.id

    @property
    def user_id(self) -> str:
        return self.user.user_id

    def can(self, resource: str, action: str, sandbox: str | None) -> bool:
        for role in self.roles:
            if role.is_admin:
                return True
            if role.sandboxes is not None and sandbox is not None and sandbox not in role.sandboxes:
                continue
            for perm in role.permissions:
                if perm["resource"] == resource and action in perm["actions"]:
                    return True
        return False

    def sandboxes_for(self, resource: str, actions: Iterable[str]) -> frozenset[str] | None:
        """The sandbox names where the user holds one of ``actions`` on ``resource``; None:
        every sandbox of the org (an admin, or a role not limited to sandboxes)."""
        wanted = set(actions)
        names: set[str] = set()
        for role in self.roles:
            if role.is_admin:
                return None
            if any(
                p["resource"] == resource and wanted & set(p["actions"]) for p in role.permissions
            ):
                if role.sandboxes is None:
                    return None
                names.update(role.sandboxes)
        return frozenset(names)

    def missing(
        self, needs: Iterable[tuple[str, str]], sandbox: str | None
    ) -> list[tuple[str, str]]:
        return [(r, a) for r, a in needs if not self.can(r, a, sandbox)]

    def require(self, resource: str, action: str, sandbox: str | None = None) -> None:
        if not self.can(resource, action, sandbox):
            where = f" in sandbox '{sandbox}'" if sandbox else ""
            raise PermissionDenied(
                f"user {self.user_id} lacks permission {resource}:{action}{where}"
            )


# -- orgs, users, roles, credentials ----------------------------------------------------------
def create_org(
    session: Session, *, org_id: str, name: str, region: str, tenant: str | None = None
) -> Org:
    if not ORG_ID.match(org_id):
        raise InvalidIdentity(f"org id '{org_id}' must look like 5C1328435BF324E90A49402A@AdobeOrg")
    if not name.strip():
        raise InvalidIdentity("org name must not be empty")
    region = region.lower()
    if not REGION.match(region):
        raise InvalidIdentity(f"region '{region}' must look like va7, nld2 or aus5")
    tenant = (tenant or re.sub(r"[^a-z0-9]", "", name.lower()) or "tenant").lower()
    if not TENANT.match(tenant):
        raise InvalidIdentity(
            f"tenant '{tenant}' must start with a letter and hold 2-63 of a-z, 0-9, '_'"
        )
    if repository.get_org(session, org_id):
        raise IdentityExists(f"org {org_id} already exists")
    if repository.org_by_tenant(session, tenant):
        raise IdentityExists(f"tenant '{tenant}' is already used by another org")
    org = Org(id=org_id, name=name, region=region, tenant_id=tenant, created_date=now_ms())
    session.add(org)
    session.add(
        Role(
            org_id=org_id,
            name=ADMIN_ROLE,
            is_admin=True,
            permissions=[],
            sandboxes=None,
            created_date=now_ms(),
        )
    )
    session.flush()
    sandbox_service.create_default(session, org, actor="system")
    return org


def require_org(session: Session, org_id: str) -> Org:
    org = repository.get_org(session, org_id)
    if org is None:
        raise IdentityNotFound(f"org {org_id} not found")
    return org


def create_user(
    session: Session, *, org_id: str, user_id: str, name: str | None, roles: list[str]
) -> User:
    require_org(session, org_id)
    if not USER_ID.match(user_id):
        raise InvalidIdentity(
            f"user id '{user_id}' holds characters other than letters, digits, ._@+-"
        )
    if repository.get_user(session, org_id, user_id):
        raise IdentityExists(f"user {user_id} already exists in org {org_id}")
    role_rows = [require_role(session, org_id, r) for r in roles]
    user = User(org_id=org_id, user_id=user_id, name=name or user_id, created_date=now_ms())
    session.add(user)
    session.flush()
    for role in role_rows:
        session.add(UserRole(user_pk=user.pk, role_pk=role.pk))
    session.flush()
    audit_service.record(
        session,
        org_id=org_id,
        actor=None,
        action=AuditAction.USER_CREATE,
        sandbox=None,
        object_type="User",
        object_id=user_id,
        object_name=user.name,
        details={"roles": [r.name for r in role_rows]},
    )
    return user


def require_user(session: Session, org_id: str, user_id: str) -> User:
    user = repository.get_user(session, org_id, user_id)
    if user is None:
        raise IdentityNotFound(f"user {user_id} not found in org {org_id}")
    return user


def require_role(session: Session, org_id: str, name: str) -> Role:
    role = repository.get_role(session, org_id, name)
    if role is None:
        raise IdentityNotFound(f"role '{name}' not found in org {org_id}")
    return role


def parse_permission(text: str) -> dict[str, object]:
    """``Schema:read,write`` to ``{"resource": "Schema", "actions": ["read", "write"]}``."""
    resource, sep, acts = text.partition(":")
    resource = resource.strip()
    actions = [a.strip() for a in acts.split(",") if a.strip()]
    if not sep or not actions:
        raise InvalidIdentity(f"permission '{text}' must look like Resource:action1,action2")
    known = RESOURCE_ACTIONS.get(resource)
    if known is None:
        raise InvalidIdentity(
            f"permission '{text}': unknown resource '{resource}'; known: "
            + ", ".join(sorted(RESOURCE_ACTIONS))
        )
    bad = [a for a in actions if a not in known]
    if bad:
        raise InvalidIdentity(
            f"permission '{text}': unknown action(s) {', '.join(bad)} for {resource}; "
            f"allowed: {', '.join(known)}"
        )
    return {"resource": resource, "actions": sorted(set(actions))}


def create_role(
    session: Session,
    *,
    org_id: str,
    name: str,
    permissions: list[str],
    sandboxes: list[str] | None,
) -> Role:
    require_org(session, org_id)
    if not ROLE_NAME.match(name):
        raise InvalidIdentity(f"role name '{name}' must hold 1-128 of letters, digits, ' _.-'")
    if repository.get_role(session, org_id, name):
        raise IdentityExists(f"role '{name}' already exists in org {org_id}")
    if not permissions:
        raise InvalidIdentity("a role needs at least one --permission")
    parsed = [parse_permission(p) for p in permissions]
    for sandbox in sandboxes or []:
        sandbox_service.require_live(session, org_id, sandbox)
    role = Role(
        org_id=org_id,
        name=name,
        is_admin=False,
        permissions=parsed,
        sandboxes=sorted(set(sandboxes)) if sandboxes else None,
        created_date=now_ms(),
    )
    session.add(role)
    session.flush()
    audit_service.record(
        session,
        org_id=org_id,
        actor=None,
        action=AuditAction.ROLE_CREATE,
        sandbox=None,
        object_type="Role",
        object_id=name,
        details={"permissions": parsed, "sandboxes": role.sandboxes},
    )
    return role


def assign_role(session: Session, *, org_id: str, user_id: str, role: str) -> tuple[User, Role]:
    user = require_user(session, org_id, user_id)
    role_row = require_role(session, org_id, role)
    if not repository.has_role(session, user.pk, role_row.pk):
        session.add(UserRole(user_pk=user.pk, role_pk=role_row.pk))
        session.flush()
        audit_service.record(
            session,
            org_id=org_id,
            actor=None,
            action=AuditAction.ROLE_ASSIGN,
            sandbox=None,
            object_type="User",
            object_id=user_id,
            details={"role": role},
        )
    return user, role_row


def create_credential(session: Session, *, org_id: str, user_id: str) -> tuple[Credential, str]:
    user = require_user(session, org_id, user_id)
    secret = "p8e-" + secrets.token_urlsafe(32)
    cred = Credential(
        client_id=hex32(),
        org_id=org_id,
        user_pk=user.pk,
        secret_hash=hash_secret(secret),
        created_date=now_ms(),
    )
    session.add(cred)
    session.flush()
    audit_service.record(
        session,
        org_id=org_id,
        actor=None,
        action=AuditAction.CREDENTIAL_CREATE,
        sandbox=None,
        object_type="Credential",
        object_id=cred.client_id,
        details={"user": user_id},
    )
    return cred, secret


def principal_for(session: Session, org_id: str, user_id: str, client_id: str = "job") -> Principal:
    """The principal of a user (for jobs, which act for the user who submitted them)."""
    org = require_org(session, org_id)
    user = require_user(session, org_id, user_id)
    return Principal(
        org=org, user=user, client_id=client_id, roles=repository.roles_of(session, user.pk)
    )


# -- console passwords ------------------------------------------------------------------------
#: argon2id with the library's defaults (RFC 9106 low-memory profile).
_HASHER = PasswordHasher()
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
# Verified against when the user does not exist, so an unknown user costs the same time as a
# wrong password (the answer does not tell which user ids exist).
_DUMMY_HASH = _HASHER.hash("sbx-no-such-user")


def set_password(session: Session, *, org_id: str, user_id: str, password: str) -> User:
    """Set (or replace) a user's console password; only its argon2 hash is stored."""
    user = require_user(session, org_id, user_id)
    if len(password) < MIN_PASSWORD:
        raise InvalidIdentity(f"password: must hold at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidIdentity(f"password: must hold at most {MAX_PASSWORD} characters")
    if "\x00" in password:
        raise InvalidIdentity("password: must not contain a NUL character")
    user.password_hash = _HASHER.hash(password)
    session.flush()
    return user


def check_password(user: User | None, password: str) -> bool:
    """True when ``password`` is the user's console password (False when none is set). An
    absent user or password still costs one verification."""
    stored = user.password_hash if user is not None else None
    try:
        ok = _HASHER.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and stored is not None


def sign_in_password(
    session: Session, *, user_id: str, password: str, org_id: str | None = None
) -> Principal:
    """The principal of a user signing in to the console with a password. User ids are unique
    per org: a user id held in several orgs needs ``org_id``. Audited (``console.signIn``):
    a success, and a wrong password for a user that exists (in each org holding the id); the
    caller commits either way."""
    user_id = user_id.strip()
    candidates = [
        (u, o)
        for u, o in repository.users_named(session, user_id)
        if org_id is None or o.id == org_id.strip()
    ]
    matched = [(u, o) for u, o in candidates if check_password(u, password)]
    if not candidates:
        check_password(None, password)
    if len(matched) != 1:
        reason = "wrong password" if not matched else "user id in several orgs; no org given"
        for _user, org in candidates:
            _audit_sign_in(session, org.id, user_id, "password", ok=False, reason=reason)
        if not matched:
            raise InvalidSignIn("user or password: unknown user or wrong password")
        raise InvalidSignIn(f"org: user {user_id} is in several orgs; give the org id")
    user, org = matched[0]
    _audit_sign_in(session, org.id, user_id, "password", ok=True)
    return Principal(
        org=org, user=user, client_id="console", roles=repository.roles_of(session, user.pk)
    )


def sign_in_credential(session: Session, *, client_id: str, client_secret: str) -> Principal:
    """The principal of a credential's user (a pasted client id and secret); audited as
    ``console.signIn`` like a password sign-in (an unknown client belongs to no org)."""
    cred = repository.get_credential(session, client_id.strip())
    if cred is None:
        raise InvalidSignIn("client id or secret: unknown client or wrong secret")
    user = repository.user_by_pk(session, cred.user_pk)
    org = repository.get_org(session, cred.org_id)
    assert user is not None and org is not None
    if not hmac.compare_digest(cred.secret_hash, hash_secret(client_secret.strip())):
        _audit_sign_in(
            session,
            org.id,
            user.user_id,
            "credential",
            ok=False,
            reason="wrong secret",
            client_id=cred.client_id,
        )
        raise InvalidSignIn("client id or secret: unknown client or wrong secret")
    _audit_sign_in(session, org.id, user.user_id, "credential", ok=True, client_id=cred.client_id)
    return Principal(
        org=org, user=user, client_id=cred.client_id, roles=repository.roles_of(session, user.pk)
    )


def _audit_sign_in(
    session: Session,
    org_id: str,
    user_id: str,
    method: str,
    *,
    ok: bool,
    reason: str | None = None,
    client_id: str | None = None,
) -> None:
    details: dict[str, str] = {"method": method}
    if reason:
        details["reason"] = reason
    audit_service.record(
        session,
        org_id=org_id,
        actor=audit_service.Actor(user_id, client_id),
        action=AuditAction.CONSOLE_SIGN_IN,
        sandbox=None,
        object_type="User",
        object_id=user_id,
        result=AuditStatus.SUCCESS if ok else AuditStatus.FAILURE,
        details=details,
    )


def credential_exists(session: Session, client_id: str) -> bool:
    return repository.get_credential(session, client_id) is not None


# -- tokens -----------------------------------------------------------------------------------
def issue_token(
    session: Session, *, client_id: str, client_secret: str, ttl_seconds: int
) -> tuple[str, int]:
    """Exchange client credentials for a bearer token (client_credentials grant). Both a
    sign-in and a wrong secret for a known client are audited (the endpoint commits the
    failure's event too); an unknown client belongs to no org's log."""
    cred = repository.get_credential(session, client_id)
    if cred is None:
        raise errors.InvalidClient("invalid client_id or client_secret")
    user = repository.user_by_pk(session, cred.user_pk)
    ok = hmac.compare_digest(cred.secret_hash, hash_secret(client_secret))
    audit_service.record(
        session,
        org_id=cred.org_id,
        actor=Actor(user.user_id if user else "", cred.client_id),
        action=AuditAction.TOKEN_ISSUE,
        sandbox=None,
        object_type="Credential",
        object_id=cred.client_id,
        result=AuditStatus.SUCCESS if ok else AuditStatus.FAILURE,
        details={} if ok else {"reason": "wrong client secret"},
    )
    if not ok:
        raise errors.InvalidClient("invalid client_id or client_secret")
    return mint_token(session, cred, ttl_seconds), ttl_seconds


def mint_token(session: Session, cred: Credential, ttl_seconds: int) -> str:
    token = "eyJ" + secrets.token_urlsafe(48)
    now = now_ms()
    repository.purge_expired_tokens(session, now)
    session.add(
        AccessToken(
            token_hash=hash_secret(token),
            client_id=cred.client_id,
            expires_at=now + ttl_seconds * 1000,
            created_date=now,
        )
    )
    session.flush()
    return token


def _token_hash(authorization: str | None) -> str:
    if not authorization:
        raise errors.token_missing()
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.token_invalid()
    return hash_secret(token.strip())


def _caller(
    cred: Credential,
    user: User,
    org: Org,
    roles: list[Role],
    *,
    api_key: str | None,
    org_id: str | None,
) -> Principal:
    """The principal of a valid token, once the gateway headers match its credential."""
    if not api_key:
        raise errors.api_key_missing()
    if not hmac.compare_digest(api_key.strip(), cred.client_id):
        raise errors.api_key_invalid()
    if not org_id:
        raise errors.org_header_missing()
    if org_id.strip() != org.id:
        raise errors.org_not_entitled()
    return Principal(org=org, user=user, client_id=cred.client_id, roles=roles)


def cached_caller(
    cache: CallerCache, *, authorization: str | None, api_key: str | None, org_id: str | None
) -> Principal | None:
    """The caller of a token read by a recent request (no I/O), checked like ``authenticate``
    checks it; None when the cache does not hold the token (or it is stale)."""
    token_hash = _token_hash(authorization)
    found = cache.get(token_hash)
    if found is None:
        return None
    if found.expires_at < now_ms():
        raise errors.token_invalid()
    return _caller(
        found.credential, found.user, found.org, list(found.roles), api_key=api_key, org_id=org_id
    )


def authenticate(
    session: Session,
    *,
    authorization: str | None,
    api_key: str | None,
    org_id: str | None,
    cache: CallerCache | None = None,
) -> Principal:
    """Check the gateway headers; answer in the gateway error shape when they are wrong.
    With ``cache``, what was read is kept there for the next requests of the token."""
    token_hash = _token_hash(authorization)
    generation = cache.generation() if cache is not None else 0
    found = repository.token_principal(session, token_hash)
    if found is None or found[0].expires_at < now_ms():
        raise errors.token_invalid()
    token, cred, user, org, roles = found
    if cache is not None:
        cache.put(
            token_hash,
            expires_at=token.expires_at,
            credential=cred,
            user=user,
            org=org,
            roles=roles,
            generation=generation,
        )
    return _caller(cred, user, org, roles, api_key=api_key, org_id=org_id)
