"""Request bodies and read models of the import endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from sandbox_tooling.artifact_type.spec import Permission
from sandbox_tooling.kit.schema import ReadModel, set_fields
from sandbox_tooling.models.enums import PlanAction, PlanKind
from sandbox_tooling.package.schemas import Lenient, SandboxIn, SandboxRef, Strict

if TYPE_CHECKING:
    from sandbox_tooling.importer.planning import ImportPlan
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
    plan_id: str | None = Field(default=None, alias="planId", min_length=1, max_length=64)


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


# -- import plans -----------------------------------------------------------------------------
class ImportPlanRequest(Strict):
    """``POST /packages/{id}/import/plan``: what an import (or, with ``update``, an update)
    of the package into ``destinationSandbox`` would do."""

    destination_sandbox: SandboxIn = Field(alias="destinationSandbox")
    alternatives: dict[str, Alternative] | None = None
    overwrite_mappings: dict[str, Alternative] | None = Field(
        default=None, alias="overwriteMappings"
    )
    # Version numbers are 32-bit columns.
    package_version: int | None = Field(default=None, alias="packageVersion", ge=0, le=2**31 - 1)
    update: bool = False


class PlanStepRead(ReadModel):
    action: PlanAction
    type: str
    source_id: str = Field(alias="sourceId")
    title: str
    target_id: str | None = Field(default=None, alias="targetId")
    new_title: str | None = Field(default=None, alias="newTitle")
    reason: str


class ArtifactKey(ReadModel):
    type: str
    id: str


class TargetObjectRead(ReadModel):
    type: str
    id: str
    title: str
    version: int
    modified_date: int = Field(alias="modifiedDate")


class ImportPlanRead(ReadModel):
    """An import plan: each artifact's action, the permission preflight of what it writes,
    and the target objects it read, digested in ``targetStateHash``. Send ``planId`` with the
    import (or update, or express copy) to have exactly this plan applied."""

    plan_id: str = Field(alias="planId")
    kind: PlanKind
    package_id: str | None = Field(default=None, alias="packageId")
    package_version: int | None = Field(default=None, alias="packageVersion")
    snapshot_id: str | None = Field(default=None, alias="snapshotId")
    ims_org_id: str = Field(alias="imsOrgId")
    source_sandbox: SandboxRef = Field(alias="sourceSandbox")
    destination_sandbox: SandboxRef = Field(alias="destinationSandbox")
    target_state_hash: str = Field(alias="targetStateHash")
    changes: bool = Field(description="Whether applying the plan writes to the target.")
    summary: dict[str, int]
    steps: list[PlanStepRead]
    preflight: PreflightRead
    creation_allowed: bool = Field(alias="creationAllowed")
    target_objects: list[TargetObjectRead] = Field(alias="targetObjects")
    root_artifacts: list[ArtifactKey] = Field(alias="rootArtifacts")
    created_date: int = Field(alias="createdDate")
    expiry: int

    @classmethod
    def of(cls, plan: ImportPlan) -> ImportPlanRead:
        return cls(
            plan_id=plan.id,
            kind=plan.kind,
            ims_org_id=plan.org_id,
            source_sandbox=SandboxRef(name=plan.source_sandbox, ims_org_id=plan.org_id),
            destination_sandbox=SandboxRef(name=plan.target_sandbox, ims_org_id=plan.org_id),
            target_state_hash=plan.target_state_hash,
            changes=plan.writes,
            summary={str(a): n for a, n in plan.summary.items()},
            steps=[
                PlanStepRead(
                    action=s.action,
                    type=s.type,
                    source_id=s.source_id,
                    title=s.title,
                    reason=s.reason,
                    **set_fields(target_id=s.target_id, new_title=s.new_title),
                )
                for s in plan.steps
            ],
            preflight=PreflightRead.of(plan.preflight),
            creation_allowed=plan.allowed,
            target_objects=[
                TargetObjectRead(
                    type=o.type,
                    id=o.id,
                    title=o.title,
                    version=o.version,
                    modified_date=o.modified_date,
                )
                for o in plan.target_objects
            ],
            root_artifacts=[ArtifactKey(type=t, id=i) for t, i in plan.roots],
            created_date=plan.created_date,
            expiry=plan.expiry,
            **set_fields(
                package_id=plan.package_id,
                package_version=plan.package_version,
                snapshot_id=plan.snapshot_id,
            ),
        )
