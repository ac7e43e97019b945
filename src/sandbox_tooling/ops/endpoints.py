"""``/healthz`` (the process answers), ``/readyz`` (its database and blob store answer) and
``/metrics`` (Prometheus). Unauthenticated, as probes and scrapers are; they reveal no org's
data."""

from __future__ import annotations

from fastapi import Response
from fastapi.responses import JSONResponse

from sandbox_tooling.api.deps import RuntimeDep
from sandbox_tooling.api.routing import api_router
from sandbox_tooling.kit import metrics
from sandbox_tooling.ops import service as ops_service
from sandbox_tooling.ops.schemas import Health, ReadinessRead

router = api_router("", "operations", authenticated=False)


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up (no dependency is asked)."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=ReadinessRead,
    responses={503: {"model": ReadinessRead, "description": "A dependency did not answer"}},
)
def readyz(rt: RuntimeDep) -> Response:
    """The database and the blob store answer: the process can serve requests."""
    result = ops_service.readiness(rt)
    body = ReadinessRead(
        status="ready" if result.ready else "unavailable",
        database=result.database,
        blobs=result.blobs,
    )
    return JSONResponse(body.model_dump(by_alias=True), status_code=200 if result.ready else 503)


@router.get("/metrics", include_in_schema=False)
def prometheus(rt: RuntimeDep) -> Response:
    """Metrics in the Prometheus text format."""
    return Response(ops_service.metrics_text(rt), media_type=metrics.CONTENT_TYPE)
