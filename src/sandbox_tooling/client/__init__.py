"""The Python SDK of sbx: a typed, synchronous client over httpx (``docs/sdk.md``).

    from sandbox_tooling.client import Client

    with Client("http://127.0.0.1:8080", client_id=..., client_secret=..., org=...) as sbx:
        pkg = sbx.packages.create("promo", sandbox="dev", artifacts=[("REGISTRY_SCHEMA", sid)])
        sbx.jobs.wait(sbx.packages.publish(pkg.id).job_id)
        plan = sbx.imports.plan(pkg.id, "stage")
        job = sbx.jobs.wait(sbx.imports.apply(plan))

Answers are the server's own read models (``PackageRead``, ``JobRead``, ``ImportPlanRead``…);
failures raise the exceptions below.
"""

from sandbox_tooling.client.client import Client
from sandbox_tooling.client.errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    JobFailedError,
    JobTimeoutError,
    NotFoundError,
    SbxError,
    TargetDriftedError,
    TransportError,
)

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "ForbiddenError",
    "JobFailedError",
    "JobTimeoutError",
    "NotFoundError",
    "SbxError",
    "TargetDriftedError",
    "TransportError",
]
