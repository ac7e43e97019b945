"""Sandbox management rules (SPEC §10)."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from sandbox_tooling.audit import service as audit_service
from sandbox_tooling.kit.clock import now_ms
from sandbox_tooling.models import Org, Sandbox
from sandbox_tooling.models.enums import AuditAction, SandboxState, SandboxType
from sandbox_tooling.sandbox import repository
from sandbox_tooling.sandbox.errors import (
    DefaultSandbox,
    InvalidPaging,
    InvalidSandbox,
    SandboxExists,
    SandboxNotFound,
    TooManySandboxes,
)

if TYPE_CHECKING:
    from sandbox_tooling.identity.service import Principal

NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,254})$")
TYPES = tuple(SandboxType)
DEFAULT_NAME = "prod"
MAX_SANDBOXES = 75


def check_name(name: str) -> None:
    if not NAME.match(name) or name.endswith("-"):
        raise InvalidSandbox(
            f"name: '{name}' is not a valid sandbox name (lowercase letters, digits and "
            "hyphens, at most 255 characters, not starting or ending with a hyphen)"
        )


def create_default(session: Session, org: Org, actor: str) -> Sandbox:
    return _insert(
        session, org, DEFAULT_NAME, "Production", SandboxType.PRODUCTION, actor, is_default=True
    )


def _insert(
    session: Session, org: Org, name: str, title: str, type_: str, actor: str, *, is_default: bool
) -> Sandbox:
    now = now_ms()
    sandbox = Sandbox(
        id=str(uuid.uuid4()),
        org_id=org.id,
        name=name,
        title=title,
        type=type_,
        state=SandboxState.ACTIVE,
        region=org.region.upper(),
        is_default=is_default,
        etag=1,
        created_date=now,
        modified_date=now,
        created_by=actor,
        modified_by=actor,
    )
    session.add(sandbox)
    session.flush()
    return sandbox


def create(session: Session, principal: Principal, *, name: str, title: str, type_: str) -> Sandbox:
    principal.require("Sandbox", "manage")
    sandbox = create_in_org(
        session, principal.org, name=name, title=title, type_=type_, actor=principal.user_id
    )
    _audit(session, principal, AuditAction.SANDBOX_CREATE, sandbox, {"type": sandbox.type})
    return sandbox


def _audit(
    session: Session,
    principal: Principal,
    action: AuditAction,
    sandbox: Sandbox,
    details: dict[str, str] | None = None,
) -> None:
    audit_service.record(
        session,
        org_id=principal.org_id,
        actor=principal,
        action=action,
        sandbox=sandbox.name,
        object_type="Sandbox",
        object_id=sandbox.name,
        object_name=sandbox.title,
        details=details,
    )


def create_in_org(
    session: Session, org: Org, *, name: str, title: str, type_: str, actor: str
) -> Sandbox:
    check_name(name)
    if not title.strip() or len(title) > 256:
        raise InvalidSandbox("title: must hold 1 to 256 characters")
    if type_ not in TYPES:
        raise InvalidSandbox(f"type: must be one of {', '.join(TYPES)}, got '{type_}'")
    if repository.live(session, org.id, name):
        raise SandboxExists(name)
    if repository.count_live(session, org.id) >= MAX_SANDBOXES:
        raise TooManySandboxes(f"the org already holds the maximum of {MAX_SANDBOXES} sandboxes")
    return _insert(session, org, name, title.strip(), type_, actor, is_default=False)


def live(session: Session, org_id: str, name: str) -> Sandbox | None:
    """The org's live sandbox of that name, if any."""
    return repository.live(session, org_id, name)


def lock_live(session: Session, org_id: str, name: str) -> Sandbox | None:
    """The live sandbox, locked for the rest of the transaction (imports into one target run
    one at a time)."""
    return repository.lock_live(session, org_id, name)


