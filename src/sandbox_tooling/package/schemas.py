"""Request bodies and read models of the /packages endpoints. Unknown request fields are
refused, naming them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sandbox_tooling.kit.schema import ReadModel, set_fields
from sandbox_tooling.models import Job, Package
from sandbox_tooling.models.enums import (
    Capability,
    PackageAction,
    PackageStatus,
    PackageType,
    Visibility,
)


class Strict(BaseModel):
    """A request body: unknown fields are refused, and values are not coerced (``false`` is
    not a version number, ``1`` is not a name)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=True)


class Lenient(BaseModel):
    """A part of a request body echoed back from responses (artifacts carry found, count,
    title): unknown fields are ignored; values are not coerced."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, strict=True)


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
    package_type: PackageType = Field(alias="packageType", strict=False)
    source_sandbox: SandboxIn | None = Field(default=None, alias="sourceSandbox")
    expiry: str | None = None
    artifacts: list[ArtifactIn] | None = None


class PackageUpdate(Strict):
    id: str = Field(min_length=1)
    action: PackageAction = Field(strict=False)
    # Version counters are 32-bit columns.
    version: int | None = Field(default=None, ge=0, le=2**31 - 1)
    artifacts: list[ArtifactIn] | None = None
    expiry: str | None = None
    name: str | None = Field(default=None, min_length=1, max_length=512)
    description: str | None = Field(default=None, max_length=10_000)
    source_sandbox: SandboxIn | None = Field(default=None, alias="sourceSandbox")
    package_visibility: Visibility | None = Field(
        default=None, alias="packageVisibility", strict=False
    )


class ChildRequest(Lenient):
    id: str = Field(min_length=1)
    type: str = Field(min_length=1)


# -- read models ------------------------------------------------------------------------------
class SandboxRef(ReadModel):
    name: str
    ims_org_id: str | None = Field(default=None, alias="imsOrgId")


class ArtifactRead(ReadModel):
    id: str
    type: str
    title: str | None = None
    found: bool = False
    count: int = 0


class Capabilities(ReadModel):
    capabilities: list[Capability]


class PackageRead(ReadModel):
    id: str
    version: int = Field(description="Counts changes of the package; send it back to update.")
    created_date: int = Field(alias="createdDate")
    modified_date: int = Field(alias="modifiedDate")
    created_by: str = Field(alias="createdBy")
    modified_by: str = Field(alias="modifiedBy")
    tenant_id: str = Field(alias="tenantId")
    user_id: str = Field(alias="userId")
    client_id: str = Field(alias="clientId")
    name: str
    description: str | None
    ims_org_id: str = Field(alias="imsOrgId")
    source_sandbox: SandboxRef = Field(alias="sourceSandbox")
    package_type: PackageType = Field(alias="packageType")
    expiry: int
    status: PackageStatus
    package_visibility: Visibility = Field(alias="packageVisibility")
    package_access_type: str = Field(alias="packageAccessType")
    artifacts_list: list[ArtifactRead] = Field(alias="artifactsList")
    schema_mapping: dict[str, Any] = Field(alias="schemaMapping")
    publish_date: int | None = Field(default=None, alias="publishDate")
    latest_package_version: int | None = Field(default=None, alias="latestPackageVersion")
    failure_reason: str | None = Field(default=None, alias="failureReason")
    package_capabilities: Capabilities | None = Field(default=None, alias="packageCapabilities")

    @classmethod
    def of(cls, pkg: Package, caps: list[Capability] | None = None) -> PackageRead:
        latest = pkg.latest_package_version
        if caps is not None and latest is None:
            latest = 0
        return cls(
            id=pkg.id,
            version=pkg.version,
            created_date=pkg.created_date,
            modified_date=pkg.modified_date,
            created_by=pkg.created_by,
            modified_by=pkg.modified_by,
            tenant_id=pkg.tenant_id,
            user_id=pkg.client_id,
            client_id=pkg.client_id,
            name=pkg.name,
            description=pkg.description,
            ims_org_id=pkg.org_id,
            source_sandbox=SandboxRef(name=pkg.source_sandbox_name, ims_org_id=pkg.source_org_id),
            package_type=PackageType(pkg.package_type),
            expiry=pkg.expiry,
            status=PackageStatus(pkg.status),
            package_visibility=Visibility(pkg.visibility),
            package_access_type=pkg.access_type,
            artifacts_list=[
                ArtifactRead(id=a["id"], type=a["type"], title=a.get("title"), found=False, count=0)
                for a in pkg.artifacts
            ],
            schema_mapping={},
            **set_fields(
                publish_date=pkg.publish_date,
                latest_package_version=latest,
                failure_reason=pkg.failure_reason or None,
                package_capabilities=Capabilities(capabilities=caps) if caps is not None else None,
            ),
        )


class JobSubmitted(ReadModel):
    """The answer to a publish or import: the job to follow at ``/tools/job/{jobId}``."""

    name: str
    description: str | None
    visibility: str = "TENANT"
    source_sandbox: SandboxRef | None = Field(alias="sourceSandbox")
    destination_sandbox: SandboxRef | None = Field(default=None, alias="destinationSandbox")
    type: PackageType | None
    correlation_id: str | None = Field(alias="correlationId")
    job_id: str = Field(alias="jobId")

    @classmethod
    def export(cls, pkg: Package, job: Job) -> JobSubmitted:
        return cls(
            name=pkg.name,
            description=pkg.description,
            visibility="TENANT",
            source_sandbox=SandboxRef(name=pkg.source_sandbox_name, ims_org_id=pkg.source_org_id),
            type=PackageType(pkg.package_type),
            correlation_id=job.snapshot_id,
            job_id=job.id,
        )

    @classmethod
    def imported(cls, pkg: Package, job: Job) -> JobSubmitted:
        return cls(
            name=job.name,
            description=job.description,
            visibility="TENANT",
            source_sandbox=SandboxRef.model_validate(job.source_sandbox),
            destination_sandbox=SandboxRef.model_validate(job.destination_sandbox),
            type=PackageType(pkg.package_type),
            correlation_id=job.snapshot_id,
            job_id=job.id,
        )


class PackageDeleted(ReadModel):
    reason: str


class PackagePayload(ReadModel):
    """What another org posts to ``/transfer/pullRequest`` to pull a public package."""

    ims_org_id: str = Field(alias="imsOrgId")
    package_id: str = Field(alias="packageId")


class ChildRead(ReadModel):
    id: str
    title: str
    type: str


class ChildrenRead(ReadModel):
    id: str
    title: str
    type: str
    children: list[ChildRead]
