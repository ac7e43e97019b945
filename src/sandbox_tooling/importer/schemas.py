"""Request bodies of the import endpoints."""

from __future__ import annotations

from pydantic import Field

from sandbox_tooling.package.schemas import Lenient, SandboxIn, Strict


class Alternative(Lenient):
    id: str = Field(min_length=1, max_length=512)
    type: str = Field(min_length=1, max_length=64)


class ImportRequest(Strict):
    id: str = Field(min_length=1)
    name: str | None = Field(default=None, max_length=512)
    description: str | None = Field(default=None, max_length=10_000)
    destination_sandbox: SandboxIn = Field(alias="destinationSandbox")
    alternatives: dict[str, Alternative] | None = None
