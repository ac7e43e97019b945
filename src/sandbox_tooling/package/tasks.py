"""The publish job (EXPORT/NEW).

It reads the package's closure in a read transaction and writes the snapshot blobs, then
commits the version row and the package's PUBLISHED status in one short write transaction.
A crash before that commit leaves only unreferenced blobs, which the retry overwrites.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from sandbox_tooling.job.handlers import JobHandlers, JobRun
from sandbox_tooling.models import Job
from sandbox_tooling.models.enums import JobType, PackageStatus, RequestType
from sandbox_tooling.package import service as package_service

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime


class PublishPackage:
    def run(self, rt: Runtime, run: JobRun) -> None:
        with rt.db.transaction(write=False) as session:
            info = package_service.write_snapshot(
                session, rt, run.job_id, PackageStatus.PUBLISH_IN_PROGRESS
            )
        with rt.db.transaction() as session:
            package_service.finish_publish(session, run.job_id, info)

    def on_failure(self, session: Session, job: Job, reason: str) -> None:
        package_service.publish_failed(session, job, reason)


def register(jobs: JobHandlers) -> None:
    jobs.add(RequestType.EXPORT, JobType.NEW, PublishPackage())
