"""The runtime: what endpoints, services, job handlers and the CLI share, one per process.

``build_runtime`` wires it from settings: the database, the blob store, the artifact types
(plugins) and the job runner with the handler table that every domain fills through its
``tasks.register``. Start-up fails loudly when a job kind has no handler or two.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.plugins import ArtifactTypes, default_types
from sandbox_tooling.config import Settings
from sandbox_tooling.db import Database
from sandbox_tooling.identity.cache import CallerCache
from sandbox_tooling.job import service as job_service
from sandbox_tooling.job.handlers import JobHandlers
from sandbox_tooling.job.runner import InProcessRunner, JobRunner
from sandbox_tooling.kit import blobstore
from sandbox_tooling.kit.blobstore import BlobStore

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    blobs: BlobStore
    types: ArtifactTypes
    jobs: JobRunner = field(init=False)
    #: The callers of recent requests, by token (identity/cache.py).
    callers: CallerCache = field(init=False)


def job_handlers() -> JobHandlers:
    """Every domain registers its job handlers here (explicit wiring: a domain that is not in
    this list has no jobs)."""
    from sandbox_tooling.express import tasks as express_tasks
    from sandbox_tooling.importer import tasks as importer_tasks
    from sandbox_tooling.package import tasks as package_tasks
    from sandbox_tooling.sharing import tasks as sharing_tasks
    from sandbox_tooling.version import tasks as version_tasks
    from sandbox_tooling.webhook import tasks as webhook_tasks

    domains: tuple[Callable[[JobHandlers], None], ...] = (
        package_tasks.register,
        importer_tasks.register,
        version_tasks.register,
        sharing_tasks.register,
        express_tasks.register,
        webhook_tasks.register,
    )
    handlers = JobHandlers()
    for register in domains:
        register(handlers)
    handlers.check_complete()
    return handlers


def build_runtime(
    settings: Settings,
    *,
    db: Database | None = None,
    blobs: BlobStore | None = None,
    types: ArtifactTypes | None = None,
) -> Runtime:
    rt = Runtime(
        settings=settings,
        db=db or Database.for_settings(settings),
        blobs=blobs or blobstore.from_settings(settings),
        types=types or default_types(),
    )
    rt.callers = CallerCache(settings.auth_cache_seconds)
    if settings.resolved_job_backend() == "procrastinate":
        from sandbox_tooling.job import queue

        if rt.db.is_sqlite:
            raise ValueError("SBX_JOB_BACKEND=procrastinate needs PostgreSQL (SBX_DATABASE_URL)")
        rt.jobs = queue.QueueRunner(rt, job_handlers())
        rt.db.before_commit(queue.enqueue_created)
    else:
        rt.jobs = InProcessRunner(rt, job_handlers())
        rt.db.before_commit(None)
    rt.db.on_commit(lambda session: _submit_created(rt, session))
    return rt


def _submit_created(rt: Runtime, session: Session) -> None:
    """After a commit: submit the jobs the transaction asked to (``submit_after_commit``).
    A job that cannot be submitted now is found by the runner's sweep."""
    for job_id in job_service.take_after_commit(session):
        try:
            rt.jobs.submit(job_id)
        except RuntimeError:  # pragma: no cover - the runner is shutting down
            log.warning("job %s not submitted (the runner is stopping); the sweep will", job_id)
