"""What every client command shares: the connection and output options (added to each
command by ``@command``), the resolved settings and the SDK client, output (data on stdout,
progress and messages on stderr), confirmations, job waiting, and the mapping of failures to
exit codes."""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import Annotated, Any, NoReturn, TypeVar, get_type_hints

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from sandbox_tooling.cli.exits import Exit
from sandbox_tooling.cli.profiles import Profile, Store
from sandbox_tooling.client import (
    ApiError,
    AuthenticationError,
    Client,
    JobFailedError,
    JobTimeoutError,
    SbxError,
    TargetDriftedError,
    TransportError,
)
from sandbox_tooling.job.schemas import JobRead

F = TypeVar("F", bound=Callable[..., Any])
CONNECTION = "Connection"


class Output(StrEnum):
    TABLE = "table"
    JSON = "json"


class Usage(Exception):
    """A usage problem found by a command itself (exit 2)."""


ProfileOpt = Annotated[
    str | None,
    typer.Option(
        "--profile",
        "-p",
        envvar="SBX_PROFILE",
        help="Profile saved by 'sbx login' (default: the default profile).",
        rich_help_panel=CONNECTION,
    ),
]
OutputOpt = Annotated[
    Output | None,
    typer.Option(
        "--output",
        "-o",
        help="table (for people, the default) or json (for scripts: stdout is data).",
    ),
]
UrlOpt = Annotated[
    str | None,
    typer.Option(envvar="SBX_URL", help="Service URL.", rich_help_panel=CONNECTION),
]
ClientIdOpt = Annotated[
    str | None,
    typer.Option(envvar="SBX_CLIENT_ID", help="API client id.", rich_help_panel=CONNECTION),
]
ClientSecretOpt = Annotated[
    str | None,
    typer.Option(
        envvar="SBX_CLIENT_SECRET",
        help="API client secret.",
        show_envvar=True,
        rich_help_panel=CONNECTION,
    ),
]
OrgOpt = Annotated[
    str | None,
    typer.Option(envvar="SBX_ORG", help="Org id (…@AdobeOrg).", rich_help_panel=CONNECTION),
]
#: The options every client command takes, after the command or before it (flag >
#: environment > profile).
COMMON: dict[str, Any] = {
    "profile": ProfileOpt,
    "output": OutputOpt,
    "url": UrlOpt,
    "client_id": ClientIdOpt,
    "client_secret": ClientSecretOpt,
    "org": OrgOpt,
}

#: A sandbox option for the commands that work in one (flag > SBX_SANDBOX > profile > prod).
SandboxOpt = Annotated[
    str | None,
    typer.Option("--sandbox", "-s", envvar="SBX_SANDBOX", help="Sandbox (default: the profile's)."),
]
WaitOpt = Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for the job to end.")]
TimeoutOpt = Annotated[
    float | None, typer.Option(help="Seconds to wait for the job (exit 5 after).")
]
YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Do it without asking (required off a terminal).")
]


