"""Sharing rules: partner links (SPEC §5.1-§5.3), private transfers (§5.4-§5.6) and public
packages pulled by any org (§5.7, §7.5)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from sandbox_tooling.audit import service as audit_service
from sandbox_tooling.errors import NotCallersOrg
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.job import service as job_service
from sandbox_tooling.kit.clock import DAY_MS, now_ms
from sandbox_tooling.kit.ids import dashed_uuid, hex32
from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.models import Handshake, Job, Org, Package, Transfer
from sandbox_tooling.models.enums import (
    AuditAction,
    HandshakeStatus,
    JobType,
    PackageStatus,
    RequestType,
    TransferKind,
    TransferStatus,
    Visibility,
)
from sandbox_tooling.models.enums import (
    HandshakeAction as LinkAction,
)
from sandbox_tooling.package import service as package_service
from sandbox_tooling.package import snapshot
from sandbox_tooling.package.errors import PackageNotPublished
from sandbox_tooling.sharing import repository
from sandbox_tooling.sharing.errors import (
    CannotShareWithSelf,
    LinkDecided,
    LinkNotFound,
    NoApprovedLink,
    NotLinkTarget,
    OrgDetailsMismatch,
    PublicPackageNotFound,
    TransferGone,
    TransferNotFound,
    TransferRefused,
)
from sandbox_tooling.sharing.schemas import (
    BulkCreate,
    HandshakeAction,
    PullRequest,
    TransferRequest,
)
from sandbox_tooling.webhook import service as webhook_service

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime

PENDING_ALIASES = {"IN_PROGRESS": HandshakeStatus.APPROVAL_PENDING}
OPEN_STATUSES = (HandshakeStatus.APPROVAL_PENDING, HandshakeStatus.APPROVED)


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


@dataclass
class BulkResult:
    """Per target org: the link created, or why none was."""

    created: dict[str, Handshake] = dataclass_field(default_factory=dict)
    failed: dict[str, str] = dataclass_field(default_factory=dict)


def bulk_create(session: Session, principal: Principal, body: BulkCreate) -> BulkResult:
    principal.require("Package", "share")
    if body.source_ims_details.id != principal.org_id:
        raise NotCallersOrg("sourceIMSDetails.id", body.source_ims_details.id, principal.org_id)
    # Both ends' org rows are locked: two requests linking the same orgs run one after the
    # other, and the second sees the first's link.
    known = repository.orgs(session, [principal.org_id, *body.target_ims_org_ids], for_update=True)
    out = BulkResult()
    for target in dict.fromkeys(body.target_ims_org_ids):
        if target == principal.org_id:
            out.failed[target] = "an org cannot link with itself"
            continue
        if target not in known:
            out.failed[target] = f"org {target} does not exist"
            continue
        existing = repository.link_between(session, principal.org_id, target, OPEN_STATUSES)
        if existing is not None:
            out.failed[target] = (
                f"a link with {target} is already {existing.status} "
                f"(linkingId {existing.linking_id})"
            )
            continue
        now = now_ms()
        link = Handshake(
            id=hex32(),
            linking_id=dashed_uuid(),
            source_org_id=principal.org_id,
            target_org_id=target,
            status=HandshakeStatus.APPROVAL_PENDING,
            version=0,
            target_region=None,
            target_org_name=None,
            status_history=[
                _history_entry(principal, principal.org_id, LinkAction.INITIATED, None)
            ],
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
        _audit_link(session, principal, AuditAction.HANDSHAKE_REQUEST, link)
        webhook_service.handshake_changed(session, link)
        out.created[target] = link
    return out


def _audit_link(
    session: Session, principal: Principal, action: AuditAction, link: Handshake
) -> None:
    audit_service.record(
        session,
        org_id=principal.org_id,
        actor=principal,
        action=action,
        sandbox=None,
        object_type="Handshake",
        object_id=link.linking_id,
        details={
            "sourceIMSOrgId": link.source_org_id,
            "targetIMSOrgId": link.target_org_id,
            "status": link.status,
        },
    )


def act(session: Session, principal: Principal, body: HandshakeAction) -> Handshake:
    link = repository.by_linking_id(session, _dashed(body.linking_id))
    if link is None or principal.org_id not in (link.source_org_id, link.target_org_id):
        raise LinkNotFound(f"linkingID: no link '{body.linking_id}'")
    if principal.org_id != link.target_org_id:
        raise NotLinkTarget("linkingID: only the target org of a link can approve or reject it")
    principal.require("Package", "share")
    details = body.target_ims_org_details
    org = principal.org
    for field, given, actual in (
        ("id", details.id, org.id),
        ("name", details.name, org.name),
        ("region", details.region.lower(), org.region),
    ):
        if given != actual:
            raise OrgDetailsMismatch(
                f"targetIMSOrgDetails.{field}: '{given}' does not match the target org's {field}"
            )
    if link.status != HandshakeStatus.APPROVAL_PENDING:
        raise LinkDecided(f"the link is already {link.status}; that is final")
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
    approved = link.status == HandshakeStatus.APPROVED
    action = AuditAction.HANDSHAKE_APPROVE if approved else AuditAction.HANDSHAKE_REJECT
    _audit_link(session, principal, action, link)
    webhook_service.handshake_changed(session, link)
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
    principal.require("Package", "share")
    filters = tuple(
        dataclasses.replace(f, values=tuple(PENDING_ALIASES.get(v, v) for v in f.values))
        if f.column == "status"
        else f
        for f in query.filters
    )
    return repository.handshakes(
        session, principal.org_id, direction, dataclasses.replace(query, filters=filters)
    )


# -- transfers --------------------------------------------------------------------------------
def _new_transfer(
    principal: Principal, pkg: Package, target: str, request_type: TransferKind, source_org: str
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
        status=TransferStatus.PENDING,
        initiated_by=principal.user_id,
        pipeline_message_id=dashed_uuid() if request_type == TransferKind.PUBLIC else None,
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
        request_type=RequestType.TRANSFER,
        job_type=JobType.NEW,
        name=f"Transfer of {pkg.name} to {transfer.target_org_id}",
        actor=principal.user_id,
        params={"transferId": transfer.id},
    )
    transfer.job_id = job.id
    audit_service.job_submitted(session, principal, principal.org_id, job)
    return job


def create_transfers(
    session: Session, principal: Principal, body: TransferRequest
) -> tuple[list[Transfer], list[Job]]:
    """One transfer per target; a target without an approved link fails in its job."""
    pkg = package_service.require(session, principal, body.package_id)
    principal.require("Package", "share", pkg.source_sandbox_name)
    if pkg.status != PackageStatus.PUBLISHED:
        raise PackageNotPublished(
            f"package {pkg.id} is {pkg.status}; only PUBLISHED packages can be shared"
        )
    targets = list(dict.fromkeys(t.ims_org_id for t in body.targets))
    for i, target in enumerate(targets):
        if target == principal.org_id:
            raise CannotShareWithSelf(
                f"targets[{i}].imsOrgId: a package cannot be shared with its own org"
            )
    transfers, jobs = [], []
    for target in targets:
        transfer = _new_transfer(principal, pkg, target, TransferKind.PRIVATE, principal.org_id)
        jobs.append(_transfer_job(session, principal, transfer, pkg))
        transfers.append(transfer)
    return transfers, jobs


def pull(session: Session, principal: Principal, body: PullRequest) -> tuple[Transfer, Job]:
    """Any org pulls a PUBLIC package of another org; a private one is 'not found'."""
    principal.require("Package", "share")
    pkg = package_service.get_any(session, body.package_id)
    if (
        pkg is None
        or pkg.org_id != body.ims_org_id
        or pkg.visibility != Visibility.PUBLIC
        or pkg.status != PackageStatus.PUBLISHED
    ):
        raise PublicPackageNotFound(
            f"packageId: no public package {body.package_id} in org {body.ims_org_id}"
        )
    if pkg.org_id == principal.org_id:
        raise CannotShareWithSelf("imsOrgId: the package is already the caller's own")
    transfer = _new_transfer(principal, pkg, principal.org_id, TransferKind.PUBLIC, pkg.org_id)
    return transfer, _transfer_job(session, principal, transfer, pkg)


def get_transfer(session: Session, principal: Principal, transfer_id: str) -> Transfer:
    principal.require("Package", "share")
    transfer = repository.transfer(session, transfer_id)
    if transfer is None or not visible(session, transfer, principal.org_id):
        raise TransferNotFound(f"transfer {transfer_id} not found")
    return transfer


def visible(session: Session, transfer: Transfer, org_id: str) -> bool:
    """A transfer is visible to the org that sent it, and to its target org once the two
    are linked (an approved link) or when the target pulled it (PUBLIC): an org learns
    nothing from an org it has not linked with, not even a refused transfer."""
    if org_id == transfer.source_org_id:
        return True
    if org_id != transfer.target_org_id:
        return False
    if transfer.request_type == TransferKind.PUBLIC:
        return True
    approved = (HandshakeStatus.APPROVED,)
    return repository.link_between(session, transfer.source_org_id, org_id, approved) is not None


def orgs_of(session: Session, links: Sequence[Handshake] | Sequence[Transfer]) -> dict[str, Org]:
    """The orgs at both ends of these links or transfers (one query for all)."""
    return repository.orgs(
        session, [x.source_org_id for x in links] + [x.target_org_id for x in links]
    )


def list_transfers(
    session: Session, principal: Principal, kind: TransferKind | None, query: ListQuery
) -> tuple[list[Transfer], int]:
    principal.require("Package", "share")
    return repository.transfers(session, principal.org_id, kind, query)


# -- the transfer job -------------------------------------------------------------------------
STEPS = (
    "Fetched Package",
    "Fetched Manifest",
    "Tenant Identified",
    "Fetched Sandbox Id",
    "Fetched Blob Files",
    "Completed Transfer",
)


def _job_transfer(session: Session, job: Job) -> Transfer:
    transfer = repository.transfer(session, job.params["transferId"], for_update=True)
    if transfer is None:
        raise TransferGone(f"transfer {job.params['transferId']} no longer exists")
    return transfer


def start_transfer(session: Session, job_id: str) -> None:
    """The transfer goes IN_PROGRESS (committed by the caller, so both orgs see it)."""
    job = job_service.require_running(session, job_id)
    transfer = _job_transfer(session, job)
    transfer.status = TransferStatus.IN_PROGRESS
    transfer.version += 1
    transfer.modified_date = now_ms()


def carry_out_transfer(session: Session, rt: Runtime, job_id: str) -> None:
    """Give the target org its own published copy of the package: a package row of the target
    org (PUBLISHED, PRIVATE) and a copy of the snapshot (same content hash; the manifest
    keeps the origin). The job succeeds in the same transaction."""
    job = job_service.require_running(session, job_id)
    transfer = _job_transfer(session, job)
    messages: list[str] = []
    pkg = package_service.get_any(session, transfer.package_id)
    if pkg is None or pkg.org_id != transfer.source_org_id or pkg.status != PackageStatus.PUBLISHED:
        raise TransferRefused(
            f"package {transfer.package_id} is no longer a published package of "
            f"org {transfer.source_org_id}"
        )
    if transfer.request_type == TransferKind.PUBLIC and pkg.visibility != Visibility.PUBLIC:
        raise TransferRefused(f"package {pkg.id} is not public")
    orgs = repository.orgs(session, [transfer.source_org_id, transfer.target_org_id])
    target = orgs.get(transfer.target_org_id)
    if target is None:
        raise TransferRefused(f"target org {transfer.target_org_id} does not exist")
    if (
        transfer.request_type == TransferKind.PRIVATE
        and repository.link_between(
            session,
            transfer.source_org_id,
            transfer.target_org_id,
            (HandshakeStatus.APPROVED,),
        )
        is None
    ):
        raise NoApprovedLink(transfer.source_org_id, transfer.target_org_id)
    messages.append(STEPS[0])
    version = package_service.latest_version(session, pkg.id)
    if version is None:
        raise TransferRefused(f"package {pkg.id} has no snapshot")
    messages += [STEPS[1], STEPS[2], STEPS[3]]
    now = now_ms()
    name = pkg.name
    if package_service.name_taken(session, target.id, name):
        name = f"{pkg.name}_{now}"
    copy = package_service.new_package(
        session,
        org_id=target.id,
        name=name,
        description=pkg.description,
        package_type=pkg.package_type,
        source_sandbox_name=pkg.source_sandbox_name,
        source_org_id=pkg.org_id,
        tenant_id=pkg.tenant_id,
        client_id=pkg.client_id,
        actor=transfer.initiated_by,
        expiry=max(pkg.expiry, now + DAY_MS),
        artifacts=pkg.artifacts,
        status=PackageStatus.PUBLISHED,
    )
    snapshot_id = dashed_uuid()
    info = snapshot.copy(
        rt.blobs,
        version,
        org_id=target.id,
        package_id=copy.id,
        snapshot_id=snapshot_id,
        manifest_changes={
            "packageVersion": 0,
            "ownerOrgId": target.id,
            "origin": {
                "imsOrgId": pkg.org_id,
                "packageId": pkg.id,
                "snapshotId": version.snapshot_id,
                "transferId": transfer.id,
            },
        },
    )
    messages.append(STEPS[4])
    package_service.add_version(
        session, copy, number=0, snapshot_id=snapshot_id, info=info, actor=transfer.initiated_by
    )
    copy.version = 0
    messages += [STEPS[5], "Finished with status: COMPLETED"]
    transfer.status = TransferStatus.COMPLETED
    transfer.messages = messages
    transfer.target_package_id = copy.id
    transfer.completed_time = now
    transfer.version += 1
    transfer.modified_date = now
    webhook_service.transfer_ended(session, transfer, target_sees=True)
    job_service.succeed(
        job,
        {
            **job_service.empty_result(),
            "transfer": {"id": transfer.id, "targetPackageId": transfer.target_package_id},
        },
    )


def transfer_failed(session: Session, job: Job, reason: str) -> None:
    transfer = repository.transfer(session, job.params.get("transferId", ""), for_update=True)
    if transfer is not None and transfer.status in (
        TransferStatus.PENDING,
        TransferStatus.IN_PROGRESS,
    ):
        transfer.status = TransferStatus.FAILED
        transfer.failure_reason = reason
        transfer.messages = [*transfer.messages, f"Finished with status: FAILED: {reason}"]
        transfer.completed_time = now_ms()
        transfer.version += 1
        transfer.modified_date = now_ms()
        target_sees = visible(session, transfer, transfer.target_org_id)
        webhook_service.transfer_ended(session, transfer, target_sees=target_sees)
