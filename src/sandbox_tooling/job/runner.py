"""Job runners. One small interface; the in-process runner is the embedded default.

The in-process runner assumes it is the only runner working on its database (one ``sbx serve``
per database; scale-out uses a distributed queue behind the same interface). On start it
resumes what a crash interrupted: an IN_PROGRESS job goes back to PENDING while it has
attempts left, else it is FAILED with the reason; every PENDING job is then submitted.

Schedules: a PENDING job is not claimed before its ``not_before`` (epoch ms). A retriable
failure puts the job back to PENDING with ``not_before`` = now + the handler's backoff
(``RetryPolicy``), until its attempts are spent, then FAILED. The in-process runner keeps the
jobs it waits for in a heap served by its sweep thread (which also re-reads PENDING jobs every
``SBX_JOB_SWEEP_SECONDS``, so a restart loses no schedule). A distributed queue maps the same
rule to its own (Procrastinate: ``defer(..., schedule_at=not_before)``).
"""

from __future__ import annotations

import heapq
import logging
import math
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

import structlog
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

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
from sandbox_tooling.models import Job
from sandbox_tooling.models.enums import JobStatus

if TYPE_CHECKING:
    from sandbox_tooling.db import Database
    from sandbox_tooling.job.processes import JobProcesses
    from sandbox_tooling.runtime import Runtime

log = logging.getLogger(__name__)


class JobRunner(Protocol):
    handlers: JobHandlers

    def start(self) -> None:
        """Recover interrupted jobs and begin accepting work."""

    def submit(self, job_id: str) -> None:
        """Run a committed PENDING job (called only after the commit that created it); one
        whose ``not_before`` is in the future runs then."""

    def stop(self) -> None: ...

    def wait_idle(self, timeout: float) -> bool:
        """Block until no job is queued or running; False on timeout."""

    def progress(self, job_id: str) -> Progress | None:
        """Live progress of a job running here, if any."""


class JobExecutor:
    """What every runner shares: one attempt at a job (claim, handler, retry or failure), the
    metrics of its end, and the live progress of the jobs running here."""

    def __init__(self, rt: Runtime, job_handlers: JobHandlers) -> None:
        self.rt, self.handlers = rt, job_handlers
        self.db, self.settings = rt.db, rt.settings
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{hex_token(4)}"
        self._progress: dict[str, Progress] = {}

    def _requeue(self, job: Job, not_before: int) -> None:
        job_service.requeue(job, not_before)

    def _track(self, job_id: str, progress: Progress) -> None:
        self._progress[job_id] = progress

    def _untrack(self, job_id: str) -> None:
        self._progress.pop(job_id, None)

    def _execute(self, job_id: str) -> float | None:
        """``run_one`` with the job's log context, and its end counted."""
        started = time.monotonic()
        with structlog.contextvars.bound_contextvars(job_id=job_id):
            try:
                return self.run_one(job_id)
            finally:
                self._observe(job_id, time.monotonic() - started)

    def _observe(self, job_id: str, seconds: float) -> None:
        """Count a finished job and its run time, and log its end (on the job's lines)."""
        try:
            with self.db.transaction(write=False) as session:
                kind = repository.kind_and_status(session, job_id)
                if kind is None or not JobStatus(kind[2]).finished:
                    return
        except Exception:  # metrics never fail a job
            log.warning("could not read job %s for metrics", job_id)
            return
        metrics.JOBS.labels(*kind).inc()
        metrics.JOB_SECONDS.labels(*kind).observe(seconds)
        log.info("job finished: %s/%s %s in %.3f s", kind[0], kind[1], kind[2], seconds)

    def run_one(self, job_id: str) -> float | None:
        """One attempt at the job, if it is PENDING and due; the seconds after which it is
        to be tried again (a retry, or a job not due yet), or None."""
        with self.db.transaction() as session:
            now = now_ms()
            if not repository.claim(session, job_id, self.worker_id, now):
                job = repository.get(session, job_id)
                if job and job.status == JobStatus.PENDING and (job.not_before or 0) > now:
                    return ((job.not_before or 0) - now) / 1000
                return None
            job = repository.get(session, job_id)
            assert job is not None
            request_type, job_type, attempts = job.request_type, job.job_type, job.attempts
        handler = self.handlers.get(request_type, job_type)
        if handler is None:
            self._fail(job_id, f"no handler for {request_type}/{job_type} jobs", None)
            return None
        run = JobRun(job_id)
        self._track(job_id, run.progress)
        try:
            handler.run(self.rt, run)
        except (RetriableJobError, OperationalError) as exc:
            policy = self.handlers.retry_policy(request_type, job_type, self.settings)
            if attempts < policy.max_attempts:
                delay = getattr(exc, "delay_seconds", None)
                delay = policy.delay(attempts) if delay is None else delay
                log.warning("job %s: retriable failure (%s); retry in %.1fs", job_id, exc, delay)
                with self.db.transaction() as session:
                    job = repository.get(session, job_id)
                    if not self._still_mine(job):
                        return None
                    assert job is not None
                    self._requeue(job, now_ms() + int(delay * 1000))
                return delay
            self._fail(job_id, f"gave up after {attempts} attempts: {exc}", handler)
        except JobFailed as exc:
            self._fail(job_id, exc.detail, handler, exc.result)
        except AppError as exc:
            self._fail(job_id, exc.detail, handler)
        except Exception as exc:
            log.exception("job %s failed", job_id)
            self._fail(job_id, f"internal error: {type(exc).__name__}: {exc}", handler)
        finally:
            self._untrack(job_id)
        return None

    def _still_mine(self, job: Job | None) -> bool:
        """The job is still the attempt this runner claimed (not ended, and not given to
        another worker by a recovery meanwhile)."""
        return (
            job is not None
            and job.status == JobStatus.IN_PROGRESS
            and job.locked_by in (None, self.worker_id)
        )

    def _fail(
        self,
        job_id: str,
        reason: str,
        handler: JobHandler | None,
        result: dict[str, Any] | None = None,
    ) -> None:
        with self.db.transaction() as session:
            job = repository.get(session, job_id)
            if not self._still_mine(job):
                return
            assert job is not None
            job_service.fail(job, reason, result)
            if handler is not None:
                handler.on_failure(session, job, reason)

    def _interrupted(self, session: Session, job: Job, cause: str, *, enqueue: bool) -> str:
        """An IN_PROGRESS job whose attempt was cut off (``cause``: "a crash of the service",
        "the death of its worker"): PENDING again while attempts are left (``enqueue``: a
        queue backend enqueues it with the transaction), else FAILED with the reason.
        ``"retried"`` or ``"failed"``."""
        policy = self.handlers.retry_policy(job.request_type, job.job_type, self.settings)
        if job.attempts < policy.max_attempts:
            log.warning("job %s: interrupted by %s; retrying it", job.id, cause)
            job_service.requeue(job, enqueue=enqueue)
            return "retried"
        reason = f"interrupted {job.attempts} times by {cause}; giving up"
        job_service.fail(job, reason)
        handler = self.handlers.get(job.request_type, job.job_type)
        if handler is not None:
            handler.on_failure(session, job, reason)
        return "failed"


