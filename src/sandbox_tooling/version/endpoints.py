"""Version endpoints (SPEC §4.13). The documents give conflicting verbs (§12 item 1): the
recommended one is listed first; the others are accepted as aliases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from sandbox_tooling.api.deps import CurrentPrincipal, SessionDep, StateDep, writes
from sandbox_tooling.job import service as job_service
from sandbox_tooling.version import service as version_service
from sandbox_tooling.version.schemas import CompareRequest, UpdateRequest

router = APIRouter(prefix="/data/foundation/exim", tags=["versions"])


@writes
def save_version(
    package_id: str, session: SessionDep, state: StateDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Snapshot the source sandbox's current state as the next package version."""
    job = version_service.save_version(session, principal, package_id)
    session.commit()
    state.runner.submit(job.id)
    return job_service.render(job)


def history(
    package_id: str, session: SessionDep, principal: CurrentPrincipal
) -> list[dict[str, Any]]:
    """The package's versions, newest first."""
    principal.require("Package", "view")
    return version_service.history(session, principal, package_id)


def compare(
    package_id: str,
    session: SessionDep,
    state: StateDep,
    principal: CurrentPrincipal,
    body: Annotated[CompareRequest | None, Body()] = None,
) -> dict[str, Any]:
    """Compute what changed (a VERSION/COMPUTE job, in the tools envelope)."""
    request = body or CompareRequest()
    job = version_service.submit_compare(
        session, state.registry, state.blobs, principal, package_id, request
    )
    session.commit()
    if job.status == "PENDING":
        state.runner.submit(job.id)
    return version_service.compare_envelope(job, state.runner.progress(job.id))


@router.patch("/packages/{package_id}/import")
def update_import(
    package_id: str,
    body: UpdateRequest,
    session: SessionDep,
    state: StateDep,
    principal: CurrentPrincipal,
) -> dict[str, Any]:
    """Update existing objects of a target sandbox with the package's latest version."""
    job = version_service.submit_update(
        session, state.registry, state.blobs, principal, package_id, body
    )
    session.commit()
    state.runner.submit(job.id)
    return job_service.render(job)


def _register(path: str, endpoint: Any, primary: str, *aliases: str) -> None:
    """The recommended verb is documented; the aliases work but stay out of the schema."""
    for method in (primary, *aliases):
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            include_in_schema=method == primary,
            operation_id=f"{endpoint.__name__}_{method.lower()}",
        )


_register("/packages/{package_id}/version/save", save_version, "POST", "PATCH", "GET")
_register("/packages/{package_id}/history", history, "GET", "POST", "PATCH")
_register("/packages/{package_id}/version/compare", compare, "POST", "PATCH")
