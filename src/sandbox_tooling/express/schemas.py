"""Request bodies of the express copy endpoints (the answers are an import plan's and a
job's read models)."""

from __future__ import annotations

from pydantic import Field

from sandbox_tooling.importer.schemas import Alternative
from sandbox_tooling.package.schemas import ArtifactIn, SandboxIn, Strict


class ExpressPlanRequest(Strict):
    source_sandbox: SandboxIn = Field(alias="sourceSandbox")
    destination_sandbox: SandboxIn = Field(alias="destinationSandbox")
    artifacts: list[ArtifactIn] = Field(min_length=1, max_length=1_000)
    alternatives: dict[str, Alternative] | None = None


class ExpressCopyRequest(ExpressPlanRequest):
    name: str | None = Field(default=None, min_length=1, max_length=512)
    description: str | None = Field(default=None, max_length=10_000)
    plan_id: str | None = Field(default=None, alias="planId", min_length=1, max_length=64)
