"""The in-process runner's jobs in processes of their own (``SBX_JOB_PROCESSES=true``).

One ``sbx serve`` is one Python interpreter: a job running in one of its threads (a
10,000-object import is seconds of Python) holds the interpreter lock about half of the
time, and every request waits for it. With ``SBX_JOB_PROCESSES``, the runner's threads still
schedule, claim nothing themselves and count the jobs' ends, but each attempt at a job runs in
a long-lived child process (``SBX_JOB_WORKERS`` of them, started with the runner, at
``SBX_JOB_NICE``): the job's claim, handler, commit, failure and retry decision are the
child's, exactly as in a thread (``JobExecutor.run_one``).

What crosses the process boundary: the job id in; out, the delay after which to try it again
(or None) and the jobs its transactions created, which the parent submits (the child's
runtime collects them instead of running them). Live progress is written to ``job_progress``
by the child every ``SBX_JOB_PROGRESS_SECONDS`` and read from there by the API.

A child that dies (``kill -9``, out of memory) took its transaction with it: the job's
target is untouched. The pool is replaced, and each job it was running that is still
IN_PROGRESS is retried while it has attempts left, else FAILED with the reason (the same rule
as a crash of the service, ``JobExecutor._interrupted``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

import structlog

from sandbox_tooling.job import repository
from sandbox_tooling.job.handlers import JobHandlers, Progress
from sandbox_tooling.job.runner import StoredProgress
from sandbox_tooling.models.enums import JobStatus

if TYPE_CHECKING:
    from sandbox_tooling.config import Settings
    from sandbox_tooling.job.runner import JobExecutor
    from sandbox_tooling.runtime import Runtime

log = logging.getLogger(__name__)


class JobProcesses:
    """A pool of job processes, replaced when one of them dies."""

    def __init__(self, settings: Settings, workers: int) -> None:
        self.settings = settings.model_copy(update={"job_processes": False})
        self.workers = workers
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_child,
            initargs=(self.settings,),
        )
        for _ in range(self.workers):  # start them now, not at the first job
            pool.submit(os.getpid)
        return pool

    def run(self, job_id: str, parent: JobExecutor) -> float | None:
        """One attempt at the job in a child: the delay before it is tried again, or None."""
        with self._lock:
            pool = self._pool
        try:
            again, created = pool.submit(_run_in_child, job_id).result()
        except BrokenProcessPool:
            self._replace(pool)
            return self._after_death(job_id, parent)
        for other in created:
            parent.rt.jobs.submit(other)
        return again

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                log.warning("a job process died; starting new ones")
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()

    @staticmethod
    def _after_death(job_id: str, parent: JobExecutor) -> float | None:
        with parent.db.transaction() as session:
            job = repository.get(session, job_id)
            if job is None or job.status != JobStatus.IN_PROGRESS:
                return None  # it ended (or never started) before its process died
            outcome = parent._interrupted(
                session, job, "the death of its job process", enqueue=False
            )
        return 0.0 if outcome == "retried" else None

    def shutdown(self) -> None:
        with self._lock:
            self._pool.shutdown(wait=True, cancel_futures=True)


# -- in the child --------------------------------------------------------------------------------


class ChildExecutor(StoredProgress):
    """Runs the attempts its parent hands it; the jobs its transactions create are collected
    for the parent to submit (it is the child runtime's job runner)."""

    def __init__(self, rt: Runtime, job_handlers: JobHandlers) -> None:
        super().__init__(rt, job_handlers)
        self.created: list[str] = []
        self._stop = threading.Event()

    # The JobRunner interface of the child's runtime.
    def start(self) -> None:
        threading.Thread(target=self._flush_loop, name="sbx-job-progress", daemon=True).start()

    def submit(self, job_id: str) -> None:
        self.created.append(job_id)

    def stop(self) -> None:
        self._stop.set()

    def wait_idle(self, timeout: float) -> bool:
        return True

    def progress(self, job_id: str) -> Progress | None:
        return self._progress.get(job_id)

    def _flush_loop(self) -> None:
        while not self._stop.wait(self.settings.job_progress_seconds):
            try:
                self.flush_progress()
            except Exception:  # pragma: no cover - logged, tried again next period
                log.exception("writing job progress failed")


_CHILD: ChildExecutor | None = None


def _start_child(settings: Settings) -> None:
    global _CHILD
    from sandbox_tooling.kit import logs
    from sandbox_tooling.runtime import build_runtime

    if settings.job_nice:
        os.nice(settings.job_nice)
    logs.configure(settings.log_level)
    rt = build_runtime(settings)
    child = ChildExecutor(rt, rt.jobs.handlers)
    rt.jobs = child
    child.start()
    _CHILD = child


def _run_in_child(job_id: str) -> tuple[float | None, list[str]]:
    child = _CHILD
    assert child is not None, "the job process did not start"
    child.created.clear()
    with structlog.contextvars.bound_contextvars(job_id=job_id):
        again = child.run_one(job_id)
    return again, list(child.created)
