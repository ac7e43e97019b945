"""The express copy job (COPY/NEW): publish the package it made, then import it.

The snapshot is written in a read transaction and recorded (the package PUBLISHED) in a short
write transaction, as a publish does; the import is then one transaction on the target, as
an import is. A retry after a crash between the two finds the version recorded and goes on
with the import; a failed import leaves the package published (it can be imported again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from sandbox_tooling.express import service as express_service
from sandbox_tooling.importer import engine
from sandbox_tooling.job.handlers import JobHandlers, JobRun
from sandbox_tooling.models import Job, Sandbox
from sandbox_tooling.models.enums import JobType, PackageStatus, RequestType
from sandbox_tooling.package import service as package_service

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime


def _alternatives(_session: Session, job: Job, _sandbox: Sandbox) -> dict[str, str]:
    return {k: v["id"] for k, v in job.params.get("alternatives", {}).items()}


class ExpressCopy:
    def run(self, rt: Runtime, run: JobRun) -> None:
        with rt.db.transaction(write=False) as session:
            published = express_service.published(session, run.job_id)
            info = None
            if not published:
                info = package_service.write_snapshot(
                    session, rt, run.job_id, PackageStatus.PUBLISH_IN_PROGRESS
                )
        if info is not None:
            with rt.db.transaction() as session:
                package_service.finish_publish(session, run.job_id, info, finish=False)
        with rt.db.transaction() as session:
            engine.run_import(session, rt, run, update=False, pairs=_alternatives)
            express_service.finish(session, run.job_id)

    def on_failure(self, session: Session, job: Job, reason: str) -> None:
        """A package that was not published yet is PUBLISH_FAILED with the reason; a failed
        import left the target as it was."""
        package_service.publish_failed(session, job, reason)


def register(jobs: JobHandlers) -> None:
    jobs.add(RequestType.COPY, JobType.NEW, ExpressCopy())
