"""The console's routes, one module per screen; every route is left out of the OpenAPI
description (``include_in_schema=False``)."""

from fastapi import APIRouter

from sandbox_tooling.web.routes import (
    auth,
    imports,
    jobs,
    objects,
    packages,
    partners,
    sandboxes,
    versions,
)

router = APIRouter(include_in_schema=False)
for module in (auth, sandboxes, objects, packages, imports, jobs, versions, partners):
    router.include_router(module.router)

__all__ = ["router"]
