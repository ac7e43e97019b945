"""Webhook rules: endpoints of an org, events emitted as deliveries (an outbox), and the
delivery job's work.

``emit`` is called by the service function that makes the change, in its transaction: it
writes one delivery row and one ``WEBHOOK``/``DELIVER`` job per subscribed endpoint, and the
jobs are submitted once that transaction commits (``job_service.submit_after_commit``). A
change that is rolled back sends nothing; a committed one is delivered at least once. Each
attempt is recorded; failures are retried with exponential backoff (``retry_policy``) until
``SBX_WEBHOOK_MAX_ATTEMPTS``, then the delivery is FAILED.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy.orm import Session

from sandbox_tooling.audit import service as audit_service
from sandbox_tooling.config import Settings
from sandbox_tooling.identity.errors import PermissionDenied
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.job import service as job_service
from sandbox_tooling.job.handlers import RetryPolicy
from sandbox_tooling.kit.clock import ms_to_iso, now_ms
from sandbox_tooling.kit.ids import hex32
from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.models import (
    Handshake,
    Job,
    Package,
    Transfer,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from sandbox_tooling.models.enums import (
    AuditAction,
    DeliveryStatus,
    HandshakeStatus,
    JobStatus,
    JobType,
    RequestType,
    TransferStatus,
    WebhookEvent,
)
from sandbox_tooling.webhook import events, keys, repository, targets
from sandbox_tooling.webhook.errors import TooManyWebhooks, WebhookNotFound
from sandbox_tooling.webhook.schemas import WebhookCreate
from sandbox_tooling.webhook.sender import Outcome, Outgoing

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime

#: Managing webhooks needs ``Webhook:manage`` (reading them ``Webhook:view``) from a role
#: that covers every sandbox: deliveries carry events of all the org's sandboxes.
RESOURCE = "Webhook"


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        settings.webhook_max_attempts,
        settings.webhook_retry_base_seconds,
        settings.webhook_retry_max_seconds,
    )


def _require(principal: Principal, action: str) -> None:
    principal.require(RESOURCE, action)
    if principal.sandboxes_for(RESOURCE, (action,)) is not None:
        raise PermissionDenied(
            f"user {principal.user_id} lacks permission {RESOURCE}:{action} in every sandbox "
            "(webhooks carry the events of all the org's sandboxes)"
        )


def _origin(target: targets.Target) -> str:
    return f"{target.scheme}://{target.host}:{target.port}"


# -- endpoints --------------------------------------------------------------------------------
def create(
    session: Session, rt: Runtime, principal: Principal, body: WebhookCreate
) -> tuple[Webhook, str]:
    """Register an endpoint; returns it with its signing secret (shown this once)."""
    _require(principal, "manage")
    target = targets.check(body.url, targets.Policy.of(rt.settings))
    limit = rt.settings.webhook_max_per_org
    if repository.count(session, principal.org_id) >= limit:
        raise TooManyWebhooks(f"the org has {limit} webhooks already; delete one first")
    now = now_ms()
    hook = Webhook(
        id=hex32(),
        org_id=principal.org_id,
        url=body.url,
        events=list(dict.fromkeys(str(e) for e in body.events)),
        description=body.description,
        secret_salt=keys.new_salt(),
        created_by=principal.user_id,
        created_date=now,
        modified_date=now,
    )
    session.add(hook)
    session.flush()
    audit_service.record(
        session,
        org_id=principal.org_id,
        actor=principal,
        action=AuditAction.WEBHOOK_CREATE,
        sandbox=None,
        object_type="Webhook",
        object_id=hook.id,
        # The URL's path and query can be a credential (chat incoming-webhook URLs are):
        # only its origin is recorded.
        details={"origin": _origin(target), "events": hook.events},
    )
    return hook, secret_of(rt.settings, hook)


def secret_of(settings: Settings, hook: Webhook) -> str:
    return keys.derive_secret(keys.server_key(settings), hook.id, hook.secret_salt)


def get(session: Session, principal: Principal, webhook_id: str) -> Webhook:
    _require(principal, "view")
    hook = repository.get(session, webhook_id)
    if hook is None or hook.org_id != principal.org_id:
        raise WebhookNotFound(f"webhook {webhook_id} not found")
    return hook


def list_webhooks(
    session: Session, principal: Principal, query: ListQuery
) -> tuple[list[Webhook], int]:
    _require(principal, "view")
    return repository.page(session, principal.org_id, query)


def delete(session: Session, principal: Principal, webhook_id: str) -> None:
    """Delete an endpoint with its deliveries; their pending jobs end without sending."""
    _require(principal, "manage")
    hook = get(session, principal, webhook_id)
    audit_service.record(
        session,
        org_id=principal.org_id,
        actor=principal,
        action=AuditAction.WEBHOOK_DELETE,
        sandbox=None,
        object_type="Webhook",
        object_id=hook.id,
        details={"origin": _origin(targets.parse(hook.url)), "events": hook.events},
    )
    session.delete(hook)
    session.flush()


def deliveries(
    session: Session, principal: Principal, webhook_id: str, query: ListQuery
) -> tuple[list[tuple[WebhookDelivery, list[WebhookAttempt]]], int]:
    """The endpoint's deliveries, each with its attempts."""
    hook = get(session, principal, webhook_id)
    rows, total = repository.deliveries(session, hook.id, query)
    attempts = repository.attempts_of(session, (d.id for d in rows))
    return [(d, attempts.get(d.id, [])) for d in rows], total


