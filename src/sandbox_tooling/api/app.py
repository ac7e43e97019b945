"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from sandbox_tooling import __version__
from sandbox_tooling.api import errors
from sandbox_tooling.api.deps import AppState
from sandbox_tooling.api.middleware import BodyGuard, TrailingSlash
from sandbox_tooling.artifact_type.registry import ArtifactTypeRegistry, default_registry
from sandbox_tooling.config import Settings
from sandbox_tooling.db import Database
from sandbox_tooling.identity.endpoints import router as identity_router
from sandbox_tooling.importer import tasks as _import_tasks  # noqa: F401  (registers handlers)
from sandbox_tooling.importer.endpoints import router as import_router
from sandbox_tooling.job.runner import InProcessRunner, JobRunner
from sandbox_tooling.kit.blobstore import BlobStore, LocalBlobStore
from sandbox_tooling.package import tasks as _package_tasks  # noqa: F401  (registers handlers)
from sandbox_tooling.package.endpoints import router as package_router
from sandbox_tooling.registry.endpoints import router as registry_router
from sandbox_tooling.sandbox.endpoints import router as sandbox_router
from sandbox_tooling.sharing import tasks as _sharing_tasks  # noqa: F401  (registers handlers)
from sandbox_tooling.sharing.endpoints import router as sharing_router
from sandbox_tooling.version import tasks as _version_tasks  # noqa: F401  (registers handlers)
from sandbox_tooling.version.endpoints import router as version_router

log = logging.getLogger(__name__)


def build_state(
    settings: Settings,
    *,
    db: Database | None = None,
    blobs: BlobStore | None = None,
    registry: ArtifactTypeRegistry | None = None,
    runner: JobRunner | None = None,
) -> AppState:
    db = db or Database(settings.resolved_database_url())
    blobs = blobs or LocalBlobStore(settings.resolved_blob_dir())
    registry = registry or default_registry()
    runner = runner or InProcessRunner(db, blobs, registry, settings)
    return AppState(settings=settings, db=db, blobs=blobs, registry=registry, runner=runner)


def create_app(settings: Settings, state: AppState | None = None) -> FastAPI:
    """Build the app. The runner starts (and recovers interrupted jobs) with the app."""
    app_state = state or build_state(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        app_state.runner.start()
        try:
            yield
        finally:
            app_state.runner.stop()

    app = FastAPI(
        title="sbx Sandbox Tooling API",
        version=__version__,
        description="Move configuration objects between sandboxes and orgs as versioned packages.",
        lifespan=lifespan,
    )
    app.state.sbx = app_state
    errors.install(app)
    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes)
    app.add_middleware(TrailingSlash)
    app.include_router(identity_router)
    app.include_router(sandbox_router)
    app.include_router(registry_router)
    app.include_router(package_router)
    app.include_router(import_router)
    app.include_router(version_router)
    app.include_router(sharing_router)
    return app
