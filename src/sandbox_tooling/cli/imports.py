"""``sbx import``: check, plan, apply. A plan is written as JSON (``--out``) to be reviewed and
applied later exactly as it is (``apply --plan FILE``), or refused if the target changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from sandbox_tooling.cli.context import (
    Ctx,
    TimeoutOpt,
    Usage,
    WaitOpt,
    command,
    pairs,
    table,
)
from sandbox_tooling.cli.exits import Exit
from sandbox_tooling.importer.schemas import ImportPlanRead
from sandbox_tooling.job.schemas import JobRead

app = typer.Typer(no_args_is_help=True, help="Import packages: check, plan, apply.")

TargetOpt = Annotated[str, typer.Option("--target", "-t", help="The sandbox to import into.")]
AlternativeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--alternative",
        help="SOURCE_ID=TARGET_ID: use this target object instead of creating one (repeatable; "
        "with --update, an overwrite mapping).",
    ),
]
UpdateOpt = Annotated[
    bool, typer.Option("--update", help="Update the objects an earlier import created.")
]


# -- shared with ``sbx copy`` and ``sbx versions update`` -------------------------------------
def plan_table(plan: ImportPlanRead) -> object:
    counts = ", ".join(f"{n} {a.lower()}" for a, n in plan.summary.items() if n)
    what = plan.package_id or f"from {plan.source_sandbox.name}"
    t = table(
        "action",
        "type",
        "title",
        "target",
        "reason",
        title=f"{plan.kind} plan {plan.plan_id}: {what} -> {plan.destination_sandbox.name} "
        f"({counts or 'nothing'})",
    )
    for s in plan.steps:
        target = s.target_id or ""
        if s.new_title:
            target = f"{target}\nas '{s.new_title}'"
        t.add_row(s.action, s.type, s.title, target, s.reason)
    return t


def report_plan(ctx: Ctx, plan: ImportPlanRead) -> None:
    """The plan's summary and permission problems, on stderr."""
    counts = ", ".join(f"{n} {a.lower()}" for a, n in plan.summary.items() if n)
    ctx.info(
        f"plan {plan.plan_id}: {counts or 'nothing to do'} "
        f"(target state {plan.target_state_hash[:19]}…)"
    )
    missing = {
        (p.artifact_type, r.palm_resource_type, ",".join(r.resource_permissions))
        for p in plan.preflight.permission_response
        for r in p.missing_permissions.resources
    }
    for type_name, resource, actions in sorted(missing):
        ctx.info(f"[yellow]missing permission[/yellow] {resource}:{actions} (for {type_name})")


def save_plan(ctx: Ctx, plan: ImportPlanRead, out: Path | None) -> None:
    if out is not None:
        data = plan.model_dump(mode="json", by_alias=True, exclude_unset=True)
        out.write_text(json.dumps(data, indent=2) + "\n")
        ctx.info(f"plan written to {out}; apply it with: sbx import apply --plan {out}")


def job_table(job: JobRead) -> object:
    summary = ", ".join(f"{n} {k}" for k, n in (job.summary or {}).items() if n)
    title = f"job {job.id} {job.job_status} ({summary})"
    t = table("status", "type", "source", "target", title=title)
    for task in job.completed_tasks:
        message = task.artifact.messages[0].status if task.artifact.messages else ""
        t.add_row(message, task.artifact.type or "", task.artifact.id, task.artifact.new_id or "")
    for task in job.failed_tasks:
        message = task.artifact.messages[0].message if task.artifact.messages else ""
        t.add_row("FAILED", task.artifact.type or "", task.artifact.id, message)
    return t


def finish(ctx: Ctx, job: JobRead) -> None:
    summary = ", ".join(f"{n} {k}" for k, n in (job.summary or {}).items() if n)
    ctx.info(f"job {job.id} {job.job_status}: {summary}")
    ctx.emit(job, lambda: job_table(job))


def alternatives(
    ctx: Ctx, values: list[str] | None, types_of: Callable[[], dict[str, str]], option: str
) -> dict[str, tuple[str, str]] | None:
    """``SOURCE_ID=TARGET_ID`` options with each artifact's type (from a plan without
    them: the API names both)."""
    given = pairs(values or [], option)
    if not given:
        return None
    types = types_of()
    unknown = sorted(set(given) - set(types))
    if unknown:
        raise Usage(f"{option} {unknown[0]}: not an artifact of the package")
    return {src: (types[src], tgt) for src, tgt in given.items()}