# -- events -----------------------------------------------------------------------------------
def emit(session: Session, org_id: str, event: WebhookEvent, data: Mapping[str, Any]) -> int:
    """Queue ``event`` for every endpoint of the org subscribed to it, in the caller's
    transaction; returns how many deliveries were queued."""
    hooks = [h for h in repository.of_org(session, org_id) if event in h.events]
    if not hooks:
        return 0
    now = now_ms()
    event_id = hex32()
    body = orjson.dumps(
        {
            "id": event_id,
            "event": str(event),
            "timestamp": ms_to_iso(now),
            "imsOrgId": org_id,
            "data": data,
        }
    ).decode()
    for hook in hooks:
        delivery_id = hex32()
        job = job_service.create(
            session,
            org_id=org_id,
            request_type=RequestType.WEBHOOK,
            job_type=JobType.DELIVER,
            name=f"{event} to webhook {hook.id}",
            description=None,
            actor="system",
            params={"deliveryId": delivery_id, "webhookId": hook.id},
        )
        session.add(
            WebhookDelivery(
                id=delivery_id,
                webhook_id=hook.id,
                org_id=org_id,
                event=str(event),
                event_id=event_id,
                payload=body,
                status=DeliveryStatus.PENDING,
                attempts=0,
                job_id=job.id,
                created_date=now,
            )
        )
        job_service.submit_after_commit(session, job)
    session.flush()
    return len(hooks)


def job_finished(session: Session, job: Job) -> None:
    """``job.succeeded`` or ``job.failed``, for any package job."""
    succeeded = job.status == JobStatus.SUCCESS
    event = WebhookEvent.JOB_SUCCEEDED if succeeded else WebhookEvent.JOB_FAILED
    emit(session, job.org_id, event, events.job(job))


def package_published(session: Session, pkg: Package, version: int | None) -> None:
    emit(session, pkg.org_id, WebhookEvent.PACKAGE_PUBLISHED, events.package(pkg, version))


def transfer_ended(session: Session, transfer: Transfer, *, target_sees: bool) -> None:
    """``transfer.completed`` or ``transfer.failed``, to the source org and, when it may see
    the transfer (``target_sees``), to the target org."""
    event = (
        WebhookEvent.TRANSFER_COMPLETED
        if transfer.status == TransferStatus.COMPLETED
        else WebhookEvent.TRANSFER_FAILED
    )
    data = events.transfer(transfer)
    emit(session, transfer.source_org_id, event, data)
    if target_sees:
        emit(session, transfer.target_org_id, event, data)


_LINK_EVENTS = {
    HandshakeStatus.APPROVAL_PENDING: WebhookEvent.HANDSHAKE_REQUESTED,
    HandshakeStatus.APPROVED: WebhookEvent.HANDSHAKE_APPROVED,
    HandshakeStatus.REJECTED: WebhookEvent.HANDSHAKE_REJECTED,
}


def handshake_changed(session: Session, link: Handshake) -> None:
    """``handshake.requested|approved|rejected``, to both orgs of the link."""
    event = _LINK_EVENTS[HandshakeStatus(link.status)]
    data = events.handshake(link)
    emit(session, link.source_org_id, event, data)
    emit(session, link.target_org_id, event, data)


# -- the delivery job -------------------------------------------------------------------------
def outgoing(session: Session, rt: Runtime, job_id: str) -> Outgoing | None:
    """What the delivery job is to send (None: its webhook was deleted meanwhile)."""
    job = job_service.get_any(session, job_id)
    if job is None:
        return None
    delivery = repository.delivery(session, job.params.get("deliveryId", ""))
    hook = repository.get(session, delivery.webhook_id) if delivery else None
    if delivery is None or hook is None:
        return None
    return Outgoing(
        url=hook.url,
        body=delivery.payload.encode(),
        secret=secret_of(rt.settings, hook),
        event=delivery.event,
        delivery_id=delivery.id,
        webhook_id=hook.id,
    )


def record_attempt(
    session: Session, rt: Runtime, job_id: str, outcome: Outcome | None
) -> float | None:
    """Record the attempt the job just made; the delivery (and the job) succeed, fail for
    good, or wait for the next attempt, whose delay is returned."""
    job = job_service.require_running(session, job_id)
    delivery = repository.delivery(session, job.params.get("deliveryId", ""), for_update=True)
    if delivery is None or outcome is None:
        job_service.fail(job, "the webhook was deleted; nothing was sent")
        return None
    now = now_ms()
    number = job.attempts
    session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            number=number,
            started_date=outcome.started,
            duration_ms=outcome.duration_ms,
            status_code=outcome.status_code,
            error=outcome.error,
            response=outcome.response,
        )
    )
    delivery.attempts = number
    if outcome.ok:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.completed_date, delivery.next_attempt_date = now, None
        job_service.succeed(job, {"statusCode": outcome.status_code, "attempts": number})
        return None
    reason = outcome.error or f"HTTP {outcome.status_code}"
    policy = retry_policy(rt.settings)
    if outcome.permanent or number >= policy.max_attempts:
        delivery.status = DeliveryStatus.FAILED
        delivery.completed_date, delivery.next_attempt_date = now, None
        job_service.fail(job, f"attempt {number} of {policy.max_attempts}: {reason}")
        return None
    delay = policy.delay(number)
    delivery.next_attempt_date = now + int(delay * 1000)
    return delay


def delivery_failed(session: Session, job: Job, reason: str) -> None:
    """The runner failed the delivery job (a crash, an internal error): so is the delivery."""
    delivery = repository.delivery(session, job.params.get("deliveryId", ""), for_update=True)
    if delivery is not None and delivery.status == DeliveryStatus.PENDING:
        delivery.status = DeliveryStatus.FAILED
        delivery.completed_date, delivery.next_attempt_date = now_ms(), None
