"""``sbx jobs``: list, show, watch, rollback."""

from __future__ import annotations

from typing import Annotated

import typer

from sandbox_tooling.cli.context import Ctx, TimeoutOpt, WaitOpt, YesOpt, command, table
from sandbox_tooling.cli.imports import finish, job_table
from sandbox_tooling.job.schemas import JobListItem

app = typer.Typer(no_args_is_help=True, help="Jobs: publish, import, update, copy, …")


@command(app, "list")
def list_(
    ctx: Ctx,
    filter_: Annotated[
        list[str] | None,
        typer.Option("--filter", help="A property filter, e.g. jobStatus==FAILED (repeatable)."),
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many (newest first).")] = 50,
) -> None:
    """List the org's jobs, newest first."""
    rows: list[JobListItem] = []
    for job in ctx.client.jobs.list(filters=filter_ or []):
        rows.append(job)
        if len(rows) >= limit:
            break

    def show() -> object:
        t = table("id", "kind", "status", "name", "source", "target", "error")
        for j in rows:
            t.add_row(
                j.id,
                f"{j.request_type}/{j.job_type}",
                j.job_status,
                j.name,
                j.source_sand_box or "",
                j.target_sandbox or "",
                (j.error_message or "")[:80],
            )
        return t

    ctx.emit(rows, show)


@command(app, "show")
def show(ctx: Ctx, job_id: Annotated[str, typer.Argument()]) -> None:
    """Show a job with its tasks."""
    job = ctx.client.jobs.get(job_id)
    ctx.emit(job, lambda: job_table(job))


@command(app, "watch")
def watch(ctx: Ctx, job_id: Annotated[str, typer.Argument()], timeout: TimeoutOpt = None) -> None:
    """Follow a job until it ends (exit 4 if it FAILED, 5 on --timeout)."""
    finish(ctx, ctx.wait(job_id, timeout, f"job {job_id}"))


@command(app, "rollback")
def rollback(
    ctx: Ctx,
    job_id: Annotated[str, typer.Argument(help="A successful import or express copy.")],
    yes: YesOpt = False,
    wait: WaitOpt = True,
    timeout: TimeoutOpt = None,
) -> None:
    """Undo an import: delete the objects it created."""
    ctx.confirm(f"Delete every object job {job_id} created?", yes)
    job = ctx.client.imports.rollback(job_id)
    if not wait:
        ctx.info(f"rollback: job {job.id}")
        ctx.emit(job, None)
        return
    finish(ctx, ctx.wait(job.id, timeout, f"rollback of {job_id}"))
