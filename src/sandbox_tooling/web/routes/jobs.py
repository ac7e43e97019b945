"""Jobs: every job of the org the user may see (publish, import, compare, update, transfer,
rollback, save version) with filters and live status; a job's page with its progress, the
import summary per type and the rollback button."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from sandbox_tooling.importer import service as import_service
from sandbox_tooling.job import service as job_service
from sandbox_tooling.kit.listing import Filter, ListQuery
from sandbox_tooling.models import Job
from sandbox_tooling.models.enums import JobStatus
from sandbox_tooling.web import actions
from sandbox_tooling.web.actions import Done
from sandbox_tooling.web.context import PREFIX, CheckedForm, Console, Page
from sandbox_tooling.web.jobs import (
    BY_KIND,
    KINDS,
    TypeSummary,
    failed_tasks,
    finished,
    group_objects,
    import_summary,
    kind,
    progress,
)
from sandbox_tooling.web.render import fragment, page

router = APIRouter(prefix=PREFIX)
PAGE_SIZE = 25


@router.get("/jobs")
def jobs(
    c: Page,
    kind_: Annotated[str, Query(alias="kind", max_length=32)] = "",
    status: Annotated[JobStatus | None, Query()] = None,
    package: Annotated[str, Query(max_length=64)] = "",
    start: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    filters = []
    if kind_ in BY_KIND:
        request_type, job_type = BY_KIND[kind_]
        filters.append(Filter("request_type", "==", (request_type,)))
        filters.append(Filter("job_type", "==", (job_type,)))
    if status:
        filters.append(Filter("status", "==", (status,)))
    if package:
        filters.append(Filter("package_id", "==", (package,)))
    query = ListQuery(tuple(filters), "created_date", True, start, PAGE_SIZE)
    rows, total = job_service.list_jobs(c.session, c.principal, query, with_results=True)
    context: dict[str, Any] = {
        "rows": rows,
        "total": total,
        "start": start,
        "size": PAGE_SIZE,
        "kind_of": kind,
        "progress_of": lambda j: progress(c, j),
        "running": any(not finished(j) for j in rows),
        "kind": kind_,
        "status": status or "",
        "package": package,
    }
    if c.request.headers.get("hx-target") == "job-list":
        return fragment(c, "jobs_table.html", **context)
    return page(
        c,
        "jobs.html",
        active="jobs",
        title="Jobs",
        kinds=sorted(set(KINDS.values())),
        statuses=list(JobStatus),
        **context,
    )


def _job(c: Console, job_id: str) -> Job:
    return job_service.get_job(c.session, c.principal, job_id)


@router.get("/jobs/{job_id}/status")
def job_status(job_id: str, c: Page, reload: Annotated[int, Query(ge=0, le=1)] = 0) -> Response:
    """The live part of a job's page: polled every second while the job runs; when it ends,
    the page reloads itself to show the outcome (``reload=1``)."""
    job = _job(c, job_id)
    if finished(job) and reload:
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return fragment(
        c, "job_status.html", job=job, kind=kind(job), progress=progress(c, job), reload=reload
    )


@router.get("/jobs/{job_id}")
def job_page(job_id: str, c: Page) -> Response:
    from sandbox_tooling.web.routes.versions import compare_view

    job = _job(c, job_id)
    k = kind(job)
    summary: list[TypeSummary] = []
    target: str | None = None
    if k in ("import", "update"):
        summary, target = import_summary(c, job)
    can_rollback = (
        k == "import"
        and job.status == JobStatus.SUCCESS
        and not (job.result or {}).get("rolledBackBy")
        and c.can("Package", "manage", (job.destination_sandbox or {}).get("name"))
    )
    compare = compare_view(c, job) if k == "compare" and job.status == JobStatus.SUCCESS else None
    return page(
        c,
        "job.html",
        active="jobs",
        title=f"{k.capitalize()} job {job.name}",
        job=job,
        kind=k,
        progress=progress(c, job),
        summary=summary,
        target=target,
        failed=failed_tasks(job),
        deleted=group_objects((job.result or {}).get("deletedObjects", [])),
        can_rollback=can_rollback,
        compare=compare,
        type_labels={t.name: t.label for t in c.rt.types.all()},
    )


@router.post("/jobs/{job_id}/rollback")
def rollback(job_id: str, c: Page, form: CheckedForm) -> RedirectResponse:
    def work() -> Done:
        job = import_service.submit_rollback(c.session, c.rt, c.principal, job_id)
        return Done("Rollback started.", redirect=f"{PREFIX}/jobs/{job.id}", jobs=[job.id])

    return actions.run(c, f"{PREFIX}/jobs/{job_id}", work)
