"""Request bodies of the /packages endpoints. Unknown fields are refused, naming them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Lenient(BaseModel):
    # Artifacts echoed back from responses carry found/count/title: accept and ignore them.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ArtifactIn(Lenient):
    id: str = Field(min_length=1, max_length=512)
    type: str = Field(min_length=1, max_length=64)
    title: str | None = None


class SandboxIn(Lenient):
    name: str = Field(min_length=1, max_length=256)
    ims_org_id: str | None = Field(default=None, alias="imsOrgId")


class PackageCreate(Strict):
    name: str = Field(min_length=1, max_length=512)
    description: str | None = Field(default=None, max_length=10_000)
    package_type: Literal["PARTIAL", "FULL"] = Field(alias="packageType")
    source_sandbox: SandboxIn | None = Field(default=None, alias="sourceSandbox")
    expiry: str | None = None
    artifacts: list[ArtifactIn] | None = None


class PackageUpdate(Strict):
    id: str = Field(min_length=1)
    action: Literal["ADD", "DELETE", "UPDATE"]
    version: int | None = None
    artifacts: list[ArtifactIn] | None = None
    expiry: str | None = None
    name: str | None = Field(default=None, min_length=1, max_length=512)
    description: str | None = Field(default=None, max_length=10_000)
    source_sandbox: SandboxIn | None = Field(default=None, alias="sourceSandbox")
    package_visibility: Literal["PRIVATE", "PUBLIC"] | None = Field(
        default=None, alias="packageVisibility"
    )


class ChildRequest(Lenient):
    id: str = Field(min_length=1)
    type: str = Field(min_length=1)
