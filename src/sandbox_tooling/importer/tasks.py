"""The import (IMPORT/NEW) and rollback (IMPORT/ROLLBACK) jobs: each one transaction on the
target sandbox (the engine is ``importer/engine.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from sandbox_tooling.importer import engine
from sandbox_tooling.importer import service as import_service
from sandbox_tooling.job.handlers import JobHandlers, JobRun
from sandbox_tooling.models import Job, Sandbox
from sandbox_tooling.models.enums import JobType, RequestType

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime


def _alternatives(_session: Session, job: Job, _sandbox: Sandbox) -> dict[str, str]:
    return {k: v["id"] for k, v in job.params.get("alternatives", {}).items()}


class ImportPackage:
    def run(self, rt: Runtime, run: JobRun) -> None:
        with rt.db.transaction() as session:
            engine.run_import(session, rt, run, update=False, pairs=_alternatives)

    def on_failure(self, session: Session, job: Job, reason: str) -> None:
        """Nothing to undo: the import's transaction was rolled back."""


class RollbackImport:
    def run(self, rt: Runtime, run: JobRun) -> None:
        with rt.db.transaction() as session:
            import_service.rollback(session, rt, run.job_id)

    def on_failure(self, session: Session, job: Job, reason: str) -> None:
        """Nothing to undo: the rollback's transaction was rolled back."""


def register(jobs: JobHandlers) -> None:
    jobs.add(RequestType.IMPORT, JobType.NEW, ImportPackage())
    jobs.add(RequestType.IMPORT, JobType.ROLLBACK, RollbackImport())
