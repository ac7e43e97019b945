"""``sbx links``: links between orgs (list, request, approve, reject)."""

from __future__ import annotations

from typing import Annotated

import typer

from sandbox_tooling.cli.context import Ctx, command, table
from sandbox_tooling.sharing.schemas import HandshakeRead

app = typer.Typer(no_args_is_help=True, help="Links with partner orgs.")


def _table(rows: list[HandshakeRead]) -> object:
    t = table("linking id", "source org", "target org", "status")
    for link in rows:
        t.add_row(link.linking_id, link.source_ims_org_id, link.target_ims_org_id, link.status)
    return t


@command(app, "list")
def list_(
    ctx: Ctx,
    direction: Annotated[
        str | None, typer.Option(help="INCOMING or OUTGOING (default: both).")
    ] = None,
) -> None:
    """The org's links."""
    rows = list(ctx.client.links.list(direction=direction))
    ctx.emit(rows, lambda: _table(rows))


@command(app, "request")
def request(ctx: Ctx, orgs: Annotated[list[str], typer.Argument(metavar="ORG...")]) -> None:
    """Ask partner orgs for a link."""
    result = ctx.client.links.request(orgs)
    for org, why in result.failed_requests.items():
        ctx.info(f"[yellow]not requested[/yellow] {org}: {why.reason}")
    rows = list(result.successful_requests.values())
    ctx.emit(result, lambda: _table(rows))


@command(app, "approve")
def approve(
    ctx: Ctx,
    linking_id: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option()] = "approved",
) -> None:
    """Approve an incoming link."""
    link = ctx.client.links.approve(linking_id, reason)
    ctx.emit(link, lambda: _table([link]))


@command(app, "reject")
def reject(
    ctx: Ctx,
    linking_id: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option()] = "rejected",
) -> None:
    """Reject an incoming link."""
    link = ctx.client.links.reject(linking_id, reason)
    ctx.emit(link, lambda: _table([link]))
