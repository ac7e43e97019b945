"""Import endpoints: conflict check, preflight, submit import, rollback."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from sandbox_tooling.api.deps import CurrentPrincipal, SessionDep, StateDep, writes
from sandbox_tooling.errors import BadRequest
from sandbox_tooling.importer import service as import_service
from sandbox_tooling.importer.schemas import ImportRequest
from sandbox_tooling.job import service as job_service
from sandbox_tooling.package import service as package_service
from sandbox_tooling.version import service as version_service
from sandbox_tooling.version.schemas import UpdateRequest

router = APIRouter(prefix="/data/foundation/exim", tags=["import"])
TargetSandbox = Annotated[str | None, Query(alias="targetSandbox")]


def _target(value: str | None) -> str:
    if not value or not value.strip():
        raise BadRequest("query parameter 'targetSandbox': required")
    return value.strip()


@router.get("/packages/{package_id}/import")
def check_conflicts(
    package_id: str,
    session: SessionDep,
    state: StateDep,
    principal: CurrentPrincipal,
    target_sandbox: TargetSandbox = None,
) -> list[dict[str, Any]]:
    """Objects of the target similar to the package's artifacts, best suggestions first."""
    pkg = package_service.require(session, principal, package_id)
    return import_service.conflicts(
        session, state.registry, state.blobs, principal, pkg, _target(target_sandbox)
    )


@router.get("/packages/preflight/{package_id}")
def preflight(
    package_id: str,
    session: SessionDep,
    state: StateDep,
    principal: CurrentPrincipal,
    target_sandbox: TargetSandbox = None,
) -> dict[str, Any]:
    """Whether the caller may create every artifact of the package in the target sandbox."""
    principal.require("Package", "view")
    pkg = package_service.require(session, principal, package_id)
    return import_service.preflight(
        session, state.registry, state.blobs, principal, pkg, _target(target_sandbox)
    )


@router.post("/packages/import")
def submit_import(
    body: ImportRequest, session: SessionDep, state: StateDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Import a published package into a sandbox (an IMPORT/NEW job)."""
    pkg, job = import_service.submit_import(session, state.registry, state.blobs, principal, body)
    session.commit()
    state.runner.submit(job.id)
    return import_service.render_submitted(pkg, job)


@router.post("/packages/{package_id}/import")
@writes
def submit_import_by_path(
    package_id: str,
    session: SessionDep,
    state: StateDep,
    principal: CurrentPrincipal,
    target_sandbox: TargetSandbox = None,
    body: Annotated[dict[str, Any] | None, Body()] = None,
) -> dict[str, Any]:
    """Import a published package into ``targetSandbox`` (the form some clients send); with
    a body carrying ``overwriteMappings`` it is an update, as ``PATCH`` on this path."""
    if body is not None and "overwriteMappings" in body:
        update = UpdateRequest.model_validate(body)
        job = version_service.submit_update(
            session, state.registry, state.blobs, principal, package_id, update
        )
        session.commit()
        state.runner.submit(job.id)
        return job_service.render(job)
    request = ImportRequest.model_validate(
        {"id": package_id, "destinationSandbox": {"name": _target(target_sandbox)}}
    )
    pkg, job = import_service.submit_import(
        session, state.registry, state.blobs, principal, request
    )
    session.commit()
    state.runner.submit(job.id)
    return import_service.render_submitted(pkg, job)


@router.post("/packages/jobs/{job_id}/rollback")
def rollback(
    job_id: str, session: SessionDep, state: StateDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Undo an import: delete what it created (refused if those objects changed since)."""
    job = import_service.submit_rollback(session, principal, job_id)
    session.commit()
    state.runner.submit(job.id)
    return job_service.render(job)
