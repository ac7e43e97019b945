"""The Audit Query path: ``GET /data/foundation/audit/events``."""

from __future__ import annotations

from fastapi import Request

from sandbox_tooling.api.deps import CurrentPrincipal, ListSpec, RuntimeDep, SessionDep, list_query
from sandbox_tooling.api.routing import api_router
from sandbox_tooling.audit import service as audit_service
from sandbox_tooling.audit.schemas import AuditEventRead
from sandbox_tooling.kit.listing import FieldSpec
from sandbox_tooling.kit.schema import Page
from sandbox_tooling.models.enums import AuditAction, AuditStatus

router = api_router("/data/foundation/audit", "audit")

EVENTS = ListSpec(
    fields={
        "timestamp": FieldSpec("timestamp", "date"),
        "action": FieldSpec("action", "enum", frozenset(AuditAction)),
        "status": FieldSpec("status", "enum", frozenset(AuditStatus)),
        "user": FieldSpec("user_id"),
        "sandboxName": FieldSpec("sandbox_name"),
        "assetType": FieldSpec("asset_type"),
        "assetId": FieldSpec("asset_id"),
        "clientId": FieldSpec("client_id"),
    },
    sortable={"timestamp": "timestamp"},
    default_order="-timestamp",
)


@router.get("/events", response_model=Page[AuditEventRead], openapi_extra=EVENTS.openapi())
def list_events(
    request: Request, session: SessionDep, rt: RuntimeDep, principal: CurrentPrincipal
) -> Page[AuditEventRead]:
    """List the org's audit events, newest first (``property``: ``timestamp``, ``action``,
    ``status``, ``user``, ``sandboxName``, ``assetType``, ``assetId``, ``clientId``)."""
    query = list_query(request, rt, EVENTS)
    rows, total = audit_service.list_events(session, principal, query)
    return Page[AuditEventRead].of(rows, total, query, AuditEventRead.of)
