"""The ``/packages`` and ``/tools`` endpoints of the Sandbox Tooling API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from sandbox_tooling.api.deps import (
    CurrentPrincipal,
    SandboxName,
    SessionDep,
    StateDep,
    list_query,
    writes,
)
from sandbox_tooling.job import repository as job_repository
from sandbox_tooling.job import service as job_service
from sandbox_tooling.kit.listing import FieldSpec, page_envelope
from sandbox_tooling.package import repository
from sandbox_tooling.package import service as package_service
from sandbox_tooling.package.schemas import ChildRequest, PackageCreate, PackageUpdate

router = APIRouter(prefix="/data/foundation/exim", tags=["packages"])

PACKAGE_FIELDS = {
    "status": FieldSpec("status", "enum", frozenset(package_service.STATUSES)),
    "packageType": FieldSpec("package_type", "enum", frozenset({"PARTIAL", "FULL"})),
    "packageVisibility": FieldSpec("visibility", "enum", frozenset({"PRIVATE", "PUBLIC"})),
    "createdDate": FieldSpec("created_date", "date"),
    "modifiedDate": FieldSpec("modified_date", "date"),
    "publishDate": FieldSpec("publish_date", "date"),
    "expiry": FieldSpec("expiry", "date"),
    "name": FieldSpec("name"),
    "createdBy": FieldSpec("created_by"),
    "sourceSandbox": FieldSpec("source_sandbox_name"),
}
PACKAGE_SORTABLE = {
    "createdDate": "created_date",
    "modifiedDate": "modified_date",
    "name": "name",
    "publishDate": "publish_date",
    "expiry": "expiry",
    "status": "status",
}
JOB_FIELDS = {
    "requestType": FieldSpec("request_type", "enum", frozenset(job_service.REQUEST_TYPES)),
    "jobType": FieldSpec("job_type", "enum", frozenset(job_service.JOB_TYPES)),
    "jobStatus": FieldSpec("status", "enum", frozenset(job_service.JOB_STATUSES)),
    "packageType": FieldSpec("package_type", "enum", frozenset({"PARTIAL", "FULL"})),
    "createdDate": FieldSpec("created_date", "date"),
    "modifiedDate": FieldSpec("modified_date", "date"),
    "name": FieldSpec("name"),
    "packageId": FieldSpec("package_id"),
    "id": FieldSpec("id"),
}
JOB_SORTABLE = {"createdDate": "created_date", "modifiedDate": "modified_date", "name": "name"}


@router.post("/packages")
def create_package(
    body: PackageCreate,
    session: SessionDep,
    state: StateDep,
    principal: CurrentPrincipal,
    sandbox_name: SandboxName,
) -> dict[str, Any]:
    """Create a package (DRAFT)."""
    pkg = package_service.create(
        session, state.registry, state.settings, principal, body, sandbox_name
    )
    session.commit()
    return package_service.render(pkg)


@router.put("/packages")
@router.put("/packages/update", include_in_schema=False)
def update_package(
    body: PackageUpdate, session: SessionDep, state: StateDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Add or remove artifacts, or update metadata or visibility (``action``)."""
    pkg = package_service.update(session, state.registry, state.settings, principal, body)
    session.commit()
    return package_service.render(pkg)


@router.get("/packages")
def list_packages(
    request: Request, session: SessionDep, state: StateDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """List the org's packages (``property``, ``orderby``, ``start``, ``limit``)."""
    principal.require("Package", "view")
    query = list_query(
        request,
        state,
        fields=PACKAGE_FIELDS,
        sortable=PACKAGE_SORTABLE,
        default_order="-createdDate",
    )
    rows, total = repository.page(session, principal.org_id, query)
    return page_envelope(rows, total, query, package_service.render)


@router.get("/packages/jobs")
def list_jobs(
    request: Request, session: SessionDep, state: StateDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """List the org's export/import jobs."""
    principal.require("Package", "view")
    query = list_query(
        request, state, fields=JOB_FIELDS, sortable=JOB_SORTABLE, default_order="-createdDate"
    )
    rows, total = job_repository.page(session, principal.org_id, query)
    return page_envelope(rows, total, query, job_service.render_list_item)


@router.get("/packages/payload/{package_id}")
def package_payload(
    package_id: str, session: SessionDep, principal: CurrentPrincipal
) -> dict[str, str]:
    """The payload another org uses to pull this public package."""
    principal.require("Package", "view")
    return package_service.payload(package_service.require(session, principal, package_id))


@router.get("/packages/{package_id}")
def get_package(
    package_id: str,
    session: SessionDep,
    state: StateDep,
    principal: CurrentPrincipal,
    get_capabilities: Annotated[bool, Query(alias="getCapabilities")] = False,
) -> dict[str, Any]:
    """Look up a package, optionally with its capabilities."""
    principal.require("Package", "view")
    pkg = package_service.require(session, principal, package_id)
    caps = package_service.capabilities(state.registry, pkg) if get_capabilities else None
    return package_service.render(pkg, caps)


@router.delete("/packages/{package_id}")
def delete_package(
    package_id: str, session: SessionDep, principal: CurrentPrincipal
) -> dict[str, str]:
    """Delete a package."""
    reason = package_service.delete(session, principal, package_id)
    session.commit()
    return {"reason": reason}


@router.get("/packages/{package_id}/export")
@writes
def publish_package(
    package_id: str,
    session: SessionDep,
    state: StateDep,
    principal: CurrentPrincipal,
    expiry_period: Annotated[int, Query(alias="expiryPeriod")] = 90,
) -> dict[str, Any]:
    """Publish a package: an EXPORT job snapshots it (DRAFT -> PUBLISHED)."""
    pkg, job = package_service.publish(session, principal, package_id, expiry_period)
    session.commit()
    state.runner.submit(job.id)
    return package_service.render_export(pkg, job)


@router.post("/packages/{package_id}/children")
def package_children(
    package_id: str,
    body: Annotated[list[ChildRequest], Body()],
    session: SessionDep,
    state: StateDep,
    principal: CurrentPrincipal,
) -> list[dict[str, Any]]:
    """List the direct dependencies of artifacts of the package."""
    principal.require("Package", "view")
    pkg = package_service.require(session, principal, package_id)
    return package_service.children(
        session, state.registry, state.settings, state.blobs, principal, pkg, body
    )


@router.get("/tools/job/{job_id}")
def get_job(
    job_id: str, session: SessionDep, state: StateDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Job details, updated live while it runs."""
    principal.require("Package", "view")
    job = job_service.require(session, principal.org_id, job_id)
    return job_service.tools_envelope(job, state.runner.progress(job.id))
