"""The transfer job (TRANSFER/NEW): give the target org its own published copy of a package.

The copy is a package of the target org (PUBLISHED, PRIVATE) with its own snapshot blobs:
the artifacts blob is copied byte for byte (same content hash), the manifest gains the copy's
ids and keeps the origin (org, tenant, package). The target org can then inspect it, check
for conflicts and import it into its own sandboxes.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy.orm import Session

from sandbox_tooling.errors import Conflict
from sandbox_tooling.job import handlers
from sandbox_tooling.job import service as job_service
from sandbox_tooling.kit.clock import DAY_MS, now_ms
from sandbox_tooling.kit.ids import dashed_uuid, hex32
from sandbox_tooling.models import Job, Package, PackageVersion, Transfer
from sandbox_tooling.package import repository as package_repository
from sandbox_tooling.package import snapshot
from sandbox_tooling.sharing import repository

STEPS = (
    "Fetched Package",
    "Fetched Manifest",
    "Tenant Identified",
    "Fetched Sandbox Id",
    "Fetched Blob Files",
    "Completed Transfer",
)


def _transfer(session: Session, job: Job) -> Transfer:
    transfer = session.get(Transfer, job.params["transferId"])
    if transfer is None:
        raise Conflict(f"transfer {job.params['transferId']} no longer exists")
    return transfer


@handlers.register("TRANSFER", "NEW")
class TransferPackage:
    def run(self, ctx: handlers.JobContext) -> None:
        with ctx.db.transaction() as session:
            job = job_service.require_running(session, ctx.job_id)
            transfer = _transfer(session, job)
            transfer.status = "IN_PROGRESS"
            transfer.version += 1
            transfer.modified_date = now_ms()
        with ctx.db.transaction() as session:
            job = job_service.require_running(session, ctx.job_id)
            transfer = _transfer(session, job)
            self._copy(ctx, session, transfer)
            job_service.succeed(
                job,
                {
                    **job_service.empty_result(),
                    "transfer": {"id": transfer.id, "targetPackageId": transfer.target_package_id},
                },
            )

    def _copy(self, ctx: handlers.JobContext, session: Session, transfer: Transfer) -> None:
        messages: list[str] = []
        pkg = package_repository.get(session, transfer.package_id)
        if pkg is None or pkg.org_id != transfer.source_org_id or pkg.status != "PUBLISHED":
            raise Conflict(
                f"package {transfer.package_id} is no longer a published package of "
                f"org {transfer.source_org_id}"
            )
        if transfer.request_type == "PUBLIC" and pkg.visibility != "PUBLIC":
            raise Conflict(f"package {pkg.id} is not public")
        orgs = repository.orgs(session, [transfer.source_org_id, transfer.target_org_id])
        target = orgs.get(transfer.target_org_id)
        if target is None:
            raise Conflict(f"target org {transfer.target_org_id} does not exist")
        if (
            transfer.request_type == "PRIVATE"
            and repository.link_between(
                session, transfer.source_org_id, transfer.target_org_id, ("APPROVED",)
            )
            is None
        ):
            raise Conflict(
                f"org {transfer.target_org_id} has no approved link with org "
                f"{transfer.source_org_id}; send a handshake and have it approved"
            )
        messages.append(STEPS[0])
        version = package_repository.latest_version(session, pkg.id)
        if version is None:
            raise Conflict(f"package {pkg.id} has no snapshot")
        manifest: dict[str, Any] = snapshot.read_manifest(ctx.blobs, version)
        messages += [STEPS[1], STEPS[2], STEPS[3]]
        now = now_ms()
        copy_id, snapshot_id = hex32(), dashed_uuid()
        prefix = f"snapshots/{target.id}/{copy_id}/{snapshot_id}"
        artifacts_key, manifest_key = f"{prefix}/artifacts.jsonl", f"{prefix}/manifest.json"
        ctx.blobs.put(artifacts_key, ctx.blobs.get(version.artifacts_key))
        origin = {
            "imsOrgId": pkg.org_id,
            "packageId": pkg.id,
            "snapshotId": version.snapshot_id,
            "transferId": transfer.id,
        }
        ctx.blobs.put(
            manifest_key,
            orjson.dumps(
                {
                    **manifest,
                    "packageId": copy_id,
                    "snapshotId": snapshot_id,
                    "packageVersion": 0,
                    "ownerOrgId": target.id,
                    "origin": origin,
                }
            ),
        )
        messages.append(STEPS[4])
        name = pkg.name
        if package_repository.by_name(session, target.id, name) is not None:
            name = f"{pkg.name}_{now}"
        copy = Package(
            id=copy_id,
            org_id=target.id,
            name=name,
            description=pkg.description,
            package_type=pkg.package_type,
            source_sandbox_name=pkg.source_sandbox_name,
            source_org_id=pkg.org_id,
            status="PUBLISHED",
            visibility="PRIVATE",
            access_type="TENANT",
            expiry=max(pkg.expiry, now + DAY_MS),
            publish_date=now,
            version=0,
            latest_package_version=0,
            artifacts=pkg.artifacts,
            failure_reason=None,
            tenant_id=pkg.tenant_id,
            client_id=pkg.client_id,
            created_date=now,
            modified_date=now,
            created_by=transfer.initiated_by,
            modified_by=transfer.initiated_by,
        )
        session.add(copy)
        session.flush()
        session.add(
            PackageVersion(
                package_id=copy.id,
                package_version=0,
                snapshot_id=snapshot_id,
                manifest_key=manifest_key,
                artifacts_key=artifacts_key,
                content_hash=version.content_hash,
                artifact_count=version.artifact_count,
                created_date=now,
                created_by=transfer.initiated_by,
            )
        )
        messages += [STEPS[5], "Finished with status: COMPLETED"]
        transfer.status = "COMPLETED"
        transfer.messages = messages
        transfer.target_package_id = copy.id
        transfer.completed_time = now
        transfer.version += 1
        transfer.modified_date = now

    def on_failure(self, session: Session, job: Job, reason: str) -> None:
        transfer = session.get(Transfer, job.params.get("transferId", ""))
        if transfer is not None and transfer.status in ("PENDING", "IN_PROGRESS"):
            transfer.status = "FAILED"
            transfer.failure_reason = reason
            transfer.messages = [*transfer.messages, "Finished with status: FAILED"]
            transfer.completed_time = now_ms()
            transfer.version += 1
            transfer.modified_date = now_ms()
