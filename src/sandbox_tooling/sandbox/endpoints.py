"""Sandbox management API (``/data/foundation/sandbox-management``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from sandbox_tooling.api.deps import CurrentPrincipal, RuntimeDep, SessionDep
from sandbox_tooling.api.responses import errors
from sandbox_tooling.api.routing import api_router
from sandbox_tooling.sandbox import service as sandbox_service
from sandbox_tooling.sandbox.schemas import (
    SandboxAction,
    SandboxCreate,
    SandboxList,
    SandboxPatch,
    SandboxRead,
    SandboxTypes,
)

router = api_router("/data/foundation/sandbox-management", "sandboxes")
Limit = Annotated[int | None, Query()]


@router.get("", response_model=SandboxList)
def list_available(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    rt: RuntimeDep,
    limit: Limit = None,
    offset: Limit = None,
) -> SandboxList:
    """List the live sandboxes the caller can use."""
    limit, offset = sandbox_service.paging(limit, offset, rt.settings.max_page_size)
    rows, total = sandbox_service.list_usable(session, principal, limit, offset)
    return SandboxList.of(request.url.path, rows, total, limit, offset, with_id=False)


@router.get("/sandboxes", response_model=SandboxList)
def list_sandboxes(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    rt: RuntimeDep,
    limit: Limit = None,
    offset: Limit = None,
) -> SandboxList:
    """List every sandbox of the org, deleted ones included."""
    limit, offset = sandbox_service.paging(limit, offset, rt.settings.max_page_size)
    rows, total = sandbox_service.list_all(session, principal, limit, offset)
    return SandboxList.of(request.url.path, rows, total, limit, offset, with_id=True)


@router.get("/sandboxTypes", response_model=SandboxTypes)
def sandbox_types(principal: CurrentPrincipal) -> SandboxTypes:
    """List the sandbox types."""
    return SandboxTypes(sandbox_types=list(sandbox_service.TYPES))


@router.get("/sandboxes/{name}", response_model=SandboxRead, responses=errors(404))
def get_sandbox(name: str, session: SessionDep, principal: CurrentPrincipal) -> SandboxRead:
    """Look up a sandbox by name (a deleted one is still readable)."""
    return SandboxRead.of(sandbox_service.get_any(session, principal, name))


@router.post("/sandboxes", status_code=201, response_model=SandboxRead, responses=errors(409))
def create_sandbox(
    body: SandboxCreate, session: SessionDep, principal: CurrentPrincipal
) -> SandboxRead:
    """Create a sandbox. It is usable at once (state ``active``)."""
    sandbox = sandbox_service.create(
        session, principal, name=body.name, title=body.title, type_=body.type
    )
    session.commit()
    return SandboxRead.of(sandbox)


@router.patch("/sandboxes/{name}", response_model=SandboxRead, responses=errors(404))
def patch_sandbox(
    name: str, body: SandboxPatch, session: SessionDep, principal: CurrentPrincipal
) -> SandboxRead:
    """Change a sandbox's title (the only field that can change)."""
    sandbox = sandbox_service.update_title(session, principal, name, body.title)
    session.commit()
    return SandboxRead.of(sandbox)


@router.put("/sandboxes/{name}", response_model=SandboxRead, responses=errors(404))
def reset_sandbox(
    name: str,
    body: SandboxAction,
    session: SessionDep,
    principal: CurrentPrincipal,
    validation_only: Annotated[bool, Query(alias="validationOnly")] = False,
    ignore_warnings: Annotated[bool, Query(alias="ignoreWarnings")] = False,
) -> SandboxRead:
    """Reset a sandbox: delete every object it holds."""
    sandbox = sandbox_service.reset(session, principal, name, validation_only=validation_only)
    session.commit()
    return SandboxRead.of(sandbox)


@router.delete("/sandboxes/{name}", response_model=SandboxRead, responses=errors(404))
def delete_sandbox(
    name: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    validation_only: Annotated[bool, Query(alias="validationOnly")] = False,
    ignore_warnings: Annotated[bool, Query(alias="ignoreWarnings")] = False,
) -> SandboxRead:
    """Delete a sandbox (soft: it stays readable with state ``deleted``)."""
    sandbox = sandbox_service.delete(session, principal, name, validation_only=validation_only)
    session.commit()
    return SandboxRead.of(sandbox)
