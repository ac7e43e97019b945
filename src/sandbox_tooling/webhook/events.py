"""The ``data`` of each webhook event: ids, names and statuses of the object, nothing else
(no definitions, no credentials)."""

from __future__ import annotations

from typing import Any

from sandbox_tooling.models import Handshake, Job, Package, Transfer
from sandbox_tooling.models.enums import JobStatus


def _set(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def job(row: Job) -> dict[str, Any]:
    return _set(
        id=row.id,
        name=row.name,
        requestType=row.request_type,
        jobType=row.job_type,
        jobStatus=row.status,
        packageId=row.package_id,
        packageVersion=row.package_version,
        sourceSandbox=row.source_sandbox,
        destinationSandbox=row.destination_sandbox,
        createdBy=row.created_by,
        createdTimestamp=row.created_date,
        finishedTimestamp=row.finished_date,
        errorMessage=(row.error or "")[:1000] or None if row.status == JobStatus.FAILED else None,
    )


def package(row: Package, version: int | None) -> dict[str, Any]:
    return _set(
        id=row.id,
        name=row.name,
        packageType=row.package_type,
        status=row.status,
        sourceSandbox={"name": row.source_sandbox_name, "imsOrgId": row.source_org_id},
        packageVersion=version,
        publishDate=row.publish_date,
    )


def transfer(row: Transfer) -> dict[str, Any]:
    return _set(
        id=row.id,
        requestType=row.request_type,
        status=row.status,
        packageId=row.package_id,
        packageName=row.package_name,
        sourceIMSOrgId=row.source_org_id,
        targetIMSOrgId=row.target_org_id,
        targetPackageId=row.target_package_id,
        jobId=row.job_id,
        failureReason=(row.failure_reason or "")[:1000] or None,
    )


def handshake(row: Handshake) -> dict[str, Any]:
    last = row.status_history[-1] if row.status_history else {}
    return _set(
        linkingId=row.linking_id,
        status=row.status,
        sourceIMSOrgId=row.source_org_id,
        targetIMSOrgId=row.target_org_id,
        actionTakenBy=last.get("actionTakenBy"),
        reason=last.get("reason"),
    )
