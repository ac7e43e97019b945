"""Request bodies and read models of the sandbox-management API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sandbox_tooling.kit.clock import ms_to_sandbox_date
from sandbox_tooling.kit.schema import ReadModel
from sandbox_tooling.models import Sandbox
from sandbox_tooling.models.enums import SandboxState, SandboxType


class SandboxCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str = Field(
        min_length=1,
        max_length=255,
        description="Lowercase letters, digits and hyphens; not starting or ending with a hyphen.",
        json_schema_extra={"pattern": "^[a-z0-9](?:[a-z0-9-]{0,253}[a-z0-9])?$"},
    )
    title: str = Field(min_length=1, max_length=256)
    type: Literal["development", "production"]


class SandboxPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    title: str = Field(min_length=1, max_length=256)


class SandboxAction(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    action: Literal["reset"]


class SandboxRead(ReadModel):
    id: str | None = Field(default=None, description="Absent from the list of usable sandboxes.")
    name: str
    title: str
    state: SandboxState
    type: SandboxType
    region: str
    is_default: bool = Field(alias="isDefault")
    e_tag: int = Field(alias="eTag")
    created_date: str = Field(alias="createdDate", examples=["2026-11-22 10:00:00"])
    last_modified_date: str = Field(alias="lastModifiedDate")
    created_by: str = Field(alias="createdBy")
    last_modified_by: str = Field(alias="lastModifiedBy")

    @classmethod
    def of(cls, sandbox: Sandbox, *, with_id: bool = True) -> SandboxRead:
        return cls(
            **({"id": sandbox.id} if with_id else {}),
            name=sandbox.name,
            title=sandbox.title,
            state=SandboxState(sandbox.state),
            type=SandboxType(sandbox.type),
            region=sandbox.region,
            is_default=sandbox.is_default,
            e_tag=sandbox.etag,
            created_date=ms_to_sandbox_date(sandbox.created_date),
            last_modified_date=ms_to_sandbox_date(sandbox.modified_date),
            created_by=sandbox.created_by,
            last_modified_by=sandbox.modified_by,
        )


class Link(ReadModel):
    href: str
    templated: bool | None = None


class PageInfo(ReadModel):
    limit: int
    count: int


class SandboxList(ReadModel):
    sandboxes: list[SandboxRead]
    page: PageInfo = Field(alias="_page")
    links: dict[str, Link] = Field(alias="_links")

    @classmethod
    def of(
        cls, path: str, rows: list[Sandbox], total: int, limit: int, offset: int, *, with_id: bool
    ) -> SandboxList:
        links = {"page": Link(href=f"{path}?limit={{limit}}&offset={{offset}}", templated=True)}
        if offset + len(rows) < total:
            links["next"] = Link(href=f"{path}?limit={limit}&offset={offset + limit}")
        if offset > 0:
            links["prev"] = Link(href=f"{path}?limit={limit}&offset={max(0, offset - limit)}")
        return cls(
            sandboxes=[SandboxRead.of(s, with_id=with_id) for s in rows],
            page=PageInfo(limit=limit, count=total),
            links=links,
        )


class SandboxTypes(ReadModel):
    sandbox_types: list[SandboxType] = Field(alias="sandboxTypes")
