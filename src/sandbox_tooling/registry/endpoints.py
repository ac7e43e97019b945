"""The object registry: typed configuration objects of a sandbox (``x-sandbox-name``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from sqlalchemy.orm import Session

from sandbox_tooling.api.deps import CurrentPrincipal, SandboxName, SessionDep, StateDep, list_query
from sandbox_tooling.artifact_type.spec import ArtifactType, TypeContext
from sandbox_tooling.errors import NotFound
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.kit.listing import FieldSpec, page_envelope
from sandbox_tooling.models import Sandbox
from sandbox_tooling.registry import repository
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.sandbox import repository as sandbox_repository

router = APIRouter(prefix="/data/foundation/registry/objects", tags=["registry"])

LIST_FIELDS = {
    "title": FieldSpec("title"),
    "createdDate": FieldSpec("created_date", "date"),
    "modifiedDate": FieldSpec("modified_date", "date"),
}
SORTABLE = {"title": "title", "createdDate": "created_date", "modifiedDate": "modified_date"}


def _context(
    session: Session,
    state: Any,
    principal: Principal,
    sandbox_name: str,
    type_name: str,
    action: str,
) -> tuple[ArtifactType, Sandbox, TypeContext]:
    atype = state.registry.get(type_name)
    sandbox = sandbox_repository.live(session, principal.org_id, sandbox_name)
    if sandbox is None:
        raise NotFound(f"header 'x-sandbox-name': sandbox '{sandbox_name}' not found")
    principal.require(atype.resource, action, sandbox.name)
    return atype, sandbox, TypeContext(org_id=principal.org_id, tenant=principal.org.tenant_id)


@router.get("/{type_name}")
def list_objects(
    type_name: str,
    request: Request,
    session: SessionDep,
    state: StateDep,
    principal: CurrentPrincipal,
    sandbox_name: SandboxName,
) -> dict[str, Any]:
    """List the objects of one type in the sandbox (paged)."""
    _t, sandbox, _ctx = _context(session, state, principal, sandbox_name, type_name, "read")
    query = list_query(
        request, state, fields=LIST_FIELDS, sortable=SORTABLE, default_order="createdDate"
    )
    rows, total = repository.page(session, sandbox.id, type_name, query)
    return page_envelope(rows, total, query, registry_service.render)


@router.post("/{type_name}", status_code=201)
def create_object(
    type_name: str,
    definition: Annotated[Any, Body()],
    session: SessionDep,
    state: StateDep,
    principal: CurrentPrincipal,
    sandbox_name: SandboxName,
) -> dict[str, Any]:
    """Create an object from its native JSON definition; the id is assigned when absent."""
    _t, sandbox, ctx = _context(session, state, principal, sandbox_name, type_name, "write")
    obj = registry_service.create(
        session, state.registry, sandbox, ctx, type_name, definition, principal.user_id
    )
    session.commit()
    return registry_service.render(obj)


@router.get("/{type_name}/{object_id:path}")
def get_object(
    type_name: str,
    object_id: str,
    session: SessionDep,
    state: StateDep,
    principal: CurrentPrincipal,
    sandbox_name: SandboxName,
) -> dict[str, Any]:
    """Look up one object by its id (percent-encoded)."""
    _t, sandbox, _ctx = _context(session, state, principal, sandbox_name, type_name, "read")
    return registry_service.render(registry_service.require(session, sandbox, type_name, object_id))


@router.put("/{type_name}/{object_id:path}")
def replace_object(
    type_name: str,
    object_id: str,
    definition: Annotated[Any, Body()],
    session: SessionDep,
    state: StateDep,
    principal: CurrentPrincipal,
    sandbox_name: SandboxName,
) -> dict[str, Any]:
    """Replace an object's definition."""
    _t, sandbox, ctx = _context(session, state, principal, sandbox_name, type_name, "write")
    obj = registry_service.replace(
        session, state.registry, sandbox, ctx, type_name, object_id, definition, principal.user_id
    )
    session.commit()
    return registry_service.render(obj)


@router.delete("/{type_name}/{object_id:path}", status_code=204)
def delete_object(
    type_name: str,
    object_id: str,
    session: SessionDep,
    state: StateDep,
    principal: CurrentPrincipal,
    sandbox_name: SandboxName,
) -> Response:
    """Delete an object; refused while other objects refer to it."""
    _t, sandbox, _ctx = _context(session, state, principal, sandbox_name, type_name, "delete")
    registry_service.delete(session, state.registry, sandbox, type_name, object_id)
    session.commit()
    return Response(status_code=204)
