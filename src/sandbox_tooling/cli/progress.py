"""Waiting for a job: a Rich progress bar on a terminal (objects done of the plan's total,
and per type), plain lines on stderr otherwise (one per change of state)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from sandbox_tooling.job.schemas import JobRead
from sandbox_tooling.models.enums import JobStatus

if TYPE_CHECKING:
    from sandbox_tooling.cli.context import Ctx


def watch(ctx: Ctx, job_id: str, timeout: float | None, label: str) -> JobRead:
    if ctx.err.is_terminal:
        return _bar(ctx, job_id, timeout, label)
    last = ""

    def line(job: JobRead) -> None:
        nonlocal last
        p = job.progress
        text = f"{label}: job {job.id} {job.job_status}"
        if p is not None:
            text += f" ({p.done}/{p.total} objects)"
        if text != last:
            ctx.info(text)
            last = text

    return ctx.client.jobs.wait(job_id, timeout=timeout, progress=line)


def _bar(ctx: Ctx, job_id: str, timeout: float | None, label: str) -> JobRead:
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=ctx.err) as bar:
        overall = bar.add_task(label, total=None)
        types: dict[str, TaskID] = {}

        def show(job: JobRead) -> None:
            status = JobStatus(job.job_status)
            bar.update(overall, description=f"{label} [dim]{status}[/dim]")
            p = job.progress
            if p is not None:
                bar.update(overall, total=p.total, completed=p.done)
                for name, t in p.types.items():
                    if name not in types:
                        types[name] = bar.add_task(f"  {name}", total=t.total)
                    bar.update(types[name], completed=t.done)
            if status.finished:
                done = Counter(t.artifact.type for t in job.completed_tasks)
                for name, task in types.items():
                    bar.update(task, completed=done.get(name, 0))
                total = bar.tasks[overall].total
                bar.update(overall, total=total or 1, completed=total or 1)

        return ctx.client.jobs.wait(job_id, timeout=timeout, progress=show)
