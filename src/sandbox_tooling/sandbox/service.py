"""Sandbox management rules (SPEC §10)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy.orm import Session

from sandbox_tooling.errors import BadRequest, Conflict, NotFound
from sandbox_tooling.kit.clock import ms_to_sandbox_date, now_ms
from sandbox_tooling.models import Org, Sandbox
from sandbox_tooling.sandbox import repository

NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,254})$")
TYPES = ("production", "development")
DEFAULT_NAME = "prod"
MAX_SANDBOXES = 75


def check_name(name: str) -> None:
    if not NAME.match(name) or name.endswith("-"):
        raise BadRequest(
            f"name: '{name}' is not a valid sandbox name (lowercase letters, digits and "
            "hyphens, at most 255 characters, not starting or ending with a hyphen)"
        )


def create_default(session: Session, org: Org, actor: str) -> Sandbox:
    return _insert(session, org, DEFAULT_NAME, "Production", "production", actor, is_default=True)


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
        state="active",
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


def create(session: Session, org: Org, *, name: str, title: str, type_: str, actor: str) -> Sandbox:
    check_name(name)
    if not title.strip() or len(title) > 256:
        raise BadRequest("title: must hold 1 to 256 characters")
    if type_ not in TYPES:
        raise BadRequest(f"type: must be one of {', '.join(TYPES)}, got '{type_}'")
    if repository.live(session, org.id, name):
        raise Conflict(f"a sandbox named '{name}' already exists")
    if repository.count_live(session, org.id) >= MAX_SANDBOXES:
        raise Conflict(f"the org already holds the maximum of {MAX_SANDBOXES} sandboxes")
    return _insert(session, org, name, title.strip(), type_, actor, is_default=False)


def require_live(session: Session, org_id: str, name: str) -> Sandbox:
    sandbox = repository.live(session, org_id, name)
    if sandbox is None:
        raise NotFound(f"sandbox '{name}' not found")
    return sandbox


def get_any(session: Session, org_id: str, name: str) -> Sandbox:
    sandbox = repository.latest_by_name(session, org_id, name)
    if sandbox is None:
        raise NotFound(f"sandbox '{name}' not found")
    return sandbox


def update_title(session: Session, org_id: str, name: str, title: str, actor: str) -> Sandbox:
    sandbox = require_live(session, org_id, name)
    if not title.strip() or len(title) > 256:
        raise BadRequest("title: must hold 1 to 256 characters")
    sandbox.title = title.strip()
    _touch(sandbox, actor)
    session.flush()
    return sandbox


def reset(
    session: Session, org_id: str, name: str, actor: str, *, validation_only: bool
) -> Sandbox:
    """Empty the sandbox of every object."""
    sandbox = require_live(session, org_id, name)
    if not validation_only:
        repository.empty(session, sandbox.id)
        _touch(sandbox, actor)
        session.flush()
    return sandbox


def delete(
    session: Session, org_id: str, name: str, actor: str, *, validation_only: bool
) -> Sandbox:
    sandbox = require_live(session, org_id, name)
    if sandbox.is_default:
        raise BadRequest(
            f"sandbox '{name}' is the default production sandbox and cannot be deleted"
        )
    if not validation_only:
        sandbox.state = repository.DELETED
        _touch(sandbox, actor)
        session.flush()
    return sandbox


def _touch(sandbox: Sandbox, actor: str) -> None:
    sandbox.etag += 1
    sandbox.modified_date = now_ms()
    sandbox.modified_by = actor


def render(sandbox: Sandbox, *, with_id: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": sandbox.name,
        "title": sandbox.title,
        "state": sandbox.state,
        "type": sandbox.type,
        "region": sandbox.region,
        "isDefault": sandbox.is_default,
        "eTag": sandbox.etag,
        "createdDate": ms_to_sandbox_date(sandbox.created_date),
        "lastModifiedDate": ms_to_sandbox_date(sandbox.modified_date),
        "createdBy": sandbox.created_by,
        "lastModifiedBy": sandbox.modified_by,
    }
    if with_id:
        out = {"id": sandbox.id, **out}
    return out
