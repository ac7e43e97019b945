"""The ``/exim/webhooks`` endpoints (beyond Adobe)."""

from __future__ import annotations

from fastapi import Request

from sandbox_tooling.api.deps import CurrentPrincipal, ListSpec, RuntimeDep, SessionDep, list_query
from sandbox_tooling.api.responses import errors
from sandbox_tooling.api.routing import api_router
from sandbox_tooling.kit.listing import FieldSpec
from sandbox_tooling.kit.schema import Page
from sandbox_tooling.models.enums import DeliveryStatus, WebhookEvent
from sandbox_tooling.webhook import service as webhook_service
from sandbox_tooling.webhook.schemas import (
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookDeleted,
    WebhookRead,
)

router = api_router("/data/foundation/exim", "webhooks")

WEBHOOKS = ListSpec(
    fields={
        "createdDate": FieldSpec("created_date", "date"),
        "createdBy": FieldSpec("created_by"),
    },
    sortable={"createdDate": "created_date"},
    default_order="-createdDate",
)
DELIVERIES = ListSpec(
    fields={
        "status": FieldSpec("status", "enum", frozenset(DeliveryStatus)),
        "event": FieldSpec("event", "enum", frozenset(WebhookEvent)),
        "eventId": FieldSpec("event_id"),
        "createdDate": FieldSpec("created_date", "date"),
    },
    sortable={"createdDate": "created_date"},
    default_order="-createdDate",
)


@router.post("/webhooks", response_model=WebhookCreated, status_code=201, responses=errors(409))
def create_webhook(
    body: WebhookCreate, session: SessionDep, rt: RuntimeDep, principal: CurrentPrincipal
) -> WebhookCreated:
    """Register a webhook; the answer holds its signing secret, shown this once."""
    hook, secret = webhook_service.create(session, rt, principal, body)
    session.commit()
    return WebhookCreated.created(hook, secret)


@router.get("/webhooks", response_model=Page[WebhookRead], openapi_extra=WEBHOOKS.openapi())
def list_webhooks(
    request: Request, session: SessionDep, rt: RuntimeDep, principal: CurrentPrincipal
) -> Page[WebhookRead]:
    """List the org's webhooks."""
    query = list_query(request, rt, WEBHOOKS)
    rows, total = webhook_service.list_webhooks(session, principal, query)
    return Page[WebhookRead].of(rows, total, query, WebhookRead.of)


@router.get("/webhooks/{webhook_id}", response_model=WebhookRead, responses=errors(404))
def get_webhook(webhook_id: str, session: SessionDep, principal: CurrentPrincipal) -> WebhookRead:
    """Look up a webhook (without its secret)."""
    return WebhookRead.of(webhook_service.get(session, principal, webhook_id))


@router.delete("/webhooks/{webhook_id}", response_model=WebhookDeleted, responses=errors(404))
def delete_webhook(
    webhook_id: str, session: SessionDep, principal: CurrentPrincipal
) -> WebhookDeleted:
    """Delete a webhook and its deliveries (pending ones are not sent)."""
    webhook_service.delete(session, principal, webhook_id)
    session.commit()
    return WebhookDeleted(reason=f"Webhook {webhook_id} deleted")


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response_model=Page[DeliveryRead],
    responses=errors(404),
    openapi_extra=DELIVERIES.openapi(),
)
def list_deliveries(
    webhook_id: str,
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
) -> Page[DeliveryRead]:
    """List a webhook's deliveries, newest first, each with its attempts."""
    query = list_query(request, rt, DELIVERIES)
    rows, total = webhook_service.deliveries(session, principal, webhook_id, query)
    return Page[DeliveryRead].of(rows, total, query, lambda r: DeliveryRead.of(*r))
