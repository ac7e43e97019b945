"""Request body and read models of the webhook endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from sandbox_tooling.kit.schema import ReadModel, set_fields
from sandbox_tooling.models import Webhook, WebhookAttempt, WebhookDelivery
from sandbox_tooling.models.enums import DeliveryStatus, WebhookEvent
from sandbox_tooling.package.schemas import Strict
from sandbox_tooling.webhook.targets import MAX_URL


class WebhookCreate(Strict):
    url: str = Field(
        min_length=1,
        max_length=MAX_URL,
        pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://",
        description="Where deliveries are POSTed: an http or https URL.",
    )
    events: list[Annotated[WebhookEvent, Field(strict=False)]] = Field(
        min_length=1, max_length=len(WebhookEvent), description="The events to deliver."
    )
    description: str | None = Field(default=None, max_length=1000)


class WebhookRead(ReadModel):
    id: str
    ims_org_id: str = Field(alias="imsOrgId")
    url: str
    events: list[WebhookEvent]
    description: str | None = None
    created_by: str = Field(alias="createdBy")
    created_date: int = Field(alias="createdDate")
    modified_date: int = Field(alias="modifiedDate")

    @classmethod
    def of(cls, hook: Webhook) -> WebhookRead:
        return cls(
            id=hook.id,
            ims_org_id=hook.org_id,
            url=hook.url,
            events=[WebhookEvent(e) for e in hook.events],
            created_by=hook.created_by,
            created_date=hook.created_date,
            modified_date=hook.modified_date,
            **set_fields(description=hook.description),
        )


class WebhookCreated(WebhookRead):
    """The new webhook with its signing secret: shown in this answer only."""

    secret: str = Field(
        description="Signs every delivery (X-Sbx-Signature); keep it, it is not shown again."
    )

    @classmethod
    def created(cls, hook: Webhook, secret: str) -> WebhookCreated:
        return cls(**WebhookRead.of(hook).model_dump(exclude_unset=True), secret=secret)


class WebhookDeleted(ReadModel):
    reason: str


class AttemptRead(ReadModel):
    number: int
    timestamp: int = Field(description="When the attempt started (epoch ms).")
    duration_ms: int = Field(alias="durationMs")
    status_code: int | None = Field(default=None, alias="statusCode")
    error: str | None = None
    response: str | None = Field(default=None, description="The answer's first 1,024 bytes.")

    @classmethod
    def of(cls, attempt: WebhookAttempt) -> AttemptRead:
        return cls(
            number=attempt.number,
            timestamp=attempt.started_date,
            duration_ms=attempt.duration_ms,
            **set_fields(
                status_code=attempt.status_code, error=attempt.error, response=attempt.response
            ),
        )


class DeliveryRead(ReadModel):
    id: str
    webhook_id: str = Field(alias="webhookId")
    event: WebhookEvent
    event_id: str = Field(alias="eventId")
    status: DeliveryStatus
    created_date: int = Field(alias="createdDate")
    next_attempt_date: int | None = Field(default=None, alias="nextAttemptDate")
    completed_date: int | None = Field(default=None, alias="completedDate")
    attempts: list[AttemptRead]

    @classmethod
    def of(cls, delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> DeliveryRead:
        return cls(
            id=delivery.id,
            webhook_id=delivery.webhook_id,
            event=WebhookEvent(delivery.event),
            event_id=delivery.event_id,
            status=DeliveryStatus(delivery.status),
            created_date=delivery.created_date,
            attempts=[AttemptRead.of(a) for a in attempts],
            **set_fields(
                next_attempt_date=delivery.next_attempt_date,
                completed_date=delivery.completed_date,
            ),
        )
