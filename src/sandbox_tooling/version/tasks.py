"""The version jobs: save version n+1 (VERSION/UPGRADE), compare (VERSION/COMPUTE) and update
existing objects (IMPORT/UPDATE)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from sandbox_tooling.importer import engine
from sandbox_tooling.job import service as job_service
from sandbox_tooling.job.handlers import JobHandlers, JobRun
from sandbox_tooling.models import Job
from sandbox_tooling.models.enums import JobType, PackageStatus, RequestType
from sandbox_tooling.package import service as package_service
from sandbox_tooling.version import compare
from sandbox_tooling.version import service as version_service

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime


class SaveVersion:
    """Snapshot the source sandbox's current state as the package's next version."""

    def run(self, rt: Runtime, run: JobRun) -> None:
        with rt.db.transaction(write=False) as session:
            info = package_service.write_snapshot(session, rt, run.job_id, PackageStatus.PUBLISHED)
        with rt.db.transaction() as session:
            version_service.record_saved_version(session, run.job_id, info)

    def on_failure(self, session: Session, job: Job, reason: str) -> None:
        """Nothing to undo: no version was recorded."""


class ComputeDelta:
    def run(self, rt: Runtime, run: JobRun) -> None:
        with rt.db.transaction(write=False) as session:
            result = compare.compute(session, rt, run.job_id)
        with rt.db.transaction() as session:
            job_service.succeed(job_service.require_running(session, run.job_id), result)

    def on_failure(self, session: Session, job: Job, reason: str) -> None:
        """A compare changes nothing."""


class UpdatePackage:
    """Write the package version's definitions over the paired target objects; dependents
    without a pair are created as in an import. Atomic like an import."""

    def run(self, rt: Runtime, run: JobRun) -> None:
        with rt.db.transaction() as session:
            engine.run_import(session, rt, run, update=True, pairs=version_service.update_pairs)

    def on_failure(self, session: Session, job: Job, reason: str) -> None:
        """Nothing to undo: the update's transaction was rolled back."""


def register(jobs: JobHandlers) -> None:
    jobs.add(RequestType.VERSION, JobType.UPGRADE, SaveVersion())
    jobs.add(RequestType.VERSION, JobType.COMPUTE, ComputeDelta())
    jobs.add(RequestType.IMPORT, JobType.UPDATE, UpdatePackage())
