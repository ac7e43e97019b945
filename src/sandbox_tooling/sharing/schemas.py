"""Request bodies and read models of the /handshake and /transfer endpoints."""

from __future__ import annotations

from typing import Literal

import orjson
from pydantic import AliasChoices, Field

from sandbox_tooling.kit.schema import ReadModel, Tracked, set_fields
from sandbox_tooling.models import Handshake, Org, Transfer
from sandbox_tooling.models.enums import HandshakeStatus, TransferKind, TransferStatus
from sandbox_tooling.package.schemas import Lenient, Strict


class OrgDetails(Lenient):
    id: str = Field(min_length=1, max_length=128)
    name: str | None = Field(default=None, max_length=256)


class BulkCreate(Strict):
    target_ims_org_ids: list[str] = Field(alias="targetIMSOrgIds", min_length=1, max_length=100)
    source_ims_details: OrgDetails = Field(alias="sourceIMSDetails")


class TargetOrgDetails(Lenient):
    id: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=256)
    region: str = Field(min_length=1, max_length=32)


class HandshakeAction(Strict):
    # The documents' request writes ``linkingID``; responses (and some clients) ``linkingId``.
    linking_id: str = Field(
        validation_alias=AliasChoices("linkingID", "linkingId"), min_length=1, max_length=64
    )
    status: Literal["APPROVED", "REJECTED"]
    reason: str = Field(max_length=2_000)
    target_ims_org_details: TargetOrgDetails = Field(alias="targetIMSOrgDetails")


class TransferTarget(Lenient):
    ims_org_id: str = Field(alias="imsOrgId", min_length=1, max_length=128)


class TransferRequest(Strict):
    package_id: str = Field(alias="packageId", min_length=1)
    targets: list[TransferTarget] = Field(min_length=1, max_length=100)


class PullRequest(Strict):
    ims_org_id: str = Field(alias="imsOrgId", min_length=1, max_length=128)
    package_id: str = Field(alias="packageId", min_length=1)


# -- read models ------------------------------------------------------------------------------
class HandshakeRead(Tracked):
    """A link between two orgs. ``statusHistory`` is a JSON-encoded string, as documented."""

    source_ims_org_id: str = Field(alias="sourceIMSOrgId")
    target_ims_org_id: str = Field(alias="targetIMSOrgId")
    source_region: str | None = Field(alias="sourceRegion")
    target_region: str | None = Field(alias="targetRegion")
    source_org_name: str | None = Field(default=None, alias="sourceOrgName")
    # the bulkCreate answer spells it sourceIMSOrgName (SPEC §12 item 11)
    source_ims_org_name: str | None = Field(default=None, alias="sourceIMSOrgName")
    target_org_name: str | None = Field(alias="targetOrgName")
    status: HandshakeStatus
    created_by_name: str = Field(alias="createdByName")
    modified_by_name: str = Field(alias="modifiedByName")
    modified_by_ims_org_id: str = Field(alias="modifiedByIMSOrgId")
    status_history: str = Field(alias="statusHistory")
    linking_id: str = Field(alias="linkingId")

    @classmethod
    def of(cls, link: Handshake, orgs: dict[str, Org], *, bulk: bool = False) -> HandshakeRead:
        source = orgs.get(link.source_org_id)
        name = source.name if source else None
        return cls(
            **cls.tracking(link),
            source_ims_org_id=link.source_org_id,
            target_ims_org_id=link.target_org_id,
            source_region=source.region if source else None,
            target_region=link.target_region,
            **({"source_ims_org_name": name} if bulk else {"source_org_name": name}),
            target_org_name=link.target_org_name,
            status=HandshakeStatus(link.status),
            created_by_name=link.created_by_name,
            modified_by_name=link.modified_by_name,
            modified_by_ims_org_id=link.modified_by_org_id,
            status_history=orjson.dumps(link.status_history).decode(),
            linking_id=link.linking_id,
        )


class FailedRequest(ReadModel):
    reason: str


class BulkCreateRead(ReadModel):
    successful_requests: dict[str, HandshakeRead] = Field(alias="successfulRequests")
    failed_requests: dict[str, FailedRequest] = Field(alias="failedRequests")


class TransferMetadata(ReadModel):
    target_package_id: str | None = Field(alias="targetPackageId")


class TransferDetails(ReadModel):
    """Progress messages (a failed transfer's last one carries the reason, as ``reason``
    does)."""

    messages: list[str]
    additional_metadata: TransferMetadata = Field(alias="additionalMetadata")
    reason: str | None = Field(default=None, description="Why the transfer FAILED.")


class TransferRead(Tracked):
    source_ims_org_id: str = Field(alias="sourceIMSOrgId")
    source_org_name: str | None = Field(alias="sourceOrgName")
    target_ims_org_id: str = Field(alias="targetIMSOrgId")
    target_org_name: str | None = Field(alias="targetOrgName")
    package_id: str = Field(alias="packageId")
    package_name: str = Field(alias="packageName")
    status: TransferStatus
    initiated_by: str = Field(alias="initiatedBy")
    request_type: TransferKind = Field(alias="requestType")
    transfer_details: TransferDetails = Field(alias="transferDetails")
    completed_time: int | None = Field(default=None, alias="completedTime")
    pipeline_message_id: str | None = Field(default=None, alias="pipelineMessageId")
    target_package_id: str | None = Field(default=None, alias="targetPackageId")
    failure_reason: str | None = Field(default=None, alias="failureReason")

    @classmethod
    def of(cls, t: Transfer, orgs: dict[str, Org]) -> TransferRead:
        source, target = orgs.get(t.source_org_id), orgs.get(t.target_org_id)
        return cls(
            **cls.tracking(t),
            source_ims_org_id=t.source_org_id,
            source_org_name=source.name if source else None,
            target_ims_org_id=t.target_org_id,
            target_org_name=target.name if target else None,
            package_id=t.package_id,
            package_name=t.package_name,
            status=TransferStatus(t.status),
            initiated_by=t.initiated_by,
            request_type=TransferKind(t.request_type),
            transfer_details=TransferDetails(
                messages=t.messages,
                additional_metadata=TransferMetadata(target_package_id=t.target_package_id),
                **set_fields(
                    reason=t.failure_reason if t.status == TransferStatus.FAILED else None
                ),
            ),
            **set_fields(
                completed_time=t.completed_time,
                pipeline_message_id=t.pipeline_message_id or None,
                target_package_id=t.target_package_id or None,
                failure_reason=t.failure_reason or None,
            ),
        )