def read_progress(db: Database, job_id: str) -> Progress | None:
    """The progress that the process running the job last wrote (``job_progress``), if any."""
    with db.transaction(write=False) as session:
        row = repository.get_progress(session, job_id)
        if row is None:
            return None
        progress = Progress()
        progress.planned = dict(row.planned)
        progress.completed = list(row.completed)
        progress.failed = list(row.failed)
        return progress


class StoredProgress(JobExecutor):
    """The live progress of the jobs running here, also written to ``job_progress`` (each
    ``flush_progress``, every ``SBX_JOB_PROGRESS_SECONDS``) so that any process can read it:
    queue workers and the in-process runner's job processes (``read_progress``)."""

    def __init__(self, rt: Runtime, job_handlers: JobHandlers) -> None:
        super().__init__(rt, job_handlers)
        self._flush_lock = threading.Lock()
        self._written: dict[str, tuple[int, int, int]] = {}

    def _track(self, job_id: str, progress: Progress) -> None:
        with self._flush_lock:
            self._progress[job_id] = progress
            self._written.pop(job_id, None)

    def _untrack(self, job_id: str) -> None:
        with self._flush_lock:
            self._progress.pop(job_id, None)
            self._written.pop(job_id, None)
            try:
                with self.db.transaction() as session:
                    repository.delete_progress(session, [job_id])
            except Exception:  # a left-over row is shown only while the job runs again
                log.warning("could not delete the progress of job %s", job_id)

    def flush_progress(self) -> None:
        """Write the progress of the jobs running here that changed since the last write."""
        with self._flush_lock:
            running = list(self._progress.items())
            for job_id, progress in running:
                completed, failed = list(progress.completed), list(progress.failed)
                planned = dict(progress.planned)
                mark = (len(completed), len(failed), sum(planned.values()))
                if self._written.get(job_id) == mark:
                    continue
                with self.db.transaction() as session:
                    repository.save_progress(session, job_id, planned, completed, failed, now_ms())
                self._written[job_id] = mark


