"""``sbx transfers``: transfers of packages from and to the org."""

from __future__ import annotations

from typing import Annotated

import typer

from sandbox_tooling.cli.context import Ctx, command, table

app = typer.Typer(no_args_is_help=True, help="Package transfers between orgs.")


@command(app, "list")
def list_(
    ctx: Ctx,
    kind: Annotated[str | None, typer.Option(help="PRIVATE or PUBLIC (default: both).")] = None,
) -> None:
    """Transfers from or to the org."""
    rows = list(ctx.client.transfers.list(kind=kind))

    def show() -> object:
        t = table("id", "package", "from", "to", "status", "target package", "reason")
        for x in rows:
            t.add_row(
                x.id,
                x.package_name,
                x.source_ims_org_id,
                x.target_ims_org_id,
                x.status,
                x.target_package_id or "",
                x.failure_reason or "",
            )
        return t

    ctx.emit(rows, show)
