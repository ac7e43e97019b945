"""Job handlers by ``(requestType, jobType)``. Domain modules register theirs on import.

A handler's ``run`` does the job's work and marks it SUCCESS in the same transaction, so a
crash anywhere leaves either everything or nothing. ``on_failure`` records the failure's
side effects (a package that failed to publish, say) in the transaction that fails the job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.registry import ArtifactTypeRegistry
from sandbox_tooling.config import Settings
from sandbox_tooling.db import Database
from sandbox_tooling.kit.blobstore import BlobStore
from sandbox_tooling.models import Job


@dataclass
class JobContext:
    job_id: str
    db: Database
    blobs: BlobStore
    registry: ArtifactTypeRegistry
    settings: Settings


class JobHandler(Protocol):
    def run(self, ctx: JobContext) -> None: ...

    def on_failure(self, session: Session, job: Job, reason: str) -> None: ...


class RetriableJobError(Exception):
    """A failure worth another attempt (a lock timeout, a lost connection)."""


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
