"""The publish (EXPORT/NEW) job: snapshot the package's closure into the blob store."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sandbox_tooling.errors import Conflict
from sandbox_tooling.job import handlers
from sandbox_tooling.job import repository as job_repository
from sandbox_tooling.job import service as job_service
from sandbox_tooling.job.repository import IN_PROGRESS
from sandbox_tooling.kit.clock import DAY_MS, now_ms
from sandbox_tooling.models import Job, Package, PackageVersion
from sandbox_tooling.package import repository, snapshot
from sandbox_tooling.package.service import (
    PUBLISH_FAILED,
    PUBLISH_IN_PROGRESS,
    PUBLISHED,
    package_closure,
)


@handlers.register("EXPORT", "NEW")
class PublishPackage:
    """Reads the closure in a read transaction, writes the blobs, then commits the version and
    the status change in one short write transaction. A crash before that commit leaves only
    unreferenced blobs, which the retry overwrites."""

    def run(self, ctx: handlers.JobContext) -> None:
        with ctx.db.transaction(write=False) as session:
            job, pkg = _load(session, ctx.job_id)
            assert job.snapshot_id is not None and job.package_version is not None
            cl = package_closure(session, ctx.registry, ctx.settings, pkg)
            info = snapshot.write(
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
                    "sourceSandbox": {
                        "name": pkg.source_sandbox_name,
                        "imsOrgId": pkg.source_org_id,
                    },
                    "rootArtifacts": [{"id": a["id"], "type": a["type"]} for a in pkg.artifacts],
                    "createdDate": now_ms(),
                },
            )
        with ctx.db.transaction() as session:
            job, pkg = _load(session, ctx.job_id)
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
            period = int(job.params.get("expiryPeriod", 90))
            pkg.status = PUBLISHED
            pkg.publish_date = now
            pkg.expiry = now + period * DAY_MS
            pkg.latest_package_version = job.package_version
            pkg.version += 1
            pkg.modified_date = now
            result = job_service.empty_result()
            result["snapshot"] = {
                "snapshotId": job.snapshot_id,
                "artifactCount": info.count,
                "contentHash": info.content_hash,
            }
            job_service.succeed(job, result)

    def on_failure(self, session: Session, job: Job, reason: str) -> None:
        pkg = repository.get(session, job.package_id or "")
        if pkg is not None and pkg.status == PUBLISH_IN_PROGRESS:
            pkg.status = PUBLISH_FAILED
            pkg.failure_reason = reason
            pkg.version += 1
            pkg.modified_date = now_ms()


def _load(session: Session, job_id: str) -> tuple[Job, Package]:
    job = job_repository.get(session, job_id)
    if job is None or job.status != IN_PROGRESS:
        raise Conflict(f"job {job_id} is no longer in progress")
    pkg = repository.get(session, job.package_id or "")
    if pkg is None:
        raise Conflict(f"package {job.package_id} was deleted while it was being published")
    if pkg.status != PUBLISH_IN_PROGRESS:
        raise Conflict(f"package {pkg.id} is {pkg.status}, not {PUBLISH_IN_PROGRESS}")
    return job, pkg
