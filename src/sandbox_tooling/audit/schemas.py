"""Read model of audit events, in the casing of the platform's Audit Query events."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sandbox_tooling.kit.clock import ms_to_iso
from sandbox_tooling.kit.schema import ReadModel, set_fields
from sandbox_tooling.models import AuditEvent
from sandbox_tooling.models.enums import AuditAction, AuditStatus


class AuditEventRead(ReadModel):
    """One change: who (``user``, ``clientId``), when (``timestamp``), where
    (``sandboxName``), what (``action`` on ``assetType``/``assetId``) and how it ended
    (``status``). Fields without a value are left out."""

    id: str
    timestamp: str = Field(description="ISO-8601 UTC, milliseconds.")
    ims_org_id: str = Field(alias="imsOrgId")
    sandbox_name: str | None = Field(default=None, alias="sandboxName")
    user: str | None = Field(default=None, description="The user id (absent: the operator).")
    client_id: str | None = Field(default=None, alias="clientId")
    action: AuditAction
    asset_type: str = Field(alias="assetType")
    asset_id: str | None = Field(default=None, alias="assetId")
    asset_name: str | None = Field(default=None, alias="assetName")
    status: AuditStatus
    details: dict[str, Any]

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventRead:
        return cls(
            id=event.id,
            timestamp=ms_to_iso(event.timestamp),
            ims_org_id=event.org_id,
            action=AuditAction(event.action),
            asset_type=event.asset_type,
            status=AuditStatus(event.status),
            details=event.details,
            **set_fields(
                sandbox_name=event.sandbox_name,
                user=event.user_id,
                client_id=event.client_id,
                asset_id=event.asset_id,
                asset_name=event.asset_name,
            ),
        )
