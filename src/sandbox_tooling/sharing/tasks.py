"""The transfer job (TRANSFER/NEW): give the target org its own published copy of a package.

The transfer is first marked IN_PROGRESS (committed, so both orgs see it); the copy is then
made in one transaction. A failure marks the transfer FAILED with the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from sandbox_tooling.job.handlers import JobHandlers, JobRun
from sandbox_tooling.models import Job
from sandbox_tooling.models.enums import JobType, RequestType
from sandbox_tooling.sharing import service as sharing_service

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime


class TransferPackage:
    def run(self, rt: Runtime, run: JobRun) -> None:
        with rt.db.transaction() as session:
            sharing_service.start_transfer(session, run.job_id)
        with rt.db.transaction() as session:
            sharing_service.carry_out_transfer(session, rt, run.job_id)

    def on_failure(self, session: Session, job: Job, reason: str) -> None:
        sharing_service.transfer_failed(session, job, reason)


def register(jobs: JobHandlers) -> None:
    jobs.add(RequestType.TRANSFER, JobType.NEW, TransferPackage())
