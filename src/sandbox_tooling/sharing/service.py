"""Sharing rules: partner links (SPEC §5.1-§5.3), private transfers (§5.4-§5.6) and public
packages pulled by any org (§5.7, §7.5)."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
from sqlalchemy.orm import Session

from sandbox_tooling.errors import BadRequest, Conflict, Forbidden, NotFound
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.job import service as job_service
from sandbox_tooling.kit.clock import now_ms
from sandbox_tooling.kit.ids import dashed_uuid, hex32
from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.models import Handshake, Job, Org, Package, Transfer
from sandbox_tooling.package import repository as package_repository
from sandbox_tooling.package import service as package_service
from sandbox_tooling.sharing import repository
from sandbox_tooling.sharing.schemas import (
    BulkCreate,
    HandshakeAction,
    PullRequest,
    TransferRequest,
)

PENDING_ALIASES = {"IN_PROGRESS": "APPROVAL_PENDING"}


# -- handshakes -------------------------------------------------------------------------------
def _history_entry(
    principal: Principal | None, org_id: str, action: str, reason: str | None
) -> dict[str, Any]:
    return {
        "actionTakenBy": principal.user_id if principal else None,
        "actionTakenByName": principal.user.name if principal else None,
        "actionTakenByImsOrgID": org_id,
        "action": action,
        "actionTimeStamp": now_ms(),
        "reason": reason,
    }


def bulk_create(session: Session, principal: Principal, body: BulkCreate) -> dict[str, Any]:
    principal.require("Package", "share")
    if body.source_ims_details.id != principal.org_id:
        raise BadRequest(
            f"sourceIMSDetails.id: '{body.source_ims_details.id}' is not the "
            f"caller's org '{principal.org_id}'"
        )
    known = repository.orgs(session, body.target_ims_org_ids)
    ok: dict[str, Any] = {}
    failed: dict[str, Any] = {}
    for target in dict.fromkeys(body.target_ims_org_ids):
        if target == principal.org_id:
            failed[target] = {"reason": "an org cannot link with itself"}
            continue
        if target not in known:
            failed[target] = {"reason": f"org {target} does not exist"}
            continue
        existing = repository.link_between(
            session, principal.org_id, target, repository.OPEN_STATUSES
        )
        if existing is not None:
            failed[target] = {
                "reason": f"a link with {target} is already {existing.status} "
                f"(linkingId {existing.linking_id})"
            }
            continue
        now = now_ms()
        link = Handshake(
            id=hex32(),
            linking_id=dashed_uuid(),
            source_org_id=principal.org_id,
            target_org_id=target,
            status="APPROVAL_PENDING",
            version=0,
            target_region=None,
            target_org_name=None,
            status_history=[_history_entry(principal, principal.org_id, "INITIATED", None)],
            created_by=principal.user_id,
            created_by_name=principal.user.name,
            modified_by=principal.user_id,
            modified_by_name=principal.user.name,
            modified_by_org_id=principal.org_id,
            created_date=now,
            modified_date=now,
        )
        session.add(link)
        session.flush()
        ok[target] = render_handshake(link, {principal.org_id: principal.org}, bulk=True)
    return {"successfulRequests": ok, "failedRequests": failed}


def act(session: Session, principal: Principal, body: HandshakeAction) -> Handshake:
    link = repository.by_linking_id(session, _dashed(body.linking_id))
    if link is None or principal.org_id not in (link.source_org_id, link.target_org_id):
        raise NotFound(f"linkingID: no link '{body.linking_id}'")
    if principal.org_id != link.target_org_id:
        raise Forbidden("linkingID: only the target org of a link can approve or reject it")
    principal.require("Package", "share")
    details = body.target_ims_org_details
    org = principal.org
    for field, given, actual in (
        ("id", details.id, org.id),
        ("name", details.name, org.name),
        ("region", details.region.lower(), org.region),
    ):
        if given != actual:
            raise BadRequest(
                f"targetIMSOrgDetails.{field}: '{given}' does not match the target org's {field}"
            )
    if link.status != "APPROVAL_PENDING":
        raise Conflict(f"the link is already {link.status}; that is final")
    link.status = body.status
    link.target_region = org.region
    link.target_org_name = org.name
    link.status_history = [
        *link.status_history,
        _history_entry(principal, org.id, body.status, body.reason),
    ]
    link.version += 1
    link.modified_by, link.modified_by_name = principal.user_id, principal.user.name
    link.modified_by_org_id = org.id
    link.modified_date = now_ms()
    session.flush()
    return link


def _dashed(linking_id: str) -> str:
    """Links are stored with dashed UUIDs; requests also send them as 32 hex characters."""
    raw = linking_id.strip().lower()
    if len(raw) == 32 and "-" not in raw:
        return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
    return raw


def list_handshakes(
    session: Session, principal: Principal, direction: str | None, query: ListQuery
) -> tuple[list[Handshake], int]:
    principal.require("Package", "view")
    filters = tuple(
        dataclasses.replace(f, values=tuple(PENDING_ALIASES.get(v, v) for v in f.values))
        if f.column == "status"
        else f
        for f in query.filters
    )
    return repository.handshakes(
        session, principal.org_id, direction, dataclasses.replace(query, filters=filters)
    )


def render_handshake(
    link: Handshake, orgs: dict[str, Org], *, bulk: bool = False
) -> dict[str, Any]:
    source = orgs.get(link.source_org_id)
    out: dict[str, Any] = {
        "id": link.id,
        "version": link.version,
        "createdDate": link.created_date,
        "modifiedDate": link.modified_date,
        "createdBy": link.created_by,
        "modifiedBy": link.modified_by,
        "sourceIMSOrgId": link.source_org_id,
        "targetIMSOrgId": link.target_org_id,
        "sourceRegion": source.region if source else None,
        "targetRegion": link.target_region,
        # the bulkCreate answer spells it sourceIMSOrgName (SPEC §12 item 11)
        ("sourceIMSOrgName" if bulk else "sourceOrgName"): source.name if source else None,
        "targetOrgName": link.target_org_name,
        "status": link.status,
        "createdByName": link.created_by_name,
        "modifiedByName": link.modified_by_name,
        "modifiedByIMSOrgId": link.modified_by_org_id,
        "statusHistory": orjson.dumps(link.status_history).decode(),
        "linkingId": link.linking_id,
    }
    return out


# -- transfers --------------------------------------------------------------------------------
def _new_transfer(
    principal: Principal, pkg: Package, target: str, request_type: str, source_org: str
) -> Transfer:
    now = now_ms()
    return Transfer(
        id=hex32(),
        version=0,
        request_type=request_type,
        source_org_id=source_org,
        target_org_id=target,
        package_id=pkg.id,
        package_name=pkg.name,
        status="PENDING",
        initiated_by=principal.user_id,
        pipeline_message_id=dashed_uuid() if request_type == "PUBLIC" else None,
        job_id=None,
        target_package_id=None,
        messages=[],
        failure_reason=None,
        completed_time=None,
        created_by=principal.user_id,
        modified_by=principal.user_id,
        created_date=now,
        modified_date=now,
    )


def _transfer_job(session: Session, principal: Principal, transfer: Transfer, pkg: Package) -> Job:
    session.add(transfer)
    session.flush()
    job = job_service.create_for_package(
        session,
        pkg,
        request_type="TRANSFER",
        job_type="NEW",
        name=f"Transfer of {pkg.name} to {transfer.target_org_id}",
        actor=principal.user_id,
        params={"transferId": transfer.id},
    )
    transfer.job_id = job.id
    return job


def create_transfers(
    session: Session, principal: Principal, body: TransferRequest
) -> tuple[list[Transfer], list[Job]]:
    """One transfer per target; a target without an approved link fails in its job."""
    pkg = package_service.require(session, principal, body.package_id)
    principal.require("Package", "share", pkg.source_sandbox_name)
    if pkg.status != package_service.PUBLISHED:
        raise Conflict(f"package {pkg.id} is {pkg.status}; only PUBLISHED packages can be shared")
    targets = list(dict.fromkeys(t.ims_org_id for t in body.targets))
    for i, target in enumerate(targets):
        if target == principal.org_id:
            raise BadRequest(f"targets[{i}].imsOrgId: a package cannot be shared with its own org")
    transfers, jobs = [], []
    for target in targets:
        transfer = _new_transfer(principal, pkg, target, "PRIVATE", principal.org_id)
        jobs.append(_transfer_job(session, principal, transfer, pkg))
        transfers.append(transfer)
    return transfers, jobs


def pull(session: Session, principal: Principal, body: PullRequest) -> tuple[Transfer, Job]:
    """Any org pulls a PUBLIC package of another org; a private one is 'not found'."""
    principal.require("Package", "share")
    pkg = package_repository.get(session, body.package_id)
    if (
        pkg is None
        or pkg.org_id != body.ims_org_id
        or pkg.visibility != "PUBLIC"
        or pkg.status != package_service.PUBLISHED
    ):
        raise NotFound(f"packageId: no public package {body.package_id} in org {body.ims_org_id}")
    if pkg.org_id == principal.org_id:
        raise BadRequest("imsOrgId: the package is already the caller's own")
    transfer = _new_transfer(principal, pkg, principal.org_id, "PUBLIC", pkg.org_id)
    return transfer, _transfer_job(session, principal, transfer, pkg)


def get_transfer(session: Session, principal: Principal, transfer_id: str) -> Transfer:
    principal.require("Package", "view")
    transfer = session.get(Transfer, transfer_id)
    if transfer is None or principal.org_id not in (transfer.source_org_id, transfer.target_org_id):
        raise NotFound(f"transfer {transfer_id} not found")
    return transfer


def render_transfer(t: Transfer, orgs: dict[str, Org]) -> dict[str, Any]:
    source, target = orgs.get(t.source_org_id), orgs.get(t.target_org_id)
    out: dict[str, Any] = {
        "id": t.id,
        "version": t.version,
        "createdDate": t.created_date,
        "modifiedDate": t.modified_date,
        "createdBy": t.created_by,
        "modifiedBy": t.modified_by,
        "sourceIMSOrgId": t.source_org_id,
        "sourceOrgName": source.name if source else None,
        "targetIMSOrgId": t.target_org_id,
        "targetOrgName": target.name if target else None,
        "packageId": t.package_id,
        "packageName": t.package_name,
        "status": t.status,
        "initiatedBy": t.initiated_by,
        "requestType": t.request_type,
        "transferDetails": {
            "messages": t.messages,
            "additionalMetadata": {"targetPackageId": t.target_package_id},
        },
    }
    if t.completed_time is not None:
        out["completedTime"] = t.completed_time
    if t.pipeline_message_id:
        out["pipelineMessageId"] = t.pipeline_message_id
    if t.target_package_id:
        out["targetPackageId"] = t.target_package_id
    if t.failure_reason:
        out["failureReason"] = t.failure_reason
    return out


def present_handshakes(
    session: Session, links: list[Handshake], *, bulk: bool = False
) -> list[dict[str, Any]]:
    """Links rendered with their orgs' names and regions (one query for all)."""
    orgs = repository.orgs(
        session, [x.source_org_id for x in links] + [x.target_org_id for x in links]
    )
    return [render_handshake(x, orgs, bulk=bulk) for x in links]


def present_transfers(session: Session, transfers: list[Transfer]) -> list[dict[str, Any]]:
    """Transfers rendered with their orgs' names (one query for all)."""
    orgs = repository.orgs(
        session, [t.source_org_id for t in transfers] + [t.target_org_id for t in transfers]
    )
    return [render_transfer(t, orgs) for t in transfers]
