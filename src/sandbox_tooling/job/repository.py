"""Job queries, including the atomic claim that keeps a job from running twice."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import and_, delete, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.kit.sql import paginate
from sandbox_tooling.models import Job, JobProgress
from sandbox_tooling.models.enums import INTERNAL_REQUEST_TYPES, JobStatus, JobType, RequestType

PENDING, IN_PROGRESS, SUCCESS = JobStatus.PENDING, JobStatus.IN_PROGRESS, JobStatus.SUCCESS


def get(session: Session, job_id: str, *, for_update: bool = False) -> Job | None:
    return session.get(Job, job_id, with_for_update=for_update or None)


def claim(session: Session, job_id: str, worker: str, now: int) -> bool:
    """PENDING -> IN_PROGRESS, only if nobody else got there first and the job is due."""
    result = session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            Job.status == PENDING,
            or_(Job.not_before.is_(None), Job.not_before <= now),
        )
        .values(
            status=IN_PROGRESS,
            attempts=Job.attempts + 1,
            locked_by=worker,
            heartbeat=now,
            started_date=now,
            modified_date=now,
        )
    )
    return bool(getattr(result, "rowcount", 0))


def kind_and_status(session: Session, job_id: str) -> tuple[str, str, str] | None:
    """``(request_type, job_type, status)`` of a job, without its (large) parameters and
    results."""
    row = session.execute(
        select(Job.request_type, Job.job_type, Job.status).where(Job.id == job_id)
    ).first()
    return (row[0], row[1], row[2]) if row is not None else None


def ids_with_status(session: Session, status: str) -> list[str]:
    return list(
        session.scalars(select(Job.id).where(Job.status == status).order_by(Job.created_date))
    )


def pending(session: Session) -> list[tuple[str, int | None]]:
    """``(id, not_before)`` of every PENDING job, oldest first."""
    rows = session.execute(
        select(Job.id, Job.not_before).where(Job.status == PENDING).order_by(Job.created_date)
    )
    return [(i, n) for i, n in rows]


def page(
    session: Session,
    org_id: str,
    query: ListQuery,
    sandboxes: frozenset[str] | None,
    *,
    with_results: bool = False,
) -> tuple[list[Job], int]:
    """``sandboxes``: only jobs whose sandboxes are all the org's and among these (None: all).
    Parameters and results (an import's result names every object it made) are loaded only
    ``with_results``."""
    stmt = select(Job).where(
        Job.org_id == org_id, Job.request_type.not_in(sorted(INTERNAL_REQUEST_TYPES))
    )
    if not with_results:
        stmt = stmt.options(defer(Job.params), defer(Job.result))
    if sandboxes is not None:
        names = sorted(sandboxes)
        for ref in (Job.source_sandbox, Job.destination_sandbox):
            name, org = ref["name"].as_string(), ref["imsOrgId"].as_string()
            stmt = stmt.where(
                or_(name.is_(None), and_(name.in_(names), or_(org.is_(None), org == org_id)))
            )
    return paginate(session, stmt, Job, query, Job.id)


def running_version_save(session: Session, package_id: str) -> Job | None:
    return session.scalars(
        select(Job).where(
            Job.package_id == package_id,
            Job.request_type == RequestType.VERSION,
            Job.job_type == JobType.UPGRADE,
            Job.status.in_((PENDING, IN_PROGRESS)),
        )
    ).first()


def imports_of(session: Session, org_id: str, package_id: str) -> list[tuple[str, Any]]:
    """``(id, destination_sandbox)`` of the package's successful imports and updates, newest
    first; results (which can be large) are not loaded."""
    rows = session.execute(
        select(Job.id, Job.destination_sandbox)
        .where(
            Job.org_id == org_id,
            Job.package_id == package_id,
            Job.request_type == RequestType.IMPORT,
            Job.job_type.in_((JobType.NEW, JobType.UPDATE)),
            Job.status == SUCCESS,
        )
        .order_by(Job.finished_date.desc())
    )
    return [(i, d) for i, d in rows]


def compares_of(session: Session, package_id: str, package_version: int) -> list[tuple[str, Any]]:
    """``(id, params)`` of the version's live or finished compare jobs, newest first."""
    rows = session.execute(
        select(Job.id, Job.params)
        .where(
            Job.package_id == package_id,
            Job.request_type == RequestType.VERSION,
            Job.job_type == JobType.COMPUTE,
            Job.package_version == package_version,
            Job.status.in_((PENDING, IN_PROGRESS, SUCCESS)),
        )
        .order_by(Job.created_date.desc())
    )
    return [(i, p) for i, p in rows]


def unfinished(session: Session) -> int:
    """How many jobs are PENDING or IN_PROGRESS."""
    return int(
        session.scalar(
            select(func.count()).select_from(Job).where(Job.status.in_((PENDING, IN_PROGRESS)))
        )
        or 0
    )


def lock_if_free(session: Session, job_id: str) -> tuple[bool, Job | None]:
    """``(found, job)``: the job locked for this transaction, ``(True, None)`` when another
    transaction holds it (its attempt is still alive), ``(False, None)`` when there is none."""
    job = session.scalars(
        select(Job).where(Job.id == job_id).with_for_update(skip_locked=True)
    ).first()
    if job is not None:
        return True, job
    return session.scalar(select(Job.id).where(Job.id == job_id)) is not None, None


# -- live progress (procrastinate backend) ----------------------------------------------------
def save_progress(
    session: Session,
    job_id: str,
    planned: dict[str, int],
    completed: list[Any],
    failed: list[Any],
    now: int,
) -> None:
    session.merge(
        JobProgress(
            job_id=job_id, planned=planned, completed=completed, failed=failed, updated_date=now
        )
    )


def get_progress(session: Session, job_id: str) -> JobProgress | None:
    return session.get(JobProgress, job_id)


def delete_progress(session: Session, job_ids: list[str]) -> None:
    if job_ids:
        session.execute(delete(JobProgress).where(JobProgress.job_id.in_(job_ids)))


# -- the Procrastinate queue (PostgreSQL; its schema is applied by ``sbx migrate``) -----------
#: The queue and task name of sbx's one Procrastinate task: run the job row ``args.job_id``.
QUEUE = "sbx"
TASK = "sbx.run_job"


def enqueue(session: Session, job_id: str, lock: str | None, not_before: int | None) -> bool:
    """Add a queue entry for the job in this transaction (its ``queueing_lock`` is the job id,
    so a job has at most one waiting entry); False when one is waiting already. ``lock``:
    entries with the same lock run one at a time, in order."""
    stmt = text(
        "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW("
        "CAST(:queue AS varchar), CAST(:task AS varchar), 0, CAST(:lock AS text), "
        "CAST(:qlock AS text), CAST(:args AS jsonb), "
        "to_timestamp(CAST(:at AS bigint) / 1000.0))::procrastinate_job_to_defer_v1])"
    )
    params = {
        "queue": QUEUE,
        "task": TASK,
        "lock": lock,
        "qlock": job_id,
        "args": orjson.dumps({"job_id": job_id}).decode(),
        "at": not_before,
    }
    try:
        with session.begin_nested():
            session.execute(stmt, params)
    except IntegrityError:
        return False
    return True


def stalled_entries(session: Session, seconds: float) -> list[tuple[int, str]]:
    """``(entry id, job id)`` of the entries running on workers that stopped sending
    heartbeats ``seconds`` ago (or were pruned), locked for this transaction."""
    rows = session.execute(
        text(
            "SELECT job.id, job.args->>'job_id' FROM procrastinate_jobs job "
            "LEFT JOIN procrastinate_workers w ON w.id = job.worker_id "
            "WHERE job.status = 'doing' AND job.task_name = :task "
            "AND (w.id IS NULL OR w.last_heartbeat < NOW() - make_interval(secs => :s)) "
            "ORDER BY job.id FOR UPDATE OF job SKIP LOCKED"
        ),
        {"task": TASK, "s": seconds},
    )
    return [(int(i), str(j)) for i, j in rows]


def retry_entry(session: Session, entry_id: int) -> bool:
    """A running entry back to waiting, at its place in its lock's order; False when its job
    has a waiting entry already."""
    try:
        with session.begin_nested():
            session.execute(
                text("SELECT procrastinate_retry_job_v2(:id, NOW(), NULL, NULL, NULL)"),
                {"id": entry_id},
            )
    except IntegrityError:
        return False
    return True


def drop_entry(session: Session, entry_id: int) -> None:
    session.execute(text("DELETE FROM procrastinate_jobs WHERE id = :id"), {"id": entry_id})


def unqueued(session: Session) -> list[tuple[str, str]]:
    """``(id, status)`` of PENDING jobs with no waiting or running queue entry, and of
    IN_PROGRESS jobs with no running entry (their worker's entry is gone)."""
    rows = session.execute(
        text(
            "SELECT j.id, j.status FROM jobs j WHERE j.status IN ('PENDING', 'IN_PROGRESS') "
            "AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs p WHERE p.queueing_lock = j.id "
            "AND p.task_name = :task AND (p.status = 'doing' OR "
            "(p.status = 'todo' AND j.status = 'PENDING'))) ORDER BY j.created_date"
        ),
        {"task": TASK},
    )
    return [(str(i), str(st)) for i, st in rows]


def try_advisory_xact_lock(session: Session, key: int) -> bool:
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}))
