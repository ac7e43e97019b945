"""The job handler contract and the table of handlers by ``(requestType, jobType)``.

A handler's ``run`` opens its transaction(s) and calls a service that does the job's work and
marks it SUCCESS in the same transaction as its effects, so a crash leaves everything or
nothing. ``on_failure`` records a failure's side effects (a package that failed to publish)
in the transaction that fails the job. Domains add their handlers in ``tasks.register``,
each with its retry policy (``RetryPolicy``; the settings' ``job_*`` one by default).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from sandbox_tooling.config import Settings
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


@dataclass
class JobRun:
    """One attempt at a claimed job."""

    job_id: str
    progress: Progress = field(default_factory=Progress)


class JobHandler(Protocol):
    def run(self, rt: Runtime, run: JobRun) -> None: ...

    def on_failure(self, session: Session, job: Job, reason: str) -> None: ...


class RetriableJobError(Exception):
    """A failure worth another attempt (a lock timeout, a lost connection, a webhook target
    that did not answer 2xx). ``delay_seconds``: when the next attempt may start (None: the
    handler's retry policy decides)."""

    def __init__(self, message: str, *, delay_seconds: float | None = None) -> None:
        super().__init__(message)
        self.delay_seconds = delay_seconds


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``max_attempts`` attempts; after failed attempt n (1-based) the next waits
    ``base_seconds * 2**(n-1)``, at most ``max_seconds`` (exponential backoff)."""

    max_attempts: int
    base_seconds: float
    max_seconds: float

    def delay(self, attempt: int) -> float:
        exponent = min(max(attempt, 1) - 1, 60)
        return float(min(self.max_seconds, self.base_seconds * 2.0**exponent))


def default_retry(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        settings.job_max_attempts, settings.job_retry_base_seconds, settings.job_retry_max_seconds
    )


RetryPolicyOf = Callable[[Settings], RetryPolicy]


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
        self._retry: dict[JobKind, RetryPolicyOf] = {}

    def add(
        self,
        request_type: RequestType,
        job_type: JobType,
        handler: JobHandler,
        *,
        retry: RetryPolicyOf = default_retry,
    ) -> None:
        kind = (request_type, job_type)
        if kind not in JOB_KINDS:
            raise RuntimeError(f"job handler for unknown job kind {request_type}/{job_type}")
        if kind in self._table:
            raise RuntimeError(f"job kind {request_type}/{job_type} has two handlers")
        self._table[kind] = handler
        self._retry[kind] = retry

    def retry_policy(self, request_type: str, job_type: str, settings: Settings) -> RetryPolicy:
        try:
            kind = (RequestType(request_type), JobType(job_type))
        except ValueError:
            return default_retry(settings)
        return self._retry.get(kind, default_retry)(settings)

    def check_complete(self) -> None:
        missing = sorted(f"{r}/{j}" for r, j in JOB_KINDS - self._table.keys())
        if missing:
            raise RuntimeError(f"job kinds without a handler: {', '.join(missing)}")

    def get(self, request_type: str, job_type: str) -> JobHandler | None:
        try:
            return self._table.get((RequestType(request_type), JobType(job_type)))
        except ValueError:
            return None
