"""Import endpoints: conflict check, preflight, submit import, rollback."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Query

from sandbox_tooling.api.deps import CurrentPrincipal, RuntimeDep, SessionDep, writes
from sandbox_tooling.api.responses import errors
from sandbox_tooling.api.routing import api_router
from sandbox_tooling.importer import planning
from sandbox_tooling.importer import service as import_service
from sandbox_tooling.importer.errors import InvalidMapping, MissingTargetSandbox
from sandbox_tooling.importer.schemas import (
    ConflictRead,
    ImportPlanRead,
    ImportPlanRequest,
    ImportRequest,
    PreflightRead,
)
from sandbox_tooling.job.schemas import JobRead
from sandbox_tooling.package.schemas import JobSubmitted
from sandbox_tooling.version import service as version_service
from sandbox_tooling.version.schemas import UpdateRequest

router = api_router("/data/foundation/exim", "import")
TargetSandbox = Annotated[str | None, Query(alias="targetSandbox")]


def _target(value: str | None) -> str:
    if not value or not value.strip():
        raise MissingTargetSandbox()
    return value.strip()


@router.get(
    "/packages/{package_id}/import",
    response_model=list[ConflictRead],
    responses=errors(404, 409),
)
def check_conflicts(
    package_id: str,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    target_sandbox: TargetSandbox = None,
) -> list[ConflictRead]:
    """Objects of the target similar to the package's artifacts, best suggestions first."""
    found = import_service.conflicts(session, rt, principal, package_id, _target(target_sandbox))
    return [ConflictRead.of(c) for c in found]


@router.get(
    "/packages/preflight/{package_id}",
    response_model=PreflightRead,
    responses=errors(404, 409),
)
def preflight(
    package_id: str,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    target_sandbox: TargetSandbox = None,
) -> PreflightRead:
    """Whether the caller may create every artifact of the package in the target sandbox."""
    result = import_service.preflight(session, rt, principal, package_id, _target(target_sandbox))
    return PreflightRead.of(result)


@router.post(
    "/packages/{package_id}/import/plan",
    response_model=ImportPlanRead,
    responses=errors(404, 409),
)
def plan_import(
    package_id: str,
    body: ImportPlanRequest,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
) -> ImportPlanRead:
    """What an import (or, with ``update``, an update) of the package would do, without
    writing to the target: every artifact's action, the preflight and the target state it
    read. The plan is kept a day; an import given its ``planId`` does exactly it, or refuses
    if the target changed."""
    if body.update and body.alternatives:
        raise InvalidMapping("alternatives: an update takes overwriteMappings")
    if not body.update and body.overwrite_mappings:
        raise InvalidMapping("overwriteMappings: only with update: true")
    plan = planning.plan_import(
        session,
        rt,
        principal,
        package_id,
        body.destination_sandbox.name,
        body.overwrite_mappings if body.update else body.alternatives,
        update=body.update,
        package_version=body.package_version,
    )
    session.commit()
    return ImportPlanRead.of(plan)


@router.post("/packages/import", response_model=JobSubmitted, responses=errors(404, 409))
def submit_import(
    body: ImportRequest, session: SessionDep, rt: RuntimeDep, principal: CurrentPrincipal
) -> JobSubmitted:
    """Import a published package into a sandbox (an IMPORT/NEW job)."""
    pkg, job = import_service.submit_import(session, rt, principal, body)
    session.commit()
    rt.jobs.submit(job.id)
    return JobSubmitted.imported(pkg, job)


@router.post(
    "/packages/{package_id}/import",
    response_model=JobSubmitted | JobRead,
    responses=errors(404, 409),
)
@writes
def submit_import_by_path(
    package_id: str,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    target_sandbox: TargetSandbox = None,
    body: Annotated[dict[str, Any] | None, Body()] = None,
) -> JobSubmitted | JobRead:
    """Import a published package into ``targetSandbox`` (the form some clients send); with
    a body carrying ``overwriteMappings`` it is an update, as ``PATCH`` on this path (and
    answers the update job)."""
    if body is not None and "overwriteMappings" in body:
        update = UpdateRequest.model_validate(body)
        job = version_service.submit_update(session, rt, principal, package_id, update)
        session.commit()
        rt.jobs.submit(job.id)
        return JobRead.of(job)
    request = ImportRequest.model_validate(
        {"id": package_id, "destinationSandbox": {"name": _target(target_sandbox)}}
    )
    pkg, job = import_service.submit_import(session, rt, principal, request)
    session.commit()
    rt.jobs.submit(job.id)
    return JobSubmitted.imported(pkg, job)


@router.post(
    "/packages/jobs/{job_id}/rollback",
    response_model=JobRead,
    responses=errors(404, 409),
)
def rollback(
    job_id: str, session: SessionDep, rt: RuntimeDep, principal: CurrentPrincipal
) -> JobRead:
    """Undo an import: delete what it created (refused if those objects changed since)."""
    job = import_service.submit_rollback(session, rt, principal, job_id)
    session.commit()
    rt.jobs.submit(job.id)
    return JobRead.of(job)
