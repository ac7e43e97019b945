"""The delivery job (WEBHOOK/DELIVER): one attempt per run, the HTTP request outside any
transaction. A failed attempt is recorded, then the job raises ``RetriableJobError`` with
the backoff delay, and the runner puts it back to PENDING until then."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from sandbox_tooling.job.handlers import JobHandlers, JobRun, RetriableJobError
from sandbox_tooling.models import Job
from sandbox_tooling.models.enums import JobType, RequestType
from sandbox_tooling.webhook import sender, targets
from sandbox_tooling.webhook import service as webhook_service

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime


class DeliverWebhook:
    def run(self, rt: Runtime, run: JobRun) -> None:
        with rt.db.transaction(write=False) as session:
            out = webhook_service.outgoing(session, rt, run.job_id)
        outcome = None
        if out is not None:
            policy, timeout = targets.Policy.of(rt.settings), rt.settings.webhook_timeout_seconds
            outcome = sender.send(out, policy, timeout)
        with rt.db.transaction() as session:
            retry_in = webhook_service.record_attempt(session, rt, run.job_id, outcome)
        if retry_in is not None:
            raise RetriableJobError("webhook delivery attempt failed", delay_seconds=retry_in)

    def on_failure(self, session: Session, job: Job, reason: str) -> None:
        webhook_service.delivery_failed(session, job, reason)


def register(jobs: JobHandlers) -> None:
    jobs.add(
        RequestType.WEBHOOK, JobType.DELIVER, DeliverWebhook(), retry=webhook_service.retry_policy
    )
