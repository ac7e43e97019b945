"""The ``/packages`` and ``/tools`` endpoints of the Sandbox Tooling API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, get_args

from fastapi import Body, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse

from sandbox_tooling.api.deps import (
    CurrentPrincipal,
    ListSpec,
    RuntimeDep,
    SandboxName,
    SessionDep,
    list_query,
    writes,
)
from sandbox_tooling.api.responses import AUTHENTICATED, errors
from sandbox_tooling.api.routing import api_router
from sandbox_tooling.job import service as job_service
from sandbox_tooling.job.schemas import JobListItem, ToolsEnvelope
from sandbox_tooling.kit.listing import FieldSpec
from sandbox_tooling.kit.schema import Page
from sandbox_tooling.models.enums import (
    INTERNAL_JOB_TYPES,
    INTERNAL_REQUEST_TYPES,
    JobStatus,
    JobType,
    PackageStatus,
    PackageType,
    RequestType,
    Visibility,
)
from sandbox_tooling.package import archive, snapshot
from sandbox_tooling.package import service as package_service
from sandbox_tooling.package.schemas import (
    ChildRead,
    ChildrenRead,
    ChildRequest,
    JobSubmitted,
    PackageCreate,
    PackageDeleted,
    PackagePayload,
    PackageRead,
    PackageUpdate,
)

router = api_router("/data/foundation/exim", "packages")

PACKAGES = ListSpec(
    fields={
        "status": FieldSpec("status", "enum", frozenset(PackageStatus)),
        "packageType": FieldSpec("package_type", "enum", frozenset(PackageType)),
        "packageVisibility": FieldSpec("visibility", "enum", frozenset(Visibility)),
        "createdDate": FieldSpec("created_date", "date"),
        "modifiedDate": FieldSpec("modified_date", "date"),
        "publishDate": FieldSpec("publish_date", "date"),
        "expiry": FieldSpec("expiry", "date"),
        "name": FieldSpec("name"),
        "createdBy": FieldSpec("created_by"),
        "sourceSandbox": FieldSpec("source_sandbox_name"),
    },
    sortable={
        "createdDate": "created_date",
        "modifiedDate": "modified_date",
        "name": "name",
        "publishDate": "publish_date",
        "expiry": "expiry",
        "status": "status",
    },
    default_order="-createdDate",
)
JOBS = ListSpec(
    fields={
        "requestType": FieldSpec(
            "request_type", "enum", frozenset(RequestType) - INTERNAL_REQUEST_TYPES
        ),
        "jobType": FieldSpec("job_type", "enum", frozenset(JobType) - INTERNAL_JOB_TYPES),
        "jobStatus": FieldSpec("status", "enum", frozenset(JobStatus)),
        "packageType": FieldSpec("package_type", "enum", frozenset(PackageType)),
        "createdDate": FieldSpec("created_date", "date"),
        "modifiedDate": FieldSpec("modified_date", "date"),
        "name": FieldSpec("name"),
        "packageId": FieldSpec("package_id"),
        "id": FieldSpec("id"),
    },
    sortable={"createdDate": "created_date", "modifiedDate": "modified_date", "name": "name"},
    default_order="-createdDate",
)


@router.post("/packages", response_model=PackageRead, responses=errors(409))
def create_package(
    body: PackageCreate,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    sandbox_name: SandboxName,
) -> PackageRead:
    """Create a package (DRAFT)."""
    pkg = package_service.create(session, rt, principal, body, sandbox_name)
    session.commit()
    return PackageRead.of(pkg)


@router.put("/packages", response_model=PackageRead, responses=errors(404, 409))
@router.put(
    "/packages/update",
    response_model=PackageRead,
    responses=errors(404, 409),
    deprecated=True,
    operation_id="update_package_alias",
)
def update_package(
    body: PackageUpdate, session: SessionDep, rt: RuntimeDep, principal: CurrentPrincipal
) -> PackageRead:
    """Add or remove artifacts, or update metadata or visibility (``action``)."""
    pkg = package_service.update(session, rt, principal, body)
    session.commit()
    return PackageRead.of(pkg)


@router.get("/packages", response_model=Page[PackageRead], openapi_extra=PACKAGES.openapi())
def list_packages(
    request: Request, session: SessionDep, rt: RuntimeDep, principal: CurrentPrincipal
) -> Page[PackageRead]:
    """List the org's packages (``property``, ``orderby``, ``start``, ``limit``)."""
    query = list_query(request, rt, PACKAGES)
    rows, total = package_service.list_packages(session, principal, query)
    return Page[PackageRead].of(rows, total, query, PackageRead.of)


@router.get("/packages/jobs", response_model=Page[JobListItem], openapi_extra=JOBS.openapi())
def list_jobs(
    request: Request, session: SessionDep, rt: RuntimeDep, principal: CurrentPrincipal
) -> Page[JobListItem]:
    """List the org's export/import jobs."""
    query = list_query(request, rt, JOBS)
    rows, total = job_service.list_jobs(session, principal, query)
    return Page[JobListItem].of(rows, total, query, JobListItem.of)


@router.get(
    "/packages/payload/{package_id}",
    response_model=PackagePayload,
    responses=errors(404, 409),
)
def package_payload(
    package_id: str, session: SessionDep, principal: CurrentPrincipal
) -> PackagePayload:
    """The payload another org uses to pull this public package."""
    pkg = package_service.public_package(session, principal, package_id)
    return PackagePayload(ims_org_id=pkg.org_id, package_id=pkg.id)