def _plan(
    ctx: Ctx,
    package_id: str,
    target: str,
    alternative: list[str] | None,
    update: bool,
    version: int | None,
) -> ImportPlanRead:
    imports = ctx.client.imports

    def types_of() -> dict[str, str]:
        first = imports.plan(package_id, target, update=update, package_version=version)
        return {s.source_id: s.type for s in first.steps}

    alts = alternatives(ctx, alternative, types_of, "--alternative")
    return imports.plan(
        package_id, target, alternatives=alts, update=update, package_version=version
    )


# -- commands ---------------------------------------------------------------------------------
@command(app, "check")
def check(ctx: Ctx, package_id: Annotated[str, typer.Argument()], target: TargetOpt) -> None:
    """Conflicts (similar objects in the target) and the permission preflight."""
    conflicts = ctx.client.imports.conflicts(package_id, target)
    preflight = ctx.client.imports.preflight(package_id, target)

    def show() -> object:
        title = f"{package_id} -> {target}"
        t = table("type", "artifact", "similar objects in the target", title=title)
        for c in conflicts:
            similar = "\n".join(f"{s.title} ({s.id})" for s in c.suggestion_list)
            t.add_row(c.artifact.type, c.artifact.title, similar)
        denied = [p for p in preflight.permission_response if not p.creation_allowed]
        for p in denied:
            lacks = ", ".join(
                f"{r.palm_resource_type}:{','.join(r.resource_permissions)}"
                for r in p.missing_permissions.resources
            )
            t.add_row(p.artifact_type, p.artifact_id, f"[red]lacks {lacks}[/red]")
        return t

    ctx.emit({"conflicts": conflicts, "preflight": preflight}, show)


@command(app, "plan")
def plan(
    ctx: Ctx,
    package_id: Annotated[str, typer.Argument()],
    target: TargetOpt,
    alternative: AlternativeOpt = None,
    update: UpdateOpt = False,
    version: Annotated[int | None, typer.Option(help="Plan this package version.")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the plan (JSON) to this file.")
    ] = None,
    detailed_exitcode: Annotated[
        bool,
        typer.Option(help="Exit 0 when the plan changes nothing, 7 when it would write."),
    ] = False,
) -> None:
    """What an import would do, without writing anything (kept a day by the server)."""
    result = _plan(ctx, package_id, target, alternative, update, version)
    save_plan(ctx, result, out)
    report_plan(ctx, result)
    ctx.emit(result, lambda: plan_table(result))
    if detailed_exitcode and result.changes:
        raise typer.Exit(Exit.CHANGES)


@command(app, "apply")
def apply(
    ctx: Ctx,
    package_id: Annotated[
        str | None, typer.Argument(help="Plan and apply at once (or give --plan).")
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", "-t", help="The sandbox to import into.")
    ] = None,
    plan_file: Annotated[
        Path | None,
        typer.Option("--plan", help="Apply exactly this plan (from import plan --out)."),
    ] = None,
    alternative: AlternativeOpt = None,
    update: UpdateOpt = False,
    wait: WaitOpt = True,
    timeout: TimeoutOpt = None,
) -> None:
    """Apply a plan: the import does exactly it, or refuses (exit 6) if the target changed."""
    if plan_file is not None:
        if package_id or target or alternative or update:
            raise Usage("--plan FILE takes no PACKAGE_ID, --target, --alternative or --update")
        try:
            planned = ImportPlanRead.model_validate_json(plan_file.read_bytes())
        except ValueError as exc:
            raise Usage(
                f"--plan {plan_file}: not a plan written by 'sbx import plan' ({exc})"
            ) from None
    else:
        if not package_id or not target:
            raise Usage("give PACKAGE_ID and --target, or --plan FILE")
        planned = _plan(ctx, package_id, target, alternative, update, None)
        report_plan(ctx, planned)
    if planned.kind == "EXPRESS":
        raise Usage("an express copy plan is applied with: sbx copy --plan FILE")
    job_id = ctx.client.imports.apply(planned)
    if not wait:
        ctx.info(f"{planned.kind.lower()}: job {job_id}")
        ctx.emit({"jobId": job_id, "planId": planned.plan_id})
        return
    label = f"{planned.kind.lower()} into {planned.destination_sandbox.name}"
    job = ctx.wait(job_id, timeout, label)
    finish(ctx, job)
