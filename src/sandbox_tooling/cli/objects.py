"""``sbx objects``: list, get, apply, delete registry objects of a sandbox."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from sandbox_tooling.cli.context import Ctx, SandboxOpt, Usage, YesOpt, command, table
from sandbox_tooling.registry.schemas import ObjectRead

app = typer.Typer(no_args_is_help=True, help="Objects of a sandbox (schemas, datasets, …).")


def _table(rows: list[ObjectRead]) -> object:
    t = table("type", "id", "title", "version")
    for o in rows:
        t.add_row(o.type, o.id, o.title, str(o.version))
    return t


@command(app, "list")
def list_(
    ctx: Ctx,
    type_name: Annotated[str, typer.Argument(metavar="TYPE", help="REGISTRY_SCHEMA, FLOW, …")],
    sandbox: SandboxOpt = None,
    filter_: Annotated[
        list[str] | None, typer.Option("--filter", help="A property filter, e.g. title==Members.")
    ] = None,
) -> None:
    """List the objects of a type."""
    rows = list(
        ctx.client.objects.list(type_name, sandbox=ctx.sandbox(sandbox), filters=filter_ or [])
    )
    ctx.emit(rows, lambda: _table(rows))


@command(app, "get")
def get(
    ctx: Ctx,
    type_name: Annotated[str, typer.Argument(metavar="TYPE")],
    object_id: Annotated[str, typer.Argument(metavar="ID")],
    sandbox: SandboxOpt = None,
) -> None:
    """Show one object (its definition as JSON)."""
    obj = ctx.client.objects.get(type_name, object_id, sandbox=ctx.sandbox(sandbox))
    ctx.emit(obj, None)


def _items(text: str, source: str) -> list[dict[str, Any]]:
    """``{type, definition[, id]}`` items: one object, a JSON array, or NDJSON lines."""
    stripped = text.strip()
    try:
        data = json.loads(stripped)
        items = data if isinstance(data, list) else [data]
    except json.JSONDecodeError:
        try:
            items = [json.loads(line) for line in stripped.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise Usage(f"{source}: not JSON, a JSON array or NDJSON ({exc})") from None
    for i, item in enumerate(items):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("type"), str)
            or not isinstance(item.get("definition"), dict)
        ):
            raise Usage(f'{source}: item {i} is not {{"type": TYPE, "definition": {{…}}}}')
    return items


@command(app, "apply")
def apply(
    ctx: Ctx,
    file: Annotated[
        str,
        typer.Option(
            "--file",
            "-f",
            help='JSON {"type", "definition"[, "id"]}, an array of them, or NDJSON; - for stdin.',
        ),
    ],
    sandbox: SandboxOpt = None,
) -> None:
    """Create objects, or replace the ones whose id exists."""
    text = sys.stdin.read() if file == "-" else Path(file).read_text()
    where = ctx.sandbox(sandbox)
    results: list[tuple[str, ObjectRead]] = []
    for item in _items(text, file):
        obj, created = ctx.client.objects.apply(
            item["type"], item["definition"], object_id=item.get("id"), sandbox=where
        )
        action = "created" if created else "replaced"
        ctx.info(f"{action} {obj.type} {obj.id}")
        results.append((action, obj))

    def show() -> object:
        t = table("action", "type", "id", "title", "version")
        for action, o in results:
            t.add_row(action, o.type, o.id, o.title, str(o.version))
        return t

    ctx.emit([{"action": a, "object": o} for a, o in results], show)


@command(app, "delete")
def delete(
    ctx: Ctx,
    type_name: Annotated[str, typer.Argument(metavar="TYPE")],
    object_id: Annotated[str, typer.Argument(metavar="ID")],
    sandbox: SandboxOpt = None,
    yes: YesOpt = False,
) -> None:
    """Delete an object (refused while others refer to it)."""
    where = ctx.sandbox(sandbox)
    ctx.confirm(f"Delete {type_name} '{object_id}' from sandbox '{where}'?", yes)
    ctx.client.objects.delete(type_name, object_id, sandbox=where)
    ctx.info(f"deleted {type_name} {object_id}")
    if ctx.json:
        ctx.emit({"deleted": {"type": type_name, "id": object_id}})
