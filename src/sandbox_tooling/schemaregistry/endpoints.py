"""The Schema Registry's export/import RPC: ``GET /data/foundation/schemaregistry/rpc/export/
{RESOURCE_ID}`` and ``POST /data/foundation/schemaregistry/rpc/import`` (sandbox from
``x-sandbox-name``). Like the platform's RPC endpoints, they need no particular ``Accept``
header: ``application/vnd.adobe.xed-id+json``, ``application/vnd.adobe.xed-full+json;
version=1`` and ``application/vnd.adobe.xdm-link+json`` all get the same payload."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body

from sandbox_tooling.api.deps import CurrentPrincipal, RuntimeDep, SandboxName, SessionDep
from sandbox_tooling.api.responses import errors
from sandbox_tooling.api.routing import api_router
from sandbox_tooling.schemaregistry import service as schemaregistry_service
from sandbox_tooling.schemaregistry.schemas import XdmResource

router = api_router("/data/foundation/schemaregistry/rpc", "schemaregistry")


@router.get("/export/{resource_id:path}", response_model=list[XdmResource], responses=errors(404))
def export_resource(
    resource_id: str,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    sandbox_name: SandboxName,
) -> list[XdmResource]:
    """Export a class, field group, data type or schema (its meta:altId or percent-encoded
    $id) with every custom resource it needs, dependencies first, the tenant written as
    <XDM_TENANTID_PLACEHOLDER>."""
    found = schemaregistry_service.export(session, rt, principal, sandbox_name, resource_id)
    return [XdmResource.exported(r) for r in found]


@router.post("/import", response_model=list[XdmResource], responses=errors(404, 409))
def import_resources(
    payload: Annotated[list[dict[str, Any]], Body()],
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    sandbox_name: SandboxName,
) -> list[XdmResource]:
    """Import an export payload into the sandbox, the placeholder replaced by the caller's
    tenant, all or nothing; resources that exist with the same definition are kept."""
    result = schemaregistry_service.import_payload(session, rt, principal, sandbox_name, payload)
    session.commit()
    org = principal.org
    return [XdmResource.imported(r, result, org.id, org.tenant_id) for r in result.resources]
