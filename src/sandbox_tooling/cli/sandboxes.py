"""``sbx sandboxes``: list, create, reset, delete."""

from __future__ import annotations

from typing import Annotated

import typer

from sandbox_tooling.cli.context import Ctx, YesOpt, command, table
from sandbox_tooling.sandbox.schemas import SandboxRead

app = typer.Typer(no_args_is_help=True, help="Sandboxes of the org.")


def _table(rows: list[SandboxRead]) -> object:
    t = table("name", "title", "type", "state", "default")
    for s in rows:
        t.add_row(s.name, s.title, s.type, s.state, "yes" if s.is_default else "")
    return t


@command(app, "list")
def list_(
    ctx: Ctx,
    deleted: Annotated[bool, typer.Option(help="Every sandbox, deleted ones included.")] = False,
) -> None:
    """List the sandboxes you can use."""
    rows = ctx.client.sandboxes.list(deleted=deleted)
    ctx.emit(rows, lambda: _table(rows))


@command(app, "create")
def create(
    ctx: Ctx,
    name: Annotated[str, typer.Argument(help="Name (lowercase letters, digits, dashes).")],
    title: Annotated[str | None, typer.Option(help="Title (default: the name).")] = None,
    type_: Annotated[
        str, typer.Option("--type", help="development or production.")
    ] = "development",
) -> None:
    """Create a sandbox."""
    row = ctx.client.sandboxes.create(name, title=title, type=type_)
    ctx.emit(row, lambda: _table([row]))


@command(app, "reset")
def reset(ctx: Ctx, name: Annotated[str, typer.Argument()], yes: YesOpt = False) -> None:
    """Delete every object of a sandbox."""
    ctx.confirm(f"Delete every object of sandbox '{name}'?", yes)
    row = ctx.client.sandboxes.reset(name)
    ctx.emit(row, lambda: _table([row]))


@command(app, "delete")
def delete(ctx: Ctx, name: Annotated[str, typer.Argument()], yes: YesOpt = False) -> None:
    """Delete a sandbox."""
    ctx.confirm(f"Delete sandbox '{name}'?", yes)
    row = ctx.client.sandboxes.delete(name)
    ctx.emit(row, lambda: _table([row]))
