"""``sbx versions``: compare, save, history, update."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from sandbox_tooling.cli.context import Ctx, TimeoutOpt, WaitOpt, command, table
from sandbox_tooling.cli.imports import alternatives, finish, report_plan
from sandbox_tooling.job.schemas import JobRead

app = typer.Typer(no_args_is_help=True, help="Package versions: compare, save, update.")


def _delta_table(job: JobRead) -> object:
    delta: dict[str, Any] = job.delta_package_version or {}
    graph = delta.get("eximGraphDelta", {})
    valid = "" if delta.get("validated", True) else ", has changes an update refuses"
    t = table("object", "change", "path", "old", "new", title=f"compare {job.id}{valid}")
    for vertex in graph.get("vertices", []):
        a = vertex.get("artifact", {})
        t.add_row(
            f"{a.get('type')} {a.get('title') or a.get('id')}", vertex.get("change"), "", "", ""
        )
    for d in graph.get("pluginDeltas", []):
        a = d.get("sourceArtifact", {})
        name = f"{a.get('type')} {a.get('title') or a.get('id')}"
        for change in d.get("changes", []):
            t.add_row(
                name,
                str(change.get("op")),
                str(change.get("path")),
                _short(change.get("oldValue")),
                _short(change.get("newValue")),
            )
        for problem in d.get("unsupportedChanges", []):
            t.add_row(
                name, "[red]refused[/red]", str(problem.get("path")), "", problem.get("message", "")
            )
    return t


def _short(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "…"


@command(app, "compare")
def compare(
    ctx: Ctx,
    package_id: Annotated[str, typer.Argument()],
    target: Annotated[
        str | None, typer.Option("--target", "-t", help="Compare with this sandbox's objects.")
    ] = None,
    version: Annotated[int | None, typer.Option(help="Package version to compare.")] = None,
    wait: WaitOpt = True,
    timeout: TimeoutOpt = None,
) -> None:
    """What changed: the source now against the latest version, or against a target."""
    job = ctx.client.versions.compare(package_id, target=target, version=version)
    if not wait:
        ctx.info(f"compare: job {job.id}")
        ctx.emit(job, None)
        return
    done = ctx.wait(job.id, timeout, f"compare {package_id}")
    ctx.emit(done, lambda: _delta_table(done))


@command(app, "save")
def save(
    ctx: Ctx,
    package_id: Annotated[str, typer.Argument()],
    wait: WaitOpt = True,
    timeout: TimeoutOpt = None,
) -> None:
    """Save the source sandbox's current state as the package's next version."""
    job = ctx.client.versions.save(package_id)
    if not wait:
        ctx.info(f"save: job {job.id} (version {job.package_version})")
        ctx.emit(job, None)
        return
    done = ctx.wait(job.id, timeout, f"save {package_id}")
    ctx.info(f"saved version {done.package_version} of {package_id}")
    if ctx.json:
        ctx.emit(done)


@command(app, "history")
def history(ctx: Ctx, package_id: Annotated[str, typer.Argument()]) -> None:
    """The package's versions, newest first."""
    rows = ctx.client.versions.history(package_id)

    def show() -> object:
        t = table("version", "snapshot", "created", "by")
        for v in rows:
            t.add_row(str(v.package_version), v.id, str(v.created_date), v.created_by)
        return t

    ctx.emit(rows, show)


@command(app, "update")
def update(
    ctx: Ctx,
    package_id: Annotated[str, typer.Argument()],
    target: Annotated[str, typer.Option("--target", "-t", help="The sandbox to update.")],
    mapping: Annotated[
        list[str] | None,
        typer.Option("--mapping", help="SOURCE_ID=TARGET_ID: pair these objects (repeatable)."),
    ] = None,
    wait: WaitOpt = True,
    timeout: TimeoutOpt = None,
) -> None:
    """Update the objects an earlier import created with the latest version: planned, then
    applied exactly (refused, exit 6, if the target changed in between)."""
    imports = ctx.client.imports

    def types_of() -> dict[str, str]:
        return {s.source_id: s.type for s in imports.plan(package_id, target, update=True).steps}

    maps = alternatives(ctx, mapping, types_of, "--mapping")
    plan = imports.plan(package_id, target, alternatives=maps, update=True)
    report_plan(ctx, plan)
    job = imports.update(package_id, target, plan_id=plan.plan_id)
    if not wait:
        ctx.info(f"update: job {job.id}")
        ctx.emit(job, None)
        return
    finish(ctx, ctx.wait(job.id, timeout, f"update of {target}"))
