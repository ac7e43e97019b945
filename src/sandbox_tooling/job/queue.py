"""The Procrastinate job backend (PostgreSQL): API processes enqueue, ``sbx worker`` runs.

**The job row stays the source of truth.** A job is enqueued in the transaction that makes
it PENDING (created, or put back for a retry): just before that transaction commits, the
runtime's hook (``enqueue_created``) adds one Procrastinate entry per such job on the same
connection, so the row and its entry commit or roll back together; nothing can be lost or
doubled between the two. The entry only names the job (``args.job_id``; ``queueing_lock`` =
the job id, so a job has at most one waiting entry). The worker's task claims the row with the
same atomic ``UPDATE … WHERE status='PENDING'`` as the in-process runner, so an entry seen
twice still runs the job once. A sweep in every worker enqueues any PENDING job that has no
entry (rows written before this backend was chosen, an entry deleted by hand).

**Per target.** Entries of jobs that write into a sandbox (imports, updates, rollbacks,
express copies) carry a Procrastinate ``lock`` naming the target: Procrastinate runs entries
of one lock one at a time, in order, whatever the number of workers, while other targets'
jobs run in parallel. The import engine's row lock on the sandbox stays as the last guard.

**A worker killed mid-job.** Its database connection drops, so its transaction (the whole
import) is rolled back: the target is untouched. Its entry stays ``doing`` under a worker
whose heartbeat stops; another worker's housekeeping finds it after
``SBX_WORKER_STALLED_SECONDS``, locks the job row (skipping a row another transaction still
holds: that attempt is alive) and, with attempts left, puts the row back to PENDING and the
entry back to waiting at its place in the lock's order; else the job is FAILED with the
reason. Retries of retriable failures are a new entry scheduled at the row's ``not_before``.

**Progress.** The worker writes the live progress of its running jobs to ``job_progress``
every ``SBX_JOB_PROGRESS_SECONDS`` (in its own short transactions, not the job's), and any
API process reads it from there.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from sandbox_tooling.job import repository
from sandbox_tooling.job import service as job_service
from sandbox_tooling.job.handlers import JobHandlers, Progress
from sandbox_tooling.job.runner import StoredProgress, read_progress
from sandbox_tooling.models import Job
from sandbox_tooling.models.enums import JobStatus, RequestType

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime

log = logging.getLogger(__name__)

#: Request types whose jobs write into their destination sandbox.
TARGET_WRITERS = frozenset({RequestType.IMPORT, RequestType.COPY})
#: Advisory lock key: one worker at a time does the housekeeping.
HOUSEKEEPING_LOCK = 0x5B78_0002


def target_lock(job: Job) -> str | None:
    """The Procrastinate lock of a job that writes into a sandbox: one per target."""
    if job.request_type not in TARGET_WRITERS or not job.destination_sandbox:
        return None
    name = job.destination_sandbox.get("name")
    return f"sbx-target:{job.org_id}:{name}" if name else None


def enqueue_created(session: Session) -> None:
    """Before a commit: enqueue the jobs this transaction made PENDING (the runtime's hook)."""
    for job in job_service.take_to_queue(session):
        if job.status == JobStatus.PENDING:
            repository.enqueue(session, job.id, target_lock(job), job.not_before)


class QueueRunner(StoredProgress):
    """The runner of the Procrastinate backend. In an API process it runs nothing: jobs are
    enqueued with their transaction (``submit`` has nothing left to do) and ``progress`` is
    read from the database. ``run_worker`` makes the process a worker."""

    def __init__(self, rt: Runtime, job_handlers: JobHandlers) -> None:
        super().__init__(rt, job_handlers)
        self._stop = threading.Event()
        self._housekeeper: threading.Thread | None = None

    # -- the JobRunner interface, API side --------------------------------------------------
    def start(self) -> None:
        """Nothing to start in an API process (workers run the jobs)."""

    def stop(self) -> None:
        self._stop.set()
        if self._housekeeper is not None:
            self._housekeeper.join(timeout=10)
            self._housekeeper = None

    def submit(self, job_id: str) -> None:
        """Enqueued already, in the transaction that created the job."""

    def progress(self, job_id: str) -> Progress | None:
        return self._progress.get(job_id) or read_progress(self.db, job_id)

    def wait_idle(self, timeout: float) -> bool:
        """Block until no job of the database is PENDING or IN_PROGRESS; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            with self.db.transaction(write=False) as session:
                if repository.unfinished(session) == 0:
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    # -- the worker ---------------------------------------------------------------------------
    def run_worker(self, concurrency: int, *, name: str | None = None) -> None:
        """Run jobs until SIGINT or SIGTERM: ``concurrency`` at a time in this process."""
        import procrastinate

        app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(
                conninfo=self.settings.resolved_database_url().replace(
                    "postgresql+psycopg://", "postgresql://"
                )
            )
        )

        @app.task(name=repository.TASK, queue=repository.QUEUE)
        def run_job(job_id: str) -> None:
            self.run_entry(job_id)

        self._stop.clear()
        self._housekeeper = threading.Thread(
            target=self._housekeeping_loop, name="sbx-worker-housekeeping", daemon=True
        )
        self._housekeeper.start()
        log.info("worker %s: %d job(s) at a time", self.worker_id, concurrency)
        try:
            app.run_worker(
                queues=[repository.QUEUE],
                concurrency=max(1, concurrency),
                name=name or f"sbx-worker-{self.worker_id}",
                update_heartbeat_interval=self.settings.worker_heartbeat_seconds,
                stalled_worker_timeout=self.settings.worker_stalled_seconds,
                fetch_job_polling_interval=min(5.0, self.settings.job_sweep_seconds),
                delete_jobs="always",
            )
        finally:
            self.stop()

    def run_entry(self, job_id: str) -> None:
        """The task: one attempt at the job; a job not due yet (clocks differ) is enqueued
        again for its time."""
        if self._execute(job_id) is None:
            return
        with self.db.transaction() as session:
            job = repository.get(session, job_id)
            if job is not None and job.status == JobStatus.PENDING:
                repository.enqueue(session, job.id, target_lock(job), job.not_before)

    # -- housekeeping -------------------------------------------------------------------------
    def _housekeeping_loop(self) -> None:
        next_sweep = 0.0
        while not self._stop.wait(self.settings.job_progress_seconds):
            try:
                self.flush_progress()
            except Exception:  # pragma: no cover - logged, tried again next period
                log.exception("writing job progress failed")
            if time.monotonic() < next_sweep:
                continue
            next_sweep = time.monotonic() + self.settings.job_sweep_seconds
            try:
                self.housekeeping()
            except Exception:  # pragma: no cover - logged, tried again next period
                log.exception("job housekeeping failed")

    def housekeeping(self) -> dict[str, int]:
        """Recover the jobs of dead workers and enqueue PENDING jobs that have no entry; one
        worker at a time (the others skip this round). Counts of what it did."""
        done = {"retried": 0, "failed": 0, "enqueued": 0}
        with self.db.transaction() as session:
            if not repository.try_advisory_xact_lock(session, HOUSEKEEPING_LOCK):
                return done
            for entry_id, job_id in repository.stalled_entries(
                session, self.settings.worker_stalled_seconds
            ):
                found, job = repository.lock_if_free(session, job_id)
                if found and job is None:
                    continue  # its transaction is still alive somewhere: not dead yet
                if job is not None and job.status == JobStatus.IN_PROGRESS:
                    outcome = self._recover(session, job)
                    done[outcome] += 1
                    if outcome == "retried" and repository.retry_entry(session, entry_id):
                        continue
                    if outcome == "retried":  # it has a waiting entry already
                        repository.drop_entry(session, entry_id)
                        continue
                repository.drop_entry(session, entry_id)
            for job_id, status in repository.unqueued(session):
                found, job = repository.lock_if_free(session, job_id)
                if job is None or job.status != status:
                    continue
                if status == JobStatus.IN_PROGRESS:
                    # Running, yet no worker holds an entry for it: its worker is gone.
                    outcome = self._recover(session, job)
                    done[outcome] += 1
                    if outcome != "retried":
                        continue
                if repository.enqueue(session, job.id, target_lock(job), job.not_before):
                    done["enqueued"] += 1
        if any(done.values()):
            log.warning("job housekeeping: %s", done)
        return done

    def _recover(self, session: Session, job: Job) -> str:
        """An IN_PROGRESS job whose worker died: PENDING again while attempts are left
        (the caller re-enqueues it), else FAILED with the reason."""
        repository.delete_progress(session, [job.id])
        log.warning("job %s: its worker (%s) died", job.id, job.locked_by)
        return self._interrupted(session, job, "the death of its worker", enqueue=False)
