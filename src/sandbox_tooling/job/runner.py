"""Job runners. One small interface; the in-process runner is the embedded default.

The in-process runner assumes it is the only runner working on its database (one ``sbx serve``
per database; scale-out uses a distributed queue behind the same interface). On start it
resumes what a crash interrupted: an IN_PROGRESS job goes back to PENDING while it has
attempts left, else it is FAILED with the reason; every PENDING job is then submitted.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

import structlog
from sqlalchemy.exc import OperationalError

from sandbox_tooling.errors import AppError
from sandbox_tooling.job import repository
from sandbox_tooling.job import service as job_service
from sandbox_tooling.job.handlers import (
    JobFailed,
    JobHandler,
    JobHandlers,
    JobRun,
    Progress,
    RetriableJobError,
)
from sandbox_tooling.kit import metrics
from sandbox_tooling.kit.clock import now_ms
from sandbox_tooling.kit.ids import hex_token
from sandbox_tooling.models.enums import JobStatus

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime

log = logging.getLogger(__name__)


class JobRunner(Protocol):
    handlers: JobHandlers

    def start(self) -> None:
        """Recover interrupted jobs and begin accepting work."""

    def submit(self, job_id: str) -> None:
        """Run a committed PENDING job (called only after the commit that created it)."""

    def stop(self) -> None: ...

    def wait_idle(self, timeout: float) -> bool:
        """Block until no job is queued or running; False on timeout."""

    def progress(self, job_id: str) -> Progress | None:
        """Live progress of a job running here, if any."""


class InProcessRunner:
    def __init__(self, rt: Runtime, job_handlers: JobHandlers) -> None:
        self.rt, self.handlers = rt, job_handlers
        self.db, self.settings = rt.db, rt.settings
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{hex_token(4)}"
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Condition()
        self._in_flight: set[str] = set()
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None
        self._progress: dict[str, Progress] = {}

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, self.settings.job_workers), thread_name_prefix="sbx-job"
        )
        self._stop.clear()
        self.recover()
        self._sweeper = threading.Thread(target=self._sweep_loop, name="sbx-job-sweep", daemon=True)
        self._sweeper.start()

    def stop(self) -> None:
        self._stop.set()
        if self._sweeper:
            self._sweeper.join(timeout=5)
        if self._pool:
            self._pool.shutdown(wait=True, cancel_futures=False)
            self._pool = None

    def recover(self) -> None:
        """Resume or fail what a previous process left IN_PROGRESS; queue what is PENDING."""
        with self.db.transaction() as session:
            for job_id in repository.ids_with_status(session, JobStatus.IN_PROGRESS):
                job = repository.get(session, job_id)
                if job is None:
                    continue
                if job.attempts < self.settings.job_max_attempts:
                    log.warning("resuming job %s interrupted by a crash", job_id)
                    job_service.requeue(job)
                else:
                    reason = (
                        f"interrupted {job.attempts} times by a crash of the service; giving up"
                    )
                    job_service.fail(job, reason)
                    handler = self.handlers.get(job.request_type, job.job_type)
                    if handler:
                        handler.on_failure(session, job, reason)
        self._submit_pending()

    def _submit_pending(self) -> None:
        with self.db.transaction(write=False) as session:
            pending = repository.ids_with_status(session, JobStatus.PENDING)
        for job_id in pending:
            self.submit(job_id)

    def _sweep_loop(self) -> None:
        # Catches jobs committed by a process that stopped before it could submit them.
        while not self._stop.wait(self.settings.job_sweep_seconds):
            try:
                self._submit_pending()
            except Exception:  # pragma: no cover - logged and retried on the next sweep
                log.exception("job sweep failed")

    # -- work -------------------------------------------------------------------------------
    def submit(self, job_id: str) -> None:
        with self._lock:
            if job_id in self._in_flight or self._pool is None:
                return
            self._in_flight.add(job_id)
        self._pool.submit(self._execute, job_id)

    def progress(self, job_id: str) -> Progress | None:
        return self._progress.get(job_id)

    def wait_idle(self, timeout: float) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: not self._in_flight, timeout=timeout)

    def _execute(self, job_id: str) -> None:
        started = time.monotonic()
        with structlog.contextvars.bound_contextvars(job_id=job_id):
            try:
                self.run_one(job_id)
            finally:
                with self._lock:
                    self._in_flight.discard(job_id)
                    self._lock.notify_all()
                self._observe(job_id, time.monotonic() - started)

    def _observe(self, job_id: str, seconds: float) -> None:
        """Count a finished job and its run time, and log its end (on the job's lines)."""
        try:
            with self.db.transaction(write=False) as session:
                job = repository.get(session, job_id)
                if job is None or not JobStatus(job.status).finished:
                    return
                kind = (job.request_type, job.job_type, job.status)
        except Exception:  # metrics never fail a job
            log.warning("could not read job %s for metrics", job_id)
            return
        metrics.JOBS.labels(*kind).inc()
        metrics.JOB_SECONDS.labels(*kind).observe(seconds)
        log.info("job finished: %s/%s %s in %.3f s", kind[0], kind[1], kind[2], seconds)

    def run_one(self, job_id: str) -> None:
        with self.db.transaction() as session:
            if not repository.claim(session, job_id, self.worker_id, now_ms()):
                return
            job = repository.get(session, job_id)
            assert job is not None
            request_type, job_type, attempts = job.request_type, job.job_type, job.attempts
        handler = self.handlers.get(request_type, job_type)
        if handler is None:
            self._fail(job_id, f"no handler for {request_type}/{job_type} jobs", None)
            return
        run = JobRun(job_id)
        self._progress[job_id] = run.progress
        try:
            handler.run(self.rt, run)
        except (RetriableJobError, OperationalError) as exc:
            if attempts < self.settings.job_max_attempts:
                log.warning("job %s: retriable failure (%s); retrying", job_id, exc)
                with self.db.transaction() as session:
                    job = repository.get(session, job_id)
                    if job is not None and job.status == JobStatus.IN_PROGRESS:
                        job_service.requeue(job)
                self._resubmit_later(job_id)
            else:
                self._fail(job_id, f"gave up after {attempts} attempts: {exc}", handler)
        except JobFailed as exc:
            self._fail(job_id, exc.detail, handler, exc.result)
        except AppError as exc:
            self._fail(job_id, exc.detail, handler)
        except Exception as exc:
            log.exception("job %s failed", job_id)
            self._fail(job_id, f"internal error: {type(exc).__name__}: {exc}", handler)
        finally:
            self._progress.pop(job_id, None)

    def _resubmit_later(self, job_id: str) -> None:
        timer = threading.Timer(0.5, self.submit, args=(job_id,))
        timer.daemon = True
        # Let submit() accept it again once this execution has left the in-flight set.
        timer.start()

    def _fail(
        self,
        job_id: str,
        reason: str,
        handler: JobHandler | None,
        result: dict[str, Any] | None = None,
    ) -> None:
        with self.db.transaction() as session:
            job = repository.get(session, job_id)
            if job is None or job.status != JobStatus.IN_PROGRESS:
                return
            job_service.fail(job, reason, result)
            if handler is not None:
                handler.on_failure(session, job, reason)
