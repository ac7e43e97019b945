"""Sandbox management API (``/data/foundation/sandbox-management``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from sandbox_tooling.api.deps import CurrentPrincipal, SessionDep, StateDep
from sandbox_tooling.errors import BadRequest
from sandbox_tooling.models import Sandbox
from sandbox_tooling.sandbox import repository
from sandbox_tooling.sandbox import service as sandbox_service

router = APIRouter(prefix="/data/foundation/sandbox-management", tags=["sandboxes"])


class SandboxCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=256)
    title: str = Field(min_length=1, max_length=256)
    type: Literal["development", "production"]


class SandboxPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=256)


class SandboxAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["reset"]


def _paging(limit: int | None, offset: int | None, max_limit: int) -> tuple[int, int]:
    if (limit is None) != (offset is None):
        raise BadRequest("query parameters 'limit' and 'offset' must be given together")
    limit = 50 if limit is None else limit
    offset = 0 if offset is None else offset
    if limit < 1 or limit > max_limit:
        raise BadRequest(f"query parameter 'limit' must be between 1 and {max_limit}")
    if offset < 0:
        raise BadRequest("query parameter 'offset' must not be negative")
    return limit, offset


def _listing(
    request: Request, rows: list[Sandbox], total: int, limit: int, offset: int, with_id: bool
) -> dict[str, Any]:
    base = str(request.url.path)
    links: dict[str, Any] = {
        "page": {"href": f"{base}?limit={{limit}}&offset={{offset}}", "templated": True}
    }
    if offset + len(rows) < total:
        links["next"] = {"href": f"{base}?limit={limit}&offset={offset + limit}"}
    if offset > 0:
        links["prev"] = {"href": f"{base}?limit={limit}&offset={max(0, offset - limit)}"}
    return {
        "sandboxes": [sandbox_service.render(s, with_id=with_id) for s in rows],
        "_page": {"limit": limit, "count": total},
        "_links": links,
    }


@router.get("")
def list_available(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    state: StateDep,
    limit: Annotated[int | None, Query()] = None,
    offset: Annotated[int | None, Query()] = None,
) -> dict[str, Any]:
    """List the live sandboxes the caller can use."""
    limit, offset = _paging(limit, offset, state.settings.max_page_size)
    rows, _total = repository.page(
        session, principal.org_id, include_deleted=False, limit=10_000, offset=0
    )
    usable = [
        s
        for s in rows
        if any(r.is_admin or r.sandboxes is None or s.name in r.sandboxes for r in principal.roles)
    ]
    return _listing(request, usable[offset : offset + limit], len(usable), limit, offset, False)


@router.get("/sandboxes")
def list_sandboxes(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    state: StateDep,
    limit: Annotated[int | None, Query()] = None,
    offset: Annotated[int | None, Query()] = None,
) -> dict[str, Any]:
    """List every sandbox of the org, deleted ones included."""
    principal.require("Sandbox", "view")
    limit, offset = _paging(limit, offset, state.settings.max_page_size)
    rows, total = repository.page(
        session, principal.org_id, include_deleted=True, limit=limit, offset=offset
    )
    return _listing(request, rows, total, limit, offset, True)


@router.get("/sandboxTypes")
def sandbox_types(principal: CurrentPrincipal) -> dict[str, Any]:
    """List the sandbox types."""
    return {"sandboxTypes": list(sandbox_service.TYPES)}


@router.get("/sandboxes/{name}")
def get_sandbox(name: str, session: SessionDep, principal: CurrentPrincipal) -> dict[str, Any]:
    """Look up a sandbox by name (a deleted one is still readable)."""
    principal.require("Sandbox", "view", name)
    return sandbox_service.render(
        sandbox_service.get_any(session, principal.org_id, name), with_id=True
    )


@router.post("/sandboxes", status_code=201)
def create_sandbox(
    body: SandboxCreate, session: SessionDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Create a sandbox. It is usable at once (state ``active``)."""
    principal.require("Sandbox", "manage")
    sandbox = sandbox_service.create(
        session,
        principal.org,
        name=body.name,
        title=body.title,
        type_=body.type,
        actor=principal.user_id,
    )
    session.commit()
    return sandbox_service.render(sandbox, with_id=True)


@router.patch("/sandboxes/{name}")
def patch_sandbox(
    name: str, body: SandboxPatch, session: SessionDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Change a sandbox's title (the only field that can change)."""
    principal.require("Sandbox", "manage", name)
    sandbox = sandbox_service.update_title(
        session, principal.org_id, name, body.title, principal.user_id
    )
    session.commit()
    return sandbox_service.render(sandbox, with_id=True)


@router.put("/sandboxes/{name}")
def reset_sandbox(
    name: str,
    body: SandboxAction,
    session: SessionDep,
    principal: CurrentPrincipal,
    validation_only: Annotated[bool, Query(alias="validationOnly")] = False,
    ignore_warnings: Annotated[bool, Query(alias="ignoreWarnings")] = False,
) -> dict[str, Any]:
    """Reset a sandbox: delete every object it holds."""
    principal.require("Sandbox", "manage", name)
    sandbox = sandbox_service.reset(
        session, principal.org_id, name, principal.user_id, validation_only=validation_only
    )
    session.commit()
    return sandbox_service.render(sandbox, with_id=True)


@router.delete("/sandboxes/{name}")
def delete_sandbox(
    name: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    validation_only: Annotated[bool, Query(alias="validationOnly")] = False,
    ignore_warnings: Annotated[bool, Query(alias="ignoreWarnings")] = False,
) -> dict[str, Any]:
    """Delete a sandbox (soft: it stays readable with state ``deleted``)."""
    principal.require("Sandbox", "manage", name)
    sandbox = sandbox_service.delete(
        session, principal.org_id, name, principal.user_id, validation_only=validation_only
    )
    session.commit()
    return sandbox_service.render(sandbox, with_id=True)
