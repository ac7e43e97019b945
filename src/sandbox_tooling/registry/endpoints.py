"""The object registry: typed configuration objects of a sandbox (``x-sandbox-name``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Request, Response

from sandbox_tooling.api.deps import (
    CurrentPrincipal,
    ListSpec,
    RuntimeDep,
    SandboxName,
    SessionDep,
    list_query,
)
from sandbox_tooling.api.responses import errors
from sandbox_tooling.api.routing import api_router
from sandbox_tooling.kit.listing import FieldSpec
from sandbox_tooling.kit.schema import Page
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.registry.schemas import ObjectRead

# Declared as an object; any JSON is taken so that the artifact type names what is wrong.
Definition = Annotated[
    Any,
    Body(
        description="The object's native JSON definition.",
        json_schema_extra={"type": "object"},
    ),
]
router = api_router("/data/foundation/registry/objects", "registry")

OBJECTS = ListSpec(
    fields={
        "title": FieldSpec("title"),
        "createdDate": FieldSpec("created_date", "date"),
        "modifiedDate": FieldSpec("modified_date", "date"),
    },
    sortable={"title": "title", "createdDate": "created_date", "modifiedDate": "modified_date"},
    default_order="createdDate",
)


@router.get(
    "/{type_name}",
    response_model=Page[ObjectRead],
    openapi_extra=OBJECTS.openapi(),
    responses=errors(404),
)
def list_objects(
    type_name: str,
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    sandbox_name: SandboxName,
) -> Page[ObjectRead]:
    """List the objects of one type in the sandbox (paged)."""
    a = registry_service.access(session, rt, principal, sandbox_name, type_name, "read")
    query = list_query(request, rt, OBJECTS)
    rows, total = registry_service.list_objects(session, a, query)
    return Page[ObjectRead].of(rows, total, query, ObjectRead.of)


@router.post("/{type_name}", status_code=201, response_model=ObjectRead, responses=errors(404, 409))
def create_object(
    type_name: str,
    definition: Definition,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    sandbox_name: SandboxName,
) -> ObjectRead:
    """Create an object from its native JSON definition; the id is assigned when absent."""
    a = registry_service.access(session, rt, principal, sandbox_name, type_name, "write")
    obj = registry_service.create(session, a, definition, principal.user_id)
    session.commit()
    return ObjectRead.of(obj)


@router.get("/{type_name}/{object_id:path}", response_model=ObjectRead, responses=errors(404))
def get_object(
    type_name: str,
    object_id: str,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    sandbox_name: SandboxName,
) -> ObjectRead:
    """Look up one object by its id (percent-encoded)."""
    a = registry_service.access(session, rt, principal, sandbox_name, type_name, "read")
    return ObjectRead.of(registry_service.require(session, a.sandbox, type_name, object_id))


@router.put("/{type_name}/{object_id:path}", response_model=ObjectRead, responses=errors(404, 409))
def replace_object(
    type_name: str,
    object_id: str,
    definition: Definition,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    sandbox_name: SandboxName,
) -> ObjectRead:
    """Replace an object's definition."""
    a = registry_service.access(session, rt, principal, sandbox_name, type_name, "write")
    obj = registry_service.replace(session, a, object_id, definition, principal.user_id)
    session.commit()
    return ObjectRead.of(obj)


@router.delete(
    "/{type_name}/{object_id:path}",
    status_code=204,
    response_class=Response,
    responses=errors(404, 409),
)
def delete_object(
    type_name: str,
    object_id: str,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    sandbox_name: SandboxName,
) -> Response:
    """Delete an object; refused while other objects refer to it."""
    a = registry_service.access(session, rt, principal, sandbox_name, type_name, "delete")
    registry_service.delete(session, a, object_id)
    session.commit()
    return Response(status_code=204)
