"""The FastAPI application factory."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI

from sandbox_tooling import __version__
from sandbox_tooling.api import errors
from sandbox_tooling.api.admission import Admission
from sandbox_tooling.api.middleware import BodyGuard, Observe, TrailingSlash, UrlGuard
from sandbox_tooling.api.openapi import contract
from sandbox_tooling.api.query import check_request
from sandbox_tooling.audit.endpoints import router as audit_router
from sandbox_tooling.batch.endpoints import router as batch_router
from sandbox_tooling.config import Settings
from sandbox_tooling.express.endpoints import router as express_router
from sandbox_tooling.identity.endpoints import router as identity_router
from sandbox_tooling.importer.endpoints import router as import_router
from sandbox_tooling.ops.endpoints import router as ops_router
from sandbox_tooling.package.endpoints import router as package_router
from sandbox_tooling.registry.endpoints import router as registry_router
from sandbox_tooling.runtime import Runtime, build_runtime
from sandbox_tooling.sandbox.endpoints import router as sandbox_router
from sandbox_tooling.schemaregistry.endpoints import router as schemaregistry_router
from sandbox_tooling.sharing.endpoints import router as sharing_router
from sandbox_tooling.version.endpoints import router as version_router
from sandbox_tooling.web import app as console
from sandbox_tooling.webhook.endpoints import router as webhook_router

log = logging.getLogger(__name__)


def from_environment() -> FastAPI:
    """The app of one process of ``sbx serve --workers N``: settings from the environment
    (the parent process migrated the database already)."""
    from sandbox_tooling.config import get_settings
    from sandbox_tooling.kit import logs

    settings = get_settings()
    logs.configure(settings.log_level)
    return create_app(settings)


def create_app(settings: Settings, rt: Runtime | None = None) -> FastAPI:
    """Build the app. The job runner starts (and recovers interrupted jobs) with the app."""
    runtime = rt or build_runtime(settings)
    _check_pool(settings, runtime)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The threads that run sync endpoints and dependencies: one per admitted request.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.http_threads
        _prepare_routes(app)
        _freeze_heap()
        runtime.jobs.start()
        try:
            yield
        finally:
            runtime.jobs.stop()

    app = FastAPI(
        title="sbx Sandbox Tooling API",
        version=__version__,
        description="Move configuration objects between sandboxes and orgs as versioned packages.",
        lifespan=lifespan,
        dependencies=[Depends(check_request)],
    )
    app.state.sbx = runtime
    app.openapi = lambda: contract(app)  # type: ignore[method-assign]
    errors.install(app, html=console.render_error)
    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes)
    app.add_middleware(TrailingSlash)
    app.add_middleware(UrlGuard)
    app.add_middleware(
        Admission,
        read_slots=settings.http_threads - settings.http_write_slots,
        write_slots=settings.http_write_slots,
        queue_seconds=settings.admission_queue_seconds,
        queue_limit=settings.admission_queue_limit,
    )
    app.add_middleware(Observe)
    app.include_router(ops_router)
    app.include_router(identity_router)
    app.include_router(sandbox_router)
    app.include_router(registry_router)
    app.include_router(batch_router)
    app.include_router(schemaregistry_router)
    app.include_router(express_router)
    app.include_router(package_router)
    app.include_router(import_router)
    app.include_router(version_router)
    app.include_router(sharing_router)
    app.include_router(webhook_router)
    app.include_router(audit_router)
    console.install(app, settings)
    return app


def _prepare_routes(app: FastAPI) -> None:
    """Build every included route's request and response handling now, at start-up: FastAPI
    builds an included router's routes (their parameter and response-model validators) on
    the first request that reaches it, which would make that request pay for all of them
    (about 0.1 s with the typed contract)."""
    for route in app.router.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            for _ in contexts():
                pass


def _freeze_heap() -> None:
    """Move what start-up made (modules, routes, models: about a million objects) out of the
    cyclic garbage collector's reach (``gc.freeze``): a full collection then walks only what
    requests made since, instead of pausing every request for 100 ms or more now and then."""
    gc.collect()
    gc.freeze()


def _check_pool(settings: Settings, rt: Runtime) -> None:
    """Warn when the connection pool is smaller than the requests and jobs it serves: a
    request could then wait for a connection (and answer 503 after the pool timeout)."""
    needed = settings.http_threads + settings.job_workers + 1
    if rt.db.pool_size < needed and not rt.db.url.endswith(":memory:"):
        log.warning(
            "the database pool has %d connections; %d request threads and %d job workers "
            "need %d (set SBX_DB_POOL_SIZE to 0 to size it from them)",
            rt.db.pool_size,
            settings.http_threads,
            settings.job_workers,
            needed,
        )
