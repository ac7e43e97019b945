"""Package versions (SPEC §4.13, §7.4): save, history, compare and update submissions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.plugins import ArtifactTypes
from sandbox_tooling.audit import service as audit_service
from sandbox_tooling.errors import NotCallersOrg
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.importer import service as import_service
from sandbox_tooling.job import repository as job_repository
from sandbox_tooling.job import service as job_service
from sandbox_tooling.kit.ids import dashed_uuid
from sandbox_tooling.models import Job, Package, PackageVersion, Sandbox
from sandbox_tooling.models.enums import Capability, JobStatus, JobType, PackageStatus, RequestType
from sandbox_tooling.package import service as package_service
from sandbox_tooling.package import snapshot
from sandbox_tooling.version.errors import (
    InvalidCompare,
    NoPublishedVersion,
    NoSuchVersion,
    NotVersionable,
    VersionExists,
    VersionInProgress,
)
from sandbox_tooling.version.schemas import CompareRequest, UpdateRequest

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime


def require_versionable(types: ArtifactTypes, pkg: Package) -> None:
    if Capability.VERSIONABLE not in package_service.package_capabilities(types, pkg):
        raise NotVersionable(pkg.id)


def version_row(session: Session, pkg: Package, number: int | None) -> PackageVersion:
    if number is None:
        rows = package_service.versions(session, pkg.id)
        if not rows:
            raise NoPublishedVersion(f"package {pkg.id} has no published version")
        return rows[0]
    row = package_service.version_number(session, pkg.id, number)
    if row is None:
        raise NoSuchVersion(f"packageVersion: package {pkg.id} has no version {number}")
    return row


def save_version(session: Session, principal: Principal, package_id: str) -> Job:
    pkg = package_service.require(session, principal, package_id, lock=True)
    principal.require("Package", "manage", pkg.source_sandbox_name)
    if pkg.status != PackageStatus.PUBLISHED:
        raise NoPublishedVersion(
            f"package {pkg.id} is {pkg.status}; publish it before saving versions"
        )
    package_service.live_source(session, pkg)
    latest = pkg.latest_package_version or 0
    pending = job_repository.running_version_save(session, pkg.id)
    if pending is not None:
        raise VersionInProgress(
            f"version {pending.package_version} of package {pkg.id} is being saved "
            f"(job {pending.id})"
        )
    job = job_service.create_for_package(
        session,
        pkg,
        request_type=RequestType.VERSION,
        job_type=JobType.UPGRADE,
        name=f"Version Job Package: {pkg.id}",
        actor=principal.user_id,
        destination_sandbox={"name": pkg.source_sandbox_name, "imsOrgId": pkg.source_org_id},
        snapshot_id=dashed_uuid(),
        package_version=latest + 1,
    )
    audit_service.job_submitted(session, principal, principal.org_id, job)
    return job


def record_saved_version(session: Session, job_id: str, info: snapshot.SnapshotInfo) -> None:
    """The save job's snapshot becomes version n+1 (unless another save got there first)."""
    job, pkg = package_service.job_package(session, job_id, PackageStatus.PUBLISHED)
    if (pkg.latest_package_version or 0) >= (job.package_version or 0):
        raise VersionExists(f"package {pkg.id} already has version {pkg.latest_package_version}")
    package_service.record_version(session, job, pkg, info)


def history(session: Session, principal: Principal, package_id: str) -> list[PackageVersion]:
    """The package's versions, newest first."""
    principal.require("Package", "view")
    pkg = package_service.require(session, principal, package_id)
    return package_service.versions(session, pkg.id)


def last_pairs(session: Session, org_id: str, package_id: str, target: str) -> dict[str, str]:
    """Source id -> target id, from this package's newest successful import (or update) into
    ``target`` that was not rolled back."""
    for job_id, destination in job_repository.imports_of(session, org_id, package_id):
        if (destination or {}).get("name") != target:
            continue
        job = job_repository.get(session, job_id)
        if job is not None and not job.result.get("rolledBackBy"):
            return dict(job.result.get("importReplacementMap", {}))
    return {}


def update_pairs(session: Session, job: Job, sandbox: Sandbox) -> dict[str, str]:
    """What an update job pairs: the last import's pairs, then its ``overwriteMappings``."""
    pairs = last_pairs(session, job.org_id, job.package_id or "", sandbox.name)
    pairs.update({k: v["id"] for k, v in job.params.get("overwriteMappings", {}).items()})
    return pairs


def submit_compare(
    session: Session, rt: Runtime, principal: Principal, package_id: str, body: CompareRequest
) -> Job:
    """A VERSION/COMPUTE job; with ``triggerNew: false`` a finished (or running) compare of
    the same version and target is returned instead."""
    pkg = package_service.require(session, principal, package_id)
    principal.require("Package", "view", pkg.source_sandbox_name)
    require_versionable(rt.types, pkg)
    version = version_row(session, pkg, body.package_version)
    target = None
    mappings: dict[str, dict[str, str]] = {}
    if body.target_sandbox:
        sandbox = import_service.target_sandbox(
            session, principal, body.target_sandbox, "targetSandbox"
        )
        target = sandbox.name
        mappings = import_service.check_mappings(
            session, rt, version, sandbox, body.overwrite_mappings or {}, "overwriteMappings"
        )
    elif body.overwrite_mappings:
        raise InvalidCompare("overwriteMappings: needs a targetSandbox")
    params = {
        "targetSandbox": target,
        "packageVersion": body.package_version,
        "overwriteMappings": mappings,
    }
    if not body.trigger_new:
        for job_id, job_params in job_repository.compares_of(
            session, pkg.id, version.package_version
        ):
            if job_params == params:
                return job_service.require(session, pkg.org_id, job_id)
    destination = {"name": target or pkg.source_sandbox_name, "imsOrgId": pkg.org_id}
    job = job_service.create_for_package(
        session,
        pkg,
        request_type=RequestType.VERSION,
        job_type=JobType.COMPUTE,
        name=f"Compute Job Package: {version.snapshot_id}",
        actor=principal.user_id,
        destination_sandbox=destination,
        snapshot_id=version.snapshot_id,
        package_version=version.package_version,
        params=params,
    )
    audit_service.job_submitted(session, principal, principal.org_id, job)
    return job


def submit_update(
    session: Session, rt: Runtime, principal: Principal, package_id: str, body: UpdateRequest
) -> Job:
    """An IMPORT/UPDATE job writing the latest version over the paired target objects."""
    if body.id is not None and body.id != package_id:
        raise InvalidCompare(
            f"id: '{body.id}' does not match the package in the path '{package_id}'"
        )
    pkg = package_service.require(session, principal, package_id)
    require_versionable(rt.types, pkg)
    version = package_service.published_version(session, pkg)
    dest = body.destination_sandbox
    if dest.ims_org_id and dest.ims_org_id != principal.org_id:
        raise NotCallersOrg("destinationSandbox.imsOrgId", dest.ims_org_id, principal.org_id)
    sandbox = import_service.target_sandbox(
        session, principal, dest.name, "destinationSandbox.name"
    )
    principal.require("Package", "manage", sandbox.name)
    mappings = import_service.check_mappings(
        session, rt, version, sandbox, body.overwrite_mappings or {}, "overwriteMappings"
    )
    job = import_service.target_job(
        session,
        principal,
        pkg,
        version,
        sandbox,
        job_type=JobType.UPDATE,
        name=body.name,
        description=body.description,
        params={"overwriteMappings": mappings},
    )
    audit_service.job_submitted(session, principal, principal.org_id, job)
    return job


def is_pending(job: Job) -> bool:
    return job.status == JobStatus.PENDING
