"""Webhook, delivery and attempt queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.kit.sql import paginate
from sandbox_tooling.models import Webhook, WebhookAttempt, WebhookDelivery


def get(session: Session, webhook_id: str) -> Webhook | None:
    return session.get(Webhook, webhook_id)


def of_org(session: Session, org_id: str) -> list[Webhook]:
    """Every webhook of the org (a few: at most ``SBX_WEBHOOK_MAX_PER_ORG``)."""
    return list(
        session.scalars(
            select(Webhook).where(Webhook.org_id == org_id).order_by(Webhook.created_date)
        )
    )


def count(session: Session, org_id: str) -> int:
    return session.scalar(select(func.count()).where(Webhook.org_id == org_id)) or 0


def page(session: Session, org_id: str, query: ListQuery) -> tuple[list[Webhook], int]:
    stmt = select(Webhook).where(Webhook.org_id == org_id)
    return paginate(session, stmt, Webhook, query, Webhook.id)


def delivery(
    session: Session, delivery_id: str, *, for_update: bool = False
) -> WebhookDelivery | None:
    return session.get(WebhookDelivery, delivery_id, with_for_update=for_update or None)


def deliveries(
    session: Session, webhook_id: str, query: ListQuery
) -> tuple[list[WebhookDelivery], int]:
    stmt = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    return paginate(session, stmt, WebhookDelivery, query, WebhookDelivery.id)


def attempts_of(session: Session, delivery_ids: Iterable[str]) -> dict[str, list[WebhookAttempt]]:
    """The attempts of these deliveries (one query), in order."""
    ids = sorted(set(delivery_ids))
    out: dict[str, list[WebhookAttempt]] = defaultdict(list)
    if not ids:
        return out
    stmt = (
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(ids))
        .order_by(WebhookAttempt.delivery_id, WebhookAttempt.number)
    )
    for attempt in session.scalars(stmt):
        out[attempt.delivery_id].append(attempt)
    return out