@router.get("/packages/{package_id}", response_model=PackageRead, responses=errors(404))
def get_package(
    package_id: str,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    get_capabilities: Annotated[bool, Query(alias="getCapabilities")] = False,
) -> PackageRead:
    """Look up a package, optionally with its capabilities."""
    pkg, caps = package_service.get(
        session, rt, principal, package_id, capabilities=get_capabilities
    )
    return PackageRead.of(pkg, caps)


@router.delete("/packages/{package_id}", response_model=PackageDeleted, responses=errors(404, 409))
def delete_package(
    package_id: str, session: SessionDep, principal: CurrentPrincipal
) -> PackageDeleted:
    """Delete a package."""
    package_service.delete(session, principal, package_id)
    session.commit()
    return PackageDeleted(reason=f"Package {package_id} deleted")


@router.get(
    "/packages/{package_id}/export",
    response_model=JobSubmitted,
    responses=errors(404, 409),
)
@writes
def publish_package(
    package_id: str,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    expiry_period: Annotated[
        int,
        Query(alias="expiryPeriod", description="Days until the package expires.", ge=0, le=36500),
    ] = 90,
) -> JobSubmitted:
    """Publish a package: an EXPORT job snapshots it (DRAFT -> PUBLISHED)."""
    pkg, job = package_service.publish(session, principal, package_id, expiry_period)
    session.commit()
    rt.jobs.submit(job.id)
    return JobSubmitted.export(pkg, job)


@router.post(
    "/packages/{package_id}/children",
    response_model=list[ChildrenRead],
    responses=errors(404, 409),
)
def package_children(
    package_id: str,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    body: Annotated[list[ChildRequest] | None, Body()] = None,
) -> list[ChildrenRead]:
    """List the direct dependencies of artifacts of the package (of its root artifacts when
    the body is absent or empty)."""
    found = package_service.children(session, rt, principal, package_id, body or [])
    return [
        ChildrenRead(
            id=f.artifact.id,
            title=f.artifact.title,
            type=f.artifact.type,
            children=[ChildRead(id=c.id, title=c.title, type=c.type) for c in f.children],
        )
        for f in found
    ]


@router.get("/tools/job/{job_id}", response_model=ToolsEnvelope, responses=errors(404))
def get_job(
    job_id: str, session: SessionDep, rt: RuntimeDep, principal: CurrentPrincipal
) -> Response:
    """Job details, updated live while it runs."""
    job = job_service.get_job(session, principal, job_id)
    # Serialized straight from the job (the model is the contract; a big import's job holds
    # tens of thousands of tasks and is polled).
    body = ToolsEnvelope.json_of(job, rt.jobs.progress(job.id))
    return Response(body, media_type="application/json")


class PackageFileResponse(StreamingResponse):
    media_type = archive.MEDIA_TYPE


_FILE_CONTENT = {archive.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}
_UPLOAD_CONTENT = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


def _json_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error responses of a route whose answer is a file: FastAPI would describe them
    in the route's media type, so they are spelled out as JSON here."""
    out: dict[int | str, dict[str, Any]] = {}
    for status, spec in {**AUTHENTICATED, **errors(*statuses)}.items():
        models = get_args(spec["model"]) or (spec["model"],)
        refs = [{"$ref": f"#/components/schemas/{m.__name__}"} for m in models]
        schema = refs[0] if len(refs) == 1 else {"anyOf": refs}
        out[status] = {
            "description": spec["description"],
            "content": {"application/json": {"schema": schema}},
        }
        if "headers" in spec:
            out[status]["headers"] = spec["headers"]
    return out


@router.get(
    "/packages/{package_id}/file",
    response_class=PackageFileResponse,
    responses={
        200: {"content": _FILE_CONTENT, "description": "The package file (a zip archive)"},
        **_json_errors(404, 409),
    },
)
def download_file(
    package_id: str,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    version: Annotated[
        int | None,
        Query(description="The package version (default: the latest).", ge=0, le=2**31 - 1),
    ] = None,
) -> PackageFileResponse:
    """A published version of the package as one portable file (zip: ``sbx-package.json``,
    ``manifest.json``, ``artifacts.jsonl``; secrets stay placeholders), streamed."""
    export = package_service.export_file(session, rt, principal, package_id, version)
    artifacts = snapshot.open_artifacts(rt.blobs, export.version)

    def body() -> Iterator[bytes]:
        with artifacts:
            yield from archive.stream(export.header, export.manifest, artifacts)

    return PackageFileResponse(
        body(),
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


async def raw_body(request: Request) -> bytes:
    """The request body as sent (bounded by ``SBX_MAX_BODY_BYTES`` before it gets here)."""
    return await request.body()


@router.post(
    "/packages/file",
    response_model=PackageRead,
    responses=errors(409),
    # ``application/zip`` is accepted too (the SDK and the CLI send it).
    openapi_extra={"requestBody": {"required": True, "content": _UPLOAD_CONTENT}},
)
def upload_file(
    data: Annotated[bytes, Depends(raw_body)],
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
) -> PackageRead:
    """Upload a package file (``Content-Type: application/zip`` or
    ``application/octet-stream``) into the caller's org: a
    PUBLISHED package, once the file's hashes and contents are verified (400 naming the
    check that failed)."""
    pkg = package_service.import_file(session, rt, principal, data)
    session.commit()
    return PackageRead.of(pkg)
