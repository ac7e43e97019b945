"""Request bodies of the /handshake and /transfer endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

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
    linking_id: str = Field(alias="linkingID", min_length=1, max_length=64)
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
