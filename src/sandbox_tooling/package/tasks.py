"""Snapshot jobs: publish (EXPORT/NEW) and save a new version (VERSION/UPGRADE).

Both read the package's closure in a read transaction, write the blobs, then commit the
version row and the package's change in one short write transaction. A crash before that
commit leaves only unreferenced blobs, which the retry overwrites.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from sandbox_tooling.errors import Conflict
from sandbox_tooling.job import handlers
from sandbox_tooling.job import service as job_service
from sandbox_tooling.kit.clock import DAY_MS, now_ms
from sandbox_tooling.models import Job, Package, PackageVersion
from sandbox_tooling.package import repository, snapshot
from sandbox_tooling.package.service import (
    PUBLISH_FAILED,
    PUBLISH_IN_PROGRESS,
    PUBLISHED,
    package_closure,
)


def _load(session: Session, job_id: str, expected_status: str) -> tuple[Job, Package]:
    job = job_service.require_running(session, job_id)
    pkg = repository.get(session, job.package_id or "")
    if pkg is None:
        raise Conflict(f"package {job.package_id} was deleted while the job ran")
    if pkg.status != expected_status:
        raise Conflict(f"package {pkg.id} is {pkg.status}, not {expected_status}")
    return job, pkg


def take_snapshot(ctx: handlers.JobContext, expected_status: str) -> snapshot.SnapshotInfo:
    with ctx.db.transaction(write=False) as session:
        job, pkg = _load(session, ctx.job_id, expected_status)
        assert job.snapshot_id is not None and job.package_version is not None
        cl = package_closure(session, ctx.registry, ctx.settings, pkg)
        return snapshot.write(
            ctx.blobs,
            ctx.registry,
            cl,
            org_id=pkg.org_id,
            package_id=pkg.id,
            snapshot_id=job.snapshot_id,
            header={
                "packageName": pkg.name,
                "packageType": pkg.package_type,
                "packageVersion": job.package_version,
                "tenantId": pkg.tenant_id,
                "sourceSandbox": {"name": pkg.source_sandbox_name, "imsOrgId": pkg.source_org_id},
                "rootArtifacts": [{"id": a["id"], "type": a["type"]} for a in pkg.artifacts],
                "createdDate": now_ms(),
            },
        )


def record_version(session: Session, job: Job, pkg: Package, info: snapshot.SnapshotInfo) -> int:
    assert job.snapshot_id is not None and job.package_version is not None
    now = now_ms()
    session.add(
        PackageVersion(
            package_id=pkg.id,
            package_version=job.package_version,
            snapshot_id=job.snapshot_id,
            manifest_key=info.manifest_key,
            artifacts_key=info.artifacts_key,
            content_hash=info.content_hash,
            artifact_count=info.count,
            created_date=now,
            created_by=job.created_by,
        )
    )
    pkg.latest_package_version = job.package_version
    pkg.version += 1
    pkg.modified_date = now
    result = job_service.empty_result()
    result["snapshot"] = {
        "snapshotId": job.snapshot_id,
        "packageVersion": job.package_version,
        "artifactCount": info.count,
        "contentHash": info.content_hash,
    }
    job_service.succeed(job, result)
    return now


@handlers.register("EXPORT", "NEW")
class PublishPackage:
    def run(self, ctx: handlers.JobContext) -> None:
        info = take_snapshot(ctx, PUBLISH_IN_PROGRESS)
        with ctx.db.transaction() as session:
            job, pkg = _load(session, ctx.job_id, PUBLISH_IN_PROGRESS)
            now = record_version(session, job, pkg, info)
            pkg.status = PUBLISHED
            pkg.publish_date = now
            pkg.expiry = now + int(job.params.get("expiryPeriod", 90)) * DAY_MS

    def on_failure(self, session: Session, job: Job, reason: str) -> None:
        pkg = repository.get(session, job.package_id or "")
        if pkg is not None and pkg.status == PUBLISH_IN_PROGRESS:
            pkg.status = PUBLISH_FAILED
            pkg.failure_reason = reason
            pkg.version += 1
            pkg.modified_date = now_ms()


@handlers.register("VERSION", "UPGRADE")
class SaveVersion:
    """Snapshot the source sandbox's current state as the package's next version."""

    def run(self, ctx: handlers.JobContext) -> None:
        info = take_snapshot(ctx, PUBLISHED)
        with ctx.db.transaction() as session:
            job, pkg = _load(session, ctx.job_id, PUBLISHED)
            if (pkg.latest_package_version or 0) >= (job.package_version or 0):
                raise Conflict(f"package {pkg.id} already has version {pkg.latest_package_version}")
            record_version(session, job, pkg, info)

    def on_failure(self, session: Session, job: Job, reason: str) -> None:
        """Nothing to undo: no version was recorded."""
