"""``sbx copy``: express copy of objects from one sandbox to another (package, publish and
import in one job), planned first."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sandbox_tooling.cli.context import Ctx, TimeoutOpt, Usage, WaitOpt, artifacts, command
from sandbox_tooling.cli.exits import Exit
from sandbox_tooling.cli.imports import alternatives, finish, plan_table, report_plan, save_plan
from sandbox_tooling.importer.schemas import ImportPlanRead

app = typer.Typer()


@command(app, "copy")
def copy(
    ctx: Ctx,
    source: Annotated[str | None, typer.Option("--from", help="Source sandbox.")] = None,
    target: Annotated[str | None, typer.Option("--to", help="Target sandbox.")] = None,
    artifact: Annotated[
        list[str] | None, typer.Option("--artifact", "-a", help="TYPE:ID to copy (repeatable).")
    ] = None,
    alternative: Annotated[
        list[str] | None,
        typer.Option("--alternative", help="SOURCE_ID=TARGET_ID: use this target object."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Name of the package it makes.")] = None,
    plan_only: Annotated[
        bool, typer.Option("--plan-only", help="Only plan (with --out to keep the plan).")
    ] = False,
    plan_file: Annotated[
        Path | None, typer.Option("--plan", help="Copy exactly this plan (from --plan-only --out).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the plan (JSON) here.")] = None,
    detailed_exitcode: Annotated[
        bool, typer.Option(help="With --plan-only: exit 7 when the plan would write.")
    ] = False,
    wait: WaitOpt = True,
    timeout: TimeoutOpt = None,
) -> None:
    """Copy objects and their dependencies to another sandbox in one job (existing
    dependencies reused): the plan is shown first, then applied exactly."""
    express = ctx.client.express
    if plan_file is not None:
        planned = ImportPlanRead.model_validate_json(plan_file.read_bytes())
        if planned.kind != "EXPRESS":
            raise Usage(f"--plan {plan_file}: an {planned.kind} plan; use sbx import apply --plan")
        if source or target or artifact or alternative:
            raise Usage("--plan FILE takes no --from, --to, --artifact or --alternative")
        roots = [(a.type, a.id) for a in planned.root_artifacts]
        source, target = planned.source_sandbox.name, planned.destination_sandbox.name
        alts = None
    else:
        if not source or not target or not artifact:
            raise Usage("give --from SANDBOX, --to SANDBOX and --artifact TYPE:ID")
        roots = artifacts(artifact)

        def types_of() -> dict[str, str]:
            first = express.plan(source, target, roots)
            return {s.source_id: s.type for s in first.steps}

        alts = alternatives(ctx, alternative, types_of, "--alternative")
        planned = express.plan(source, target, roots, alternatives=alts)
        save_plan(ctx, planned, out)
        report_plan(ctx, planned)
        if plan_only:
            ctx.emit(planned, lambda: plan_table(planned))
            if detailed_exitcode and planned.changes:
                raise typer.Exit(Exit.CHANGES)
            return
    job = express.copy(source, target, roots, alternatives=alts, plan_id=planned.plan_id, name=name)
    if not wait:
        ctx.info(f"express copy: job {job.id} (package {job.package_id})")
        ctx.emit(job, None)
        return
    done = ctx.wait(job.id, timeout, f"copy {source} -> {target}")
    finish(ctx, done)