class Ctx:
    """A command's resolved settings, its client and its output."""

    def __init__(
        self,
        *,
        profile: str | None,
        output: Output,
        url: str | None,
        client_id: str | None,
        client_secret: str | None,
        org: str | None,
    ) -> None:
        self.store = Store()
        self.profile: Profile = self.store.load(profile)
        self.explicit_profile = profile is not None
        self.output = output
        self.url = url or self.profile.url
        self.client_id = client_id or self.profile.client_id
        self.client_secret = client_secret or self.profile.client_secret
        self.org = org or self.profile.org
        # Flags and SBX_* variables name another credential than the profile's: its cached
        # token is not theirs.
        self.same_credential = (self.client_id, self.url) == (
            self.profile.client_id,
            self.profile.url,
        )
        # Off a terminal, nothing is wrapped or cut (ids must survive a copy).
        self.out = Console(soft_wrap=True)
        if not self.out.is_terminal:
            self.out = Console(soft_wrap=True, width=100_000)
        self.err = Console(stderr=True)
        if not self.err.is_terminal:
            self.err = Console(stderr=True, soft_wrap=True, width=100_000)
        self._client: Client | None = None

    # -- the client -----------------------------------------------------------------------
    def sandbox(self, given: str | None) -> str:
        return given or self.profile.sandbox or "prod"

    @property
    def client(self) -> Client:
        if self._client is None:
            if not self.url:
                raise Usage("no service URL: run 'sbx login' or pass --url (or set SBX_URL)")
            if not self.client_id or not self.org:
                raise AuthenticationError(
                    401,
                    "NoCredentials",
                    "no credentials: run 'sbx login' or pass --client-id, --client-secret "
                    "and --org (or set SBX_CLIENT_ID, SBX_CLIENT_SECRET, SBX_ORG)",
                    None,
                )
            cached = self.same_credential and self.client_secret == self.profile.client_secret
            self._client = Client(
                self.url,
                client_id=self.client_id,
                client_secret=self.client_secret,
                org=self.org,
                sandbox=self.sandbox(None),
                token=self.profile.token if cached else None,
                token_expires_at=self.profile.token_expires_at if cached else None,
                on_token=self._cache_token
                if cached and self.store.exists(self.profile.name)
                else None,
                user_agent="sbx-cli",
            )
        return self._client

    def _cache_token(self, token: str, expires_at: float) -> None:
        # A read-only config dir: a token is fetched next time again.
        with contextlib.suppress(OSError):
            self.store.save_token(self.profile.name, token, expires_at)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    # -- output ---------------------------------------------------------------------------
    @property
    def json(self) -> bool:
        return self.output == Output.JSON

    def emit(self, value: Any, table: Callable[[], Any] | None = None) -> None:
        """Data: JSON on stdout with ``--output json``, else the table (or the JSON)."""
        if self.json or table is None:
            sys.stdout.write(json.dumps(dump(value), indent=2, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            self.out.print(table())

    def info(self, message: str) -> None:
        """A message for people, on stderr."""
        self.err.print(message, highlight=False)

    def confirm(self, question: str, yes: bool) -> None:
        """Ask on a terminal; elsewhere ``--yes`` is required."""
        if yes:
            return
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            raise Usage(f"{question} Pass --yes to confirm (no terminal to ask on).")
        if not typer.confirm(question, err=True):
            raise typer.Exit(Exit.ERROR)

    # -- jobs -----------------------------------------------------------------------------
    def wait(self, job_id: str, timeout: float | None, label: str) -> JobRead:
        """Wait for a job with progress on stderr (a bar on a terminal, lines otherwise)."""
        from sandbox_tooling.cli.progress import watch

        return watch(self, job_id, timeout, label)


def dump(value: Any) -> Any:
    """JSON-ready data of read models, as the server writes them."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {str(k): dump(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [dump(v) for v in value]
    return value


def table(*columns: str, title: str | None = None) -> Table:
    """A table whose long values wrap (ids are never cut)."""
    t = Table(title=title, header_style="bold", show_edge=False, pad_edge=False)
    for name in columns:
        t.add_column(name, overflow="fold")
    return t


def artifacts(values: Iterable[str]) -> list[tuple[str, str]]:
    """``TYPE:ID`` options as ``(type, id)`` (the id may hold colons itself)."""
    out = []
    for value in values:
        type_name, sep, object_id = value.partition(":")
        if not sep or not type_name or not object_id:
            raise Usage(f"--artifact {value!r}: expected TYPE:ID (REGISTRY_SCHEMA:https://…)")
        out.append((type_name, object_id))
    return out


def pairs(values: Iterable[str], option: str) -> dict[str, str]:
    """``SOURCE_ID=TARGET_ID`` options (split at the last '=')."""
    out = {}
    for value in values:
        src, sep, tgt = value.rpartition("=")
        if not sep or not src or not tgt:
            raise Usage(f"{option} {value!r}: expected SOURCE_ID=TARGET_ID")
        out[src] = tgt
    return out


# -- the decorator ----------------------------------------------------------------------------
def fail(ctx: Ctx | None, message: str, code: Exit) -> NoReturn:
    console = ctx.err if ctx else Console(stderr=True, soft_wrap=True)
    console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def _drift_table(ctx: Ctx, exc: TargetDriftedError) -> None:
    t = table("sandbox", "change", "type", "id", "title", title="Changed since the plan")
    for d in exc.drifted:
        t.add_row(d.sandbox, d.change, d.type, d.id, d.title)
    ctx.err.print(t)


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def root_options(
    ctx: typer.Context,
    profile: ProfileOpt = None,
    output: OutputOpt = None,
    url: UrlOpt = None,
    client_id: ClientIdOpt = None,
    client_secret: ClientSecretOpt = None,
    org: OrgOpt = None,
) -> None:
    """sbx: a self-hostable Sandbox Tooling service, and its command-line client."""
    ctx.obj = {
        "profile": profile,
        "output": output,
        "url": url,
        "client_id": client_id,
        "client_secret": client_secret,
        "org": org,
    }


def command(group: typer.Typer, name: str | None = None, **kw: Any) -> Callable[[F], F]:
    """Register ``func(ctx, ...)`` as a command of ``group`` taking the common options too;
    the SDK's exceptions become the documented exit codes, with the server's detail on
    stderr."""

    def deco(func: F) -> F:
        sig = inspect.signature(func)
        hints = get_type_hints(func, include_extras=True)
        own = [
            p.replace(annotation=hints[p.name], kind=inspect.Parameter.KEYWORD_ONLY)
            for p in list(sig.parameters.values())[1:]
        ]
        common = [
            inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=a)
            for n, a in COMMON.items()
        ]

        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> Any:
            # Given after the command, or before it (``sbx -p stage packages list``).
            root = kwargs.pop("typer_context").find_root().obj or {}
            options = {n: _first(kwargs.pop(n), root.get(n)) for n in COMMON}
            options["output"] = options["output"] or Output.TABLE
            ctx: Ctx | None = None
            try:
                ctx = Ctx(**options)
                return func(ctx, **kwargs)
            except typer.Exit:
                raise
            except Usage as exc:
                fail(ctx, str(exc), Exit.USAGE)
            except TargetDriftedError as exc:
                if ctx is not None:
                    _drift_table(ctx, exc)
                fail(ctx, exc.job.error_message or str(exc), Exit.DRIFTED)
            except JobFailedError as exc:
                fail(ctx, f"job {exc.job.id} FAILED: {exc.job.error_message}", Exit.JOB_FAILED)
            except JobTimeoutError as exc:
                fail(ctx, f"{exc} (follow it with: sbx jobs watch {exc.job.id})", Exit.TIMEOUT)
            except AuthenticationError as exc:
                fail(ctx, f"authentication failed: {exc.detail} ({exc.error})", Exit.AUTH)
            except ApiError as exc:
                fail(ctx, f"{exc.detail} ({exc.error}, HTTP {exc.status})", Exit.ERROR)
            except TransportError as exc:
                fail(ctx, f"cannot reach the service: {exc}", Exit.ERROR)
            except SbxError as exc:
                fail(ctx, str(exc), Exit.ERROR)
            except OSError as exc:
                fail(ctx, str(exc), Exit.ERROR)
            finally:
                if ctx is not None:
                    ctx.close()

        context = inspect.Parameter(
            "typer_context", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context
        )
        params = [*own, *common, context]
        wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        group.command(name, **kw)(wrapper)
        return func

    return deco
