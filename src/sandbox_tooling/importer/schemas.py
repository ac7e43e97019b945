"""Request bodies and read models of the import endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from sandbox_tooling.artifact_type.spec import Permission
from sandbox_tooling.kit.schema import ReadModel
from sandbox_tooling.package.schemas import Lenient, SandboxIn, Strict

if TYPE_CHECKING:
    from sandbox_tooling.importer.service import ConflictEntry, Preflight


class Alternative(Lenient):
    id: str = Field(min_length=1, max_length=512)
    type: str = Field(min_length=1, max_length=64)


class ImportRequest(Strict):
    id: str = Field(min_length=1)
    name: str | None = Field(default=None, max_length=512)
    description: str | None = Field(default=None, max_length=10_000)
    destination_sandbox: SandboxIn = Field(alias="destinationSandbox")
    alternatives: dict[str, Alternative] | None = None


# -- read models ------------------------------------------------------------------------------
class ConflictMessage(ReadModel):
    status: str
    attempt: int
    message: str


class ConflictArtifact(ReadModel):
    id: str
    type: str
    title: str
    found: bool
    count: int
    messages: list[ConflictMessage]


class SuggestionRead(ReadModel):
    id: str
    type: str
    found: bool
    count: int
    title: str


class ConflictRead(ReadModel):
    """An artifact of the package and the target's objects like it, best first."""

    artifact: ConflictArtifact
    suggestion_list: list[SuggestionRead] = Field(alias="suggestionList")
    parent_id: str = Field(alias="parentID")

    @classmethod
    def of(cls, entry: ConflictEntry) -> ConflictRead:
        return cls(
            artifact=ConflictArtifact(
                id=entry.id,
                type=entry.type,
                title=entry.title,
                found=False,
                count=0,
                messages=[
                    ConflictMessage(
                        status="FOUND", attempt=1, message=f"Found object with ID: {entry.id}"
                    )
                ],
            ),
            suggestion_list=[
                SuggestionRead(id=s.id, type=s.type, found=False, count=0, title=s.title)
                for s in entry.suggestions
            ],
            parent_id=entry.parent_id,
        )


class ResourcePermission(ReadModel):
    palm_resource_type: str = Field(alias="palmResourceType")
    resource_permissions: list[str] = Field(alias="resourcePermissions")


class PermissionSet(ReadModel):
    resources: list[ResourcePermission]

    @classmethod
    def of(cls, perms: list[Permission]) -> PermissionSet:
        return cls(
            resources=[
                ResourcePermission(
                    palm_resource_type=p.resource, resource_permissions=list(p.actions)
                )
                for p in perms
            ]
        )


class ArtifactPermissionRead(ReadModel):
    artifact_id: str = Field(alias="artifactID")
    artifact_type: str = Field(alias="artifactType")
    required_permissions: PermissionSet = Field(alias="requiredPermissions")
    missing_permissions: PermissionSet = Field(alias="missingPermissions")
    creation_allowed: bool = Field(alias="creationAllowed")


class PreflightRead(ReadModel):
    package_id: str = Field(alias="packageID")
    target_sandbox_name: str = Field(alias="targetSandboxName")
    permission_response: list[ArtifactPermissionRead] = Field(alias="permissionResponse")

    @classmethod
    def of(cls, result: Preflight) -> PreflightRead:
        return cls(
            package_id=result.package_id,
            target_sandbox_name=result.target_sandbox,
            permission_response=[
                ArtifactPermissionRead(
                    artifact_id=a.artifact_id,
                    artifact_type=a.artifact_type,
                    required_permissions=PermissionSet.of(a.required),
                    missing_permissions=PermissionSet.of(a.missing),
                    creation_allowed=not a.missing,
                )
                for a in result.artifacts
            ],
        )
