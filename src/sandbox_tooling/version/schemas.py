"""Request bodies of the version endpoints."""

from __future__ import annotations

from pydantic import Field

from sandbox_tooling.importer.schemas import Alternative
from sandbox_tooling.package.schemas import SandboxIn, Strict


class CompareRequest(Strict):
    trigger_new: bool = Field(default=False, alias="triggerNew")
    target_sandbox: str | None = Field(default=None, alias="targetSandbox", min_length=1)
    package_version: int | None = Field(default=None, alias="packageVersion", ge=0)
    overwrite_mappings: dict[str, Alternative] | None = Field(
        default=None, alias="overwriteMappings"
    )


class UpdateRequest(Strict):
    id: str | None = None
    name: str | None = Field(default=None, max_length=512)
    description: str | None = Field(default=None, max_length=10_000)
    destination_sandbox: SandboxIn = Field(alias="destinationSandbox")
    overwrite_mappings: dict[str, Alternative] | None = Field(
        default=None, alias="overwriteMappings"
    )
