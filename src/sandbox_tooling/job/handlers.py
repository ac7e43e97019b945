"""Job handlers by ``(requestType, jobType)``. Domain modules register theirs on import.

A handler's ``run`` does the job's work and marks it SUCCESS in the same transaction, so a
crash anywhere leaves either everything or nothing. ``on_failure`` records the failure's
side effects (a package that failed to publish, say) in the transaction that fails the job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.registry import ArtifactTypeRegistry
from sandbox_tooling.config import Settings
from sandbox_tooling.db import Database
from sandbox_tooling.errors import AppError
from sandbox_tooling.kit.blobstore import BlobStore
from sandbox_tooling.models import Job


class Progress:
    """Live task lists of a running job, shown by ``GET /tools/job/{id}`` before the job's
    own transaction commits (an import writes nothing visible until it is complete)."""

    def __init__(self) -> None:
        self.completed: list[list[Any]] = []
        self.failed: list[list[Any]] = []


@dataclass
class JobContext:
    job_id: str
    db: Database
    blobs: BlobStore
    registry: ArtifactTypeRegistry
    settings: Settings
    progress: Progress = field(default_factory=Progress)


class JobHandler(Protocol):
    def run(self, ctx: JobContext) -> None: ...

    def on_failure(self, session: Session, job: Job, reason: str) -> None: ...


class RetriableJobError(Exception):
    """A failure worth another attempt (a lock timeout, a lost connection)."""


class JobFailed(AppError):
    """A permanent failure that carries the job result to record (``failedTasks``...)."""

    status_code = 422

    def __init__(self, detail: str, result: dict[str, Any]) -> None:
        super().__init__(detail)
        self.result = result


_HANDLERS: dict[tuple[str, str], JobHandler] = {}


def register(request_type: str, job_type: str) -> Callable[[type[JobHandler]], type[JobHandler]]:
    def decorator(cls: type[JobHandler]) -> type[JobHandler]:
        key = (request_type, job_type)
        if key in _HANDLERS:
            raise RuntimeError(f"job handler {key} registered twice")
        _HANDLERS[key] = cls()
        return cls

    return decorator


def get(request_type: str, job_type: str) -> JobHandler | None:
    return _HANDLERS.get((request_type, job_type))
