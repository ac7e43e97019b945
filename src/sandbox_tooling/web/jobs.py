"""What the console shows of a job: its kind, live progress and, for imports, the summary per
type (created, reused, renamed, failed) with the created objects."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sandbox_tooling.models import Job
from sandbox_tooling.models.enums import JobStatus, JobType, RequestType, TaskStatus
from sandbox_tooling.package import service as package_service
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.sandbox import service as sandbox_service
from sandbox_tooling.web.context import Console
from sandbox_tooling.web.graph import ordered

#: The console's names of job kinds, and back.
KINDS: dict[tuple[str, str], str] = {
    (RequestType.EXPORT, JobType.NEW): "publish",
    (RequestType.IMPORT, JobType.NEW): "import",
    (RequestType.IMPORT, JobType.UPDATE): "update",
    (RequestType.IMPORT, JobType.ROLLBACK): "rollback",
    (RequestType.VERSION, JobType.UPGRADE): "save version",
    (RequestType.VERSION, JobType.COMPUTE): "compare",
    (RequestType.TRANSFER, JobType.NEW): "transfer",
}
BY_KIND = {v: k for k, v in KINDS.items()}


def kind(job: Job) -> str:
    return KINDS.get((job.request_type, job.job_type), f"{job.request_type}/{job.job_type}")


def finished(job: Job) -> bool:
    return JobStatus(job.status).finished


@dataclass
class Progress:
    done: int
    failed: int
    total: int | None

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * (self.done + self.failed) / self.total))


def progress(c: Console, job: Job) -> Progress:
    """Tasks done so far (live from the runner while the job runs) out of the snapshot's
    objects for imports and updates."""
    live = c.rt.jobs.progress(job.id) if job.status == JobStatus.IN_PROGRESS else None
    result = job.result or {}
    done = len(live.completed) if live else len(result.get("completedTasks", []))
    failed = len(live.failed) if live else len(result.get("failedTasks", []))
    total = None
    if job.request_type == RequestType.IMPORT and job.job_type in (JobType.NEW, JobType.UPDATE):
        version = package_service.version_by_snapshot(c.session, job.snapshot_id)
        total = version.artifact_count if version is not None else None
    if job.status == JobStatus.SUCCESS and total is None and done:
        total = done + failed
    return Progress(done, failed, total)


@dataclass
class TypeSummary:
    type: str
    label: str
    created: int = 0
    reused: int = 0
    renamed: int = 0
    unchanged: int = 0
    updated: int = 0
    failed: int = 0
    objects: list[tuple[str, str, str]] = field(default_factory=list)  # (id, title, note)


def import_summary(c: Console, job: Job) -> tuple[list[TypeSummary], str | None]:
    """Per type: created, reused (existing objects used), renamed (created with a suffixed
    title), failed; the created objects with their titles in the target. And the target
    sandbox's name when it still exists (for links)."""
    result = job.result or {}
    target = (job.destination_sandbox or {}).get("name")
    sandbox = sandbox_service.live(c.session, c.principal.org_id, target) if target else None
    created_ids = [t[4] for t in result.get("completedTasks", []) if t[0] == TaskStatus.CREATED]
    titles = (
        registry_service.titles_by_ids(c.session, sandbox.id, [i for i in created_ids if i])
        if sandbox is not None
        else {}
    )
    rows: dict[str, TypeSummary] = {}
    types = c.rt.types

    def row(type_name: str) -> TypeSummary:
        if type_name not in rows:
            label = types.get(type_name).label if type_name in types else type_name
            rows[type_name] = TypeSummary(type_name, label)
        return rows[type_name]

    for status, type_name, _src, title, tgt, _msg, _failed in result.get("completedTasks", []):
        r = row(type_name)
        if status == TaskStatus.CREATED:
            now = titles.get((type_name, tgt or ""))
            renamed = now is not None and now != title
            r.created += 1
            r.renamed += renamed
            r.objects.append((tgt or "", now or title or "", "renamed" if renamed else ""))
        elif status in (TaskStatus.OBJECT_REUSED, TaskStatus.OBJECT_EXISTS):
            r.reused += 1
        elif status == TaskStatus.UPDATED:
            r.updated += 1
            r.objects.append((tgt or "", title or "", "updated"))
        elif status == TaskStatus.NO_CHANGE:
            r.unchanged += 1
    for task in result.get("failedTasks", []):
        row(task[1]).failed += 1
    order = {t: i for i, t in enumerate(ordered(rows))}
    summary = sorted(rows.values(), key=lambda r: order[r.type])
    return summary, target if sandbox is not None else None


def failed_tasks(job: Job) -> list[dict[str, Any]]:
    out = []
    for status, type_name, src, title, _tgt, message, _failed in (job.result or {}).get(
        "failedTasks", []
    ):
        out.append({"type": type_name, "id": src, "title": title, "message": message or status})
    return out


def group_objects(keys: list[list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for t, i in keys:
        out[t].append(i)
    return out
