"""``sbx login``: check credentials and save them as a named profile."""

from __future__ import annotations

from typing import Annotated

import typer

from sandbox_tooling.cli.context import Ctx, Output, Usage, command
from sandbox_tooling.cli.profiles import DEFAULT, Profile
from sandbox_tooling.client import Client

app = typer.Typer()


@command(app, "login")
def login(
    ctx: Ctx,
    sandbox: Annotated[
        str | None, typer.Option("--sandbox", "-s", help="The profile's default sandbox.")
    ] = None,
    make_default: Annotated[
        bool, typer.Option("--default", help="Make this the default profile.")
    ] = False,
) -> None:
    """Check the credentials (a token is fetched) and save them as a profile
    (-p NAME; 'default' when not given). The secret is stored in a file of mode 0600."""
    missing = [
        flag
        for flag, value in (
            ("--url", ctx.url),
            ("--client-id", ctx.client_id),
            ("--client-secret", ctx.client_secret),
            ("--org", ctx.org),
        )
        if not value
    ]
    if missing:
        raise Usage(f"login needs {', '.join(missing)} (or SBX_URL, SBX_CLIENT_ID, …)")
    assert ctx.url and ctx.client_id and ctx.client_secret and ctx.org
    name = ctx.profile.name if ctx.explicit_profile else DEFAULT
    with Client(
        ctx.url, client_id=ctx.client_id, client_secret=ctx.client_secret, org=ctx.org
    ) as client:
        token = client.login()
        client.sandboxes.list()  # the org header and the token agree
        expires_at = client.token_expires_at
    profile = Profile(
        name=name,
        url=ctx.url,
        client_id=ctx.client_id,
        client_secret=ctx.client_secret,
        org=ctx.org,
        sandbox=sandbox or ctx.profile.sandbox or "prod",
        token=token,
        token_expires_at=expires_at,
    )
    ctx.store.save(profile, make_default=make_default or not ctx.explicit_profile)
    ctx.info(
        f"Logged in to {ctx.url} as {ctx.client_id} (org {ctx.org}); "
        f"profile '{name}' saved in {ctx.store.root}"
    )
    if ctx.output == Output.JSON:
        ctx.emit({"profile": name, "url": ctx.url, "org": ctx.org, "sandbox": profile.sandbox})