class InProcessRunner(JobExecutor):
    def __init__(self, rt: Runtime, job_handlers: JobHandlers) -> None:
        super().__init__(rt, job_handlers)
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Condition()
        self._in_flight: set[str] = set()
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None
        # Jobs waiting for their time: a heap of (monotonic due time, id), and the due time
        # each id is currently scheduled for (older heap entries of an id are skipped).
        self._heap: list[tuple[float, str]] = []
        self._due: dict[str, float] = {}
        self._wake = threading.Event()
        # SBX_JOB_PROCESSES: each attempt runs in a job process (job/processes.py).
        self._processes: JobProcesses | None = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, self.settings.job_workers), thread_name_prefix="sbx-job"
        )
        self._stop.clear()
        if self.settings.job_processes:
            from sandbox_tooling.job.processes import JobProcesses

            self._processes = JobProcesses(self.settings, max(1, self.settings.job_workers))
        self.recover()
        self._sweeper = threading.Thread(target=self._sweep_loop, name="sbx-job-sweep", daemon=True)
        self._sweeper.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._sweeper:
            self._sweeper.join(timeout=5)
        if self._pool:
            self._pool.shutdown(wait=True, cancel_futures=False)
            self._pool = None
        if self._processes is not None:
            self._processes.shutdown()
            self._processes = None
        with self._lock:
            # Their rows keep ``not_before``: the next start schedules them again.
            self._heap.clear()
            self._due.clear()
            self._lock.notify_all()

    def recover(self) -> None:
        """Resume or fail what a previous process left IN_PROGRESS; queue what is PENDING."""
        with self.db.transaction() as session:
            for job_id in repository.ids_with_status(session, JobStatus.IN_PROGRESS):
                job = repository.get(session, job_id)
                if job is not None:
                    self._interrupted(session, job, "a crash of the service", enqueue=True)
        self._submit_pending()

    def _submit_pending(self) -> None:
        with self.db.transaction(write=False) as session:
            pending = repository.pending(session)
        now = now_ms()
        for job_id, not_before in pending:
            if not_before is None or not_before <= now:
                self.submit(job_id)
            else:
                self._schedule(job_id, (not_before - now) / 1000)

    def _schedule(self, job_id: str, delay: float) -> None:
        with self._lock:
            self._schedule_locked(job_id, delay)
        self._wake.set()

    def _schedule_locked(self, job_id: str, delay: float) -> None:
        if self._pool is None:
            return
        due = time.monotonic() + max(0.0, delay)
        if job_id in self._due and self._due[job_id] <= due:
            return
        self._due[job_id] = due
        heapq.heappush(self._heap, (due, job_id))
        self._lock.notify_all()

    def _run_due(self) -> float:
        """Submit the scheduled jobs now due; the monotonic time the next one is due."""
        now = time.monotonic()
        with self._lock:
            due: list[tuple[str, float]] = []
            while self._heap and self._heap[0][0] <= now:
                at, job_id = heapq.heappop(self._heap)
                if self._due.get(job_id) == at:
                    due.append((job_id, at))
        for job_id, at in due:
            self.submit(job_id)
            with self._lock:  # after submit: wait_idle never sees it neither due nor running
                if self._due.get(job_id) == at:
                    del self._due[job_id]
                self._lock.notify_all()
        with self._lock:
            return self._heap[0][0] if self._heap else math.inf

    def _sweep_loop(self) -> None:
        # Runs scheduled jobs when they are due, and every job_sweep_seconds submits the
        # PENDING jobs of the database (those a stopped process committed but never
        # submitted, and the schedules of a previous process).
        next_sweep = time.monotonic() + self.settings.job_sweep_seconds
        while not self._stop.is_set():
            nxt = self._run_due()
            if time.monotonic() >= next_sweep:
                try:
                    self._submit_pending()
                except Exception:  # pragma: no cover - logged and retried on the next sweep
                    log.exception("job sweep failed")
                next_sweep = time.monotonic() + self.settings.job_sweep_seconds
                continue
            self._wake.wait(max(0.0, min(next_sweep, nxt) - time.monotonic()))
            self._wake.clear()

    # -- work -------------------------------------------------------------------------------
    def submit(self, job_id: str) -> None:
        with self._lock:
            if job_id in self._in_flight or self._pool is None:
                return
            self._in_flight.add(job_id)
        self._pool.submit(self._run_in_pool, job_id)

    def run_one(self, job_id: str) -> float | None:
        if self._processes is not None:
            return self._processes.run(job_id, self)
        return super().run_one(job_id)

    def progress(self, job_id: str) -> Progress | None:
        live = self._progress.get(job_id)
        if live is None and self._processes is not None:
            return read_progress(self.db, job_id)
        return live

    def wait_idle(self, timeout: float) -> bool:
        """Block until no job is running, queued or scheduled here; False on timeout."""
        with self._lock:
            return self._lock.wait_for(
                lambda: not self._in_flight and not self._due, timeout=timeout
            )

    def _run_in_pool(self, job_id: str) -> None:
        again: float | None = None
        try:
            again = self._execute(job_id)
        finally:
            with self._lock:
                self._in_flight.discard(job_id)
                # Scheduled only once this execution has left the in-flight set, so that
                # submit() accepts it again.
                if again is not None:
                    self._schedule_locked(job_id, again)
                self._lock.notify_all()
            if again is not None:
                self._wake.set()