def require_live(session: Session, org_id: str, name: str, *, lock: bool = False) -> Sandbox:
    """``lock``: for a read-modify-write, locked until the transaction ends."""
    sandbox = (
        repository.lock_live(session, org_id, name)
        if lock
        else repository.live(session, org_id, name)
    )
    if sandbox is None:
        raise SandboxNotFound(name)
    return sandbox


def get_any(session: Session, principal: Principal, name: str) -> Sandbox:
    """A sandbox by name, a deleted one included (the live one first)."""
    principal.require("Sandbox", "view", name)
    sandbox = repository.latest_by_name(session, principal.org_id, name)
    if sandbox is None:
        raise SandboxNotFound(name)
    return sandbox


def paging(limit: int | None, offset: int | None, max_limit: int) -> tuple[int, int]:
    """``limit`` and ``offset`` of the sandbox lists: together or not at all."""
    if (limit is None) != (offset is None):
        raise InvalidPaging("query parameters 'limit' and 'offset' must be given together")
    limit = 50 if limit is None else limit
    offset = 0 if offset is None else offset
    if limit < 1 or limit > max_limit:
        raise InvalidPaging(f"query parameter 'limit' must be between 1 and {max_limit}")
    if offset < 0:
        raise InvalidPaging("query parameter 'offset' must not be negative")
    return limit, offset


def list_usable(
    session: Session, principal: Principal, limit: int, offset: int
) -> tuple[list[Sandbox], int]:
    """The live sandboxes the caller's roles cover (one query, paged in the database)."""
    names: set[str] | None = set()
    for role in principal.roles:
        if role.is_admin or role.sandboxes is None:
            names = None
            break
        assert names is not None
        names.update(role.sandboxes)
    return repository.page(
        session,
        principal.org_id,
        include_deleted=False,
        names=None if names is None else sorted(names),
        limit=limit,
        offset=offset,
    )


def list_all(
    session: Session, principal: Principal, limit: int, offset: int
) -> tuple[list[Sandbox], int]:
    """Every sandbox of the org, deleted ones included."""
    principal.require("Sandbox", "view")
    return repository.page(
        session, principal.org_id, include_deleted=True, names=None, limit=limit, offset=offset
    )


def update_title(session: Session, principal: Principal, name: str, title: str) -> Sandbox:
    principal.require("Sandbox", "manage", name)
    actor = principal.user_id
    sandbox = require_live(session, principal.org_id, name, lock=True)
    if not title.strip() or len(title) > 256:
        raise InvalidSandbox("title: must hold 1 to 256 characters")
    sandbox.title = title.strip()
    _touch(sandbox, actor)
    session.flush()
    _audit(session, principal, AuditAction.SANDBOX_UPDATE, sandbox, {"title": sandbox.title})
    return sandbox


def reset(session: Session, principal: Principal, name: str, *, validation_only: bool) -> Sandbox:
    """Empty the sandbox of every object."""
    principal.require("Sandbox", "manage", name)
    actor = principal.user_id
    sandbox = require_live(session, principal.org_id, name, lock=True)
    if not validation_only:
        repository.empty(session, sandbox.id)
        _touch(sandbox, actor)
        session.flush()
        _audit(session, principal, AuditAction.SANDBOX_RESET, sandbox)
    return sandbox


def delete(session: Session, principal: Principal, name: str, *, validation_only: bool) -> Sandbox:
    """Soft delete: the sandbox stays readable with state ``deleted``."""
    principal.require("Sandbox", "manage", name)
    actor = principal.user_id
    sandbox = require_live(session, principal.org_id, name, lock=True)
    if sandbox.is_default:
        raise DefaultSandbox(name)
    if not validation_only:
        sandbox.state = SandboxState.DELETED
        _touch(sandbox, actor)
        session.flush()
        _audit(session, principal, AuditAction.SANDBOX_DELETE, sandbox)
    return sandbox


def _touch(sandbox: Sandbox, actor: str) -> None:
    sandbox.etag += 1
    sandbox.modified_date = now_ms()
    sandbox.modified_by = actor
