"""Request bodies and read models of the version endpoints."""

from __future__ import annotations

from pydantic import Field

from sandbox_tooling.importer.schemas import Alternative
from sandbox_tooling.job.handlers import Progress
from sandbox_tooling.job.schemas import JobRead
from sandbox_tooling.kit.schema import ReadModel, Tracked
from sandbox_tooling.models import Job, PackageVersion
from sandbox_tooling.package.schemas import SandboxIn, Strict


class CompareRequest(Strict):
    trigger_new: bool = Field(default=False, alias="triggerNew")
    target_sandbox: str | None = Field(default=None, alias="targetSandbox", min_length=1)
    # Version numbers are 32-bit columns.
    package_version: int | None = Field(default=None, alias="packageVersion", ge=0, le=2**31 - 1)
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
    plan_id: str | None = Field(default=None, alias="planId", min_length=1, max_length=64)


# -- read models ------------------------------------------------------------------------------
class VersionRead(Tracked):
    """An entry of a package's history."""

    ims_org_id: str = Field(alias="imsOrgId")
    package_version: int = Field(alias="packageVersion")

    @classmethod
    def of(cls, row: PackageVersion, org_id: str) -> VersionRead:
        return cls(
            id=row.snapshot_id.replace("-", ""),
            version=0,
            created_date=row.created_date,
            modified_date=row.created_date,
            created_by=row.created_by,
            modified_by=row.created_by,
            ims_org_id=org_id,
            package_version=row.package_version,
        )


class CompareEnvelope(ReadModel):
    """The answer to a compare: the tools envelope around the VERSION/COMPUTE job."""

    status: str
    type: str
    ajo: bool
    message: str
    object: JobRead

    @classmethod
    def of(cls, job: Job, progress: Progress | None = None) -> CompareEnvelope:
        return cls(
            status="OK",
            type="SUCCESS",
            ajo=False,
            message=f"Job with ID: {job.id}",
            object=JobRead.of(job, progress),
        )
