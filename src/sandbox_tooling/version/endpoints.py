"""Version endpoints (SPEC §4.13). The documents give conflicting verbs (§12 item 1): the
recommended one is listed first; the others are accepted as aliases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body

from sandbox_tooling.api.deps import CurrentPrincipal, RuntimeDep, SessionDep, writes
from sandbox_tooling.api.responses import errors
from sandbox_tooling.api.routing import api_router
from sandbox_tooling.job.schemas import JobRead
from sandbox_tooling.version import service as version_service
from sandbox_tooling.version.schemas import (
    CompareEnvelope,
    CompareRequest,
    UpdateRequest,
    VersionRead,
)

router = api_router("/data/foundation/exim", "versions")


@writes
def save_version(
    package_id: str, session: SessionDep, rt: RuntimeDep, principal: CurrentPrincipal
) -> JobRead:
    """Snapshot the source sandbox's current state as the next package version."""
    job = version_service.save_version(session, principal, package_id)
    session.commit()
    rt.jobs.submit(job.id)
    return JobRead.of(job)


def history(package_id: str, session: SessionDep, principal: CurrentPrincipal) -> list[VersionRead]:
    """The package's versions, newest first."""
    rows = version_service.history(session, principal, package_id)
    return [VersionRead.of(row, principal.org_id) for row in rows]


def compare(
    package_id: str,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    body: Annotated[CompareRequest | None, Body()] = None,
) -> CompareEnvelope:
    """Compute what changed (a VERSION/COMPUTE job, in the tools envelope)."""
    job = version_service.submit_compare(
        session, rt, principal, package_id, body or CompareRequest()
    )
    session.commit()
    if version_service.is_pending(job):
        rt.jobs.submit(job.id)
    return CompareEnvelope.of(job, rt.jobs.progress(job.id))


@router.patch(
    "/packages/{package_id}/import",
    response_model=JobRead,
    responses=errors(404, 409),
)
def update_import(
    package_id: str,
    body: UpdateRequest,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
) -> JobRead:
    """Update existing objects of a target sandbox with the package's latest version."""
    job = version_service.submit_update(session, rt, principal, package_id, body)
    session.commit()
    rt.jobs.submit(job.id)
    return JobRead.of(job)


def _register(path: str, endpoint: Any, model: Any, primary: str, *aliases: str) -> None:
    """The recommended verb first; the verbs other parts of the documents give are served too
    and described as deprecated aliases."""
    for method in (primary, *aliases):
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            response_model=model,
            responses=errors(404, 409),
            deprecated=method != primary,
            operation_id=f"{endpoint.__name__}_{method.lower()}",
        )


_register("/packages/{package_id}/version/save", save_version, JobRead, "POST", "PATCH", "GET")
_register("/packages/{package_id}/history", history, list[VersionRead], "GET", "POST", "PATCH")
_register("/packages/{package_id}/version/compare", compare, CompareEnvelope, "POST", "PATCH")
