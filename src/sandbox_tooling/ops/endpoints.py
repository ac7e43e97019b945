"""``/healthz`` (the process answers), ``/readyz`` (its database and blob store answer) and
``/metrics`` (Prometheus). Unauthenticated, as probes and scrapers are; they reveal no org's
data.

They are never queued by admission (``api/admission.py``); the two that ask the database
run in two threads of their own, so a scrape during an overload neither waits behind the
requests nor takes their threads (the pool keeps connections for them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.lowlevel
import anyio.to_thread
from fastapi import Response
from fastapi.responses import JSONResponse

from sandbox_tooling.api.deps import RuntimeDep
from sandbox_tooling.api.routing import api_router
from sandbox_tooling.kit import metrics
from sandbox_tooling.ops import service as ops_service
from sandbox_tooling.ops.schemas import Health, ReadinessRead

router = api_router("", "operations", authenticated=False)
T = TypeVar("T")
_LIMITER: anyio.lowlevel.RunVar[anyio.CapacityLimiter] = anyio.lowlevel.RunVar("sbx_ops_threads")


async def _in_own_thread(work: Callable[[], T]) -> T:
    """``work()`` in one of the probes' two threads (per event loop)."""
    try:
        limiter = _LIMITER.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(2)
        _LIMITER.set(limiter)
    return await anyio.to_thread.run_sync(work, limiter=limiter)


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up (no dependency is asked)."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=ReadinessRead,
    responses={503: {"model": ReadinessRead, "description": "A dependency did not answer"}},
)
async def readyz(rt: RuntimeDep) -> Response:
    """The database and the blob store answer: the process can serve requests."""
    result = await _in_own_thread(lambda: ops_service.readiness(rt))
    body = ReadinessRead(
        status="ready" if result.ready else "unavailable",
        database=result.database,
        blobs=result.blobs,
    )
    return JSONResponse(body.model_dump(by_alias=True), status_code=200 if result.ready else 503)


@router.get("/metrics", include_in_schema=False)
async def prometheus(rt: RuntimeDep) -> Response:
    """Metrics in the Prometheus text format."""
    text = await _in_own_thread(lambda: ops_service.metrics_text(rt))
    return Response(text, media_type=metrics.CONTENT_TYPE)
