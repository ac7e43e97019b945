"""The job handler contract and the table of handlers by ``(requestType, jobType)``.

A handler's ``run`` opens its transaction(s) and calls a service that does the job's work and
marks it SUCCESS in the same transaction as its effects, so a crash leaves everything or
nothing. ``on_failure`` records a failure's side effects (a package that failed to publish)
in the transaction that fails the job. Domains add their handlers in ``tasks.register``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from sandbox_tooling.errors import AppError
from sandbox_tooling.models import Job
from sandbox_tooling.models.enums import JOB_KINDS, JobKind, JobType, RequestType

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime


class Progress:
    """Live task lists of a running job, shown by ``GET /tools/job/{id}`` before the job's
    own transaction commits (an import writes nothing visible until it is complete)."""

    def __init__(self) -> None:
        self.completed: list[list[Any]] = []
        self.failed: list[list[Any]] = []
        #: Per artifact type, how many tasks the job plans (an import's total, once planned).
        self.planned: dict[str, int] = {}


@dataclass
class JobRun:
    """One attempt at a claimed job."""

    job_id: str
    progress: Progress = field(default_factory=Progress)


class JobHandler(Protocol):
    def run(self, rt: Runtime, run: JobRun) -> None: ...

    def on_failure(self, session: Session, job: Job, reason: str) -> None: ...


class RetriableJobError(Exception):
    """A failure worth another attempt (a lock timeout, a lost connection)."""


class JobFailed(AppError):
    """A permanent failure that carries the job result to record (``failedTasks``...)."""

    status_code = 422

    def __init__(self, detail: str, result: dict[str, Any]) -> None:
        super().__init__(detail)
        self.result = result


class JobHandlers:
    """Handlers by job kind: each kind of ``JOB_KINDS`` has exactly one."""

    def __init__(self) -> None:
        self._table: dict[JobKind, JobHandler] = {}

    def add(self, request_type: RequestType, job_type: JobType, handler: JobHandler) -> None:
        kind = (request_type, job_type)
        if kind not in JOB_KINDS:
            raise RuntimeError(f"job handler for unknown job kind {request_type}/{job_type}")
        if kind in self._table:
            raise RuntimeError(f"job kind {request_type}/{job_type} has two handlers")
        self._table[kind] = handler

    def check_complete(self) -> None:
        missing = sorted(f"{r}/{j}" for r, j in JOB_KINDS - self._table.keys())
        if missing:
            raise RuntimeError(f"job kinds without a handler: {', '.join(missing)}")

    def get(self, request_type: str, job_type: str) -> JobHandler | None:
        try:
            return self._table.get((RequestType(request_type), JobType(job_type)))
        except ValueError:
            return None
