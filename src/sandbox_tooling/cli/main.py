"""The ``sbx`` command: run the service and administer orgs, users, roles and credentials."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from sandbox_tooling.cli import (
    copy,
    imports,
    jobs,
    links,
    login,
    objects,
    packages,
    sandboxes,
    transfers,
    versions,
)
from sandbox_tooling.cli.context import root_options
from sandbox_tooling.config import get_settings
from sandbox_tooling.db import Database
from sandbox_tooling.errors import AppError
from sandbox_tooling.kit import logs

app = typer.Typer(no_args_is_help=True, callback=root_options)
admin = typer.Typer(no_args_is_help=True, help="Administer orgs, users, roles and credentials.")
app.add_typer(admin, name="admin", rich_help_panel="Server")
for _group in (login.app, copy.app):
    app.registered_commands += _group.registered_commands
app.add_typer(sandboxes.app, name="sandboxes")
app.add_typer(objects.app, name="objects")
app.add_typer(packages.app, name="packages")
app.add_typer(imports.app, name="import")
app.add_typer(jobs.app, name="jobs")
app.add_typer(versions.app, name="versions")
app.add_typer(links.app, name="links")
app.add_typer(transfers.app, name="transfers")
T = TypeVar("T")


def _database() -> Database:
    from sandbox_tooling.migrate import upgrade

    settings = get_settings()
    url = settings.resolved_database_url()
    upgrade(url)
    return Database.for_settings(settings)


def _run(work: Callable[[Any], T]) -> T:
    """Run ``work(session)`` in one transaction; expected errors print as JSON and exit 1."""
    db = _database()
    try:
        with db.transaction() as session:
            return work(session)
    except AppError as exc:
        print(json.dumps({"error": type(exc).__name__, "detail": exc.detail}), file=sys.stderr)
        raise typer.Exit(1) from None
    finally:
        db.dispose()


def _print(value: Any) -> None:
    print(json.dumps(value, indent=2))


@app.command(rich_help_panel="Server")
def migrate() -> None:
    """Create or upgrade the database schema (alembic upgrade head)."""
    from sandbox_tooling.migrate import upgrade

    settings = get_settings()
    url = settings.resolved_database_url()
    upgrade(url)
    out = {"database": Database(url).url.split("@")[-1], "status": "up to date"}
    if not url.startswith("sqlite"):
        out["queue"] = "procrastinate schema present"
    _print(out)


@app.command(rich_help_panel="Server")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    demo: Annotated[
        bool, typer.Option(help="Seed the demo orgs and objects, print a token.")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="API processes (uvicorn workers). Above 1 needs the procrastinate job "
            "backend (PostgreSQL); jobs then run in `sbx worker` processes.",
        ),
    ] = 1,
) -> None:
    """Run the HTTP service (migrating the database first)."""
    import uvicorn

    from sandbox_tooling.api.app import create_app
    from sandbox_tooling.runtime import build_runtime

    settings = get_settings()
    backend = settings.resolved_job_backend()
    if workers > 1 and backend != "procrastinate":
        print(
            "sbx serve --workers N (N > 1) needs PostgreSQL and the procrastinate job backend: "
            "the in-process runner (SQLite's, or SBX_JOB_BACKEND=inprocess) runs jobs inside "
            "the one serving process and assumes it is alone on its database.",
            file=sys.stderr,
        )
        raise typer.Exit(2)
    db = _database()
    rt = build_runtime(settings, db=db)
    if demo:
        from sandbox_tooling.demo import ACME_ADMIN, ensure_demo, ensure_demo_password
        from sandbox_tooling.identity import repository as identity_repository
        from sandbox_tooling.identity import service as identity_service

        with db.transaction() as session:
            creds = ensure_demo(session, rt.types)
            password = ensure_demo_password(session, settings.data_dir)
            tokens = []
            for cred in creds:
                row = identity_repository.get_credential(session, cred.client_id)
                assert row is not None
                tokens.append(
                    (cred, identity_service.mint_token(session, row, settings.token_ttl_seconds))
                )
        _announce(host, port, tokens)
        shown = password or "(changed since; set one with: sbx admin set-password)"
        print(f"Console: http://{host}:{port}/  user {ACME_ADMIN}  password {shown}", flush=True)
    # Human words on standard output; the log (standard error) is JSON lines only.
    jobs_where = "in `sbx worker` processes" if backend == "procrastinate" else "in-process"
    print(
        f"sbx listening on http://{host}:{port}  "
        f"(database: {db.engine.dialect.name}; jobs: {jobs_where}; "
        f"{workers} API process{'es' if workers > 1 else ''}; console: /; OpenAPI: /docs)",
        flush=True,
    )
    logs.configure(settings.log_level)
    common: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": None,  # sbx's JSON logging (kit/logs.py) stays in place
        "access_log": False,  # one structured access line per request comes from the app
    }
    if workers == 1:
        uvicorn.run(create_app(settings, rt), **common)
        return
    db.dispose()
    made = None
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # /metrics of any process reports all of them (kit/metrics.py).
        made = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="sbx-metrics-")
    try:
        # Each process builds its own app from the same environment (api/app.py).
        uvicorn.run(
            "sandbox_tooling.api.app:from_environment", factory=True, workers=workers, **common
        )
    finally:
        if made:
            shutil.rmtree(made, ignore_errors=True)


@app.command(rich_help_panel="Server")
def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs this process runs at a time.")] = 2,
    nice: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=19,
            help="Lower this process's CPU priority by this much (Unix nice), so that API "
            "processes on the same machine answer first while imports run "
            "[default: SBX_JOB_NICE, 0].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run jobs (procrastinate job backend, PostgreSQL) until SIGINT or SIGTERM."""
    from sandbox_tooling.job.queue import QueueRunner
    from sandbox_tooling.runtime import build_runtime

    settings = get_settings()
    if settings.resolved_job_backend() != "procrastinate":
        print(
            "sbx worker needs PostgreSQL (SBX_DATABASE_URL) and the procrastinate job backend; "
            "with SQLite or SBX_JOB_BACKEND=inprocess, `sbx serve` runs the jobs itself.",
            file=sys.stderr,
        )
        raise typer.Exit(2)
    db = _database()
    rt = build_runtime(settings, db=db)
    assert isinstance(rt.jobs, QueueRunner)
    logs.configure(settings.log_level)
    nice = settings.job_nice if nice is None else nice
    if nice:
        os.nice(nice)
    print(
        f"sbx worker {rt.jobs.worker_id}: {concurrency} job(s) at a time, nice {os.nice(0)}",
        flush=True,
    )
    rt.jobs.run_worker(concurrency)


def _announce(host: str, port: int, tokens: list[Any]) -> None:
    base = f"http://{host}:{port}"
    lines = ["", "Demo data is ready. Credentials (a fresh token is minted at every start):"]
    for cred, token in tokens:
        lines += [
            f"  org {cred.org_id}  user {cred.user_id}",
            f"    x-api-key (client_id): {cred.client_id}",
        ]
        if cred.client_secret:
            lines.append(f"    client_secret:         {cred.client_secret}  (shown once)")
        lines.append(f"    access token:          {token}")
    cred, token = tokens[0]
    lines += [
        "",
        "Try it:",
        f"  export TOKEN='{token}' API_KEY='{cred.client_id}' ORG='{cred.org_id}'",
        f"  curl -s {base}/data/foundation/exim/packages \\",
        '    -H "Authorization: Bearer $TOKEN" -H "x-api-key: $API_KEY" \\',
        "    -H \"x-gw-ims-org-id: $ORG\" -H 'x-sandbox-name: prod'",
        "",
    ]
    print("\n".join(lines), flush=True)


@admin.command("create-org")
def create_org(
    org_id: Annotated[str, typer.Option("--id", help="e.g. 5C1328435BF324E90A49402A@AdobeOrg")],
    name: Annotated[str, typer.Option(help="Display name.")],
    region: Annotated[str, typer.Option(help="e.g. va7")],
    tenant: Annotated[str | None, typer.Option(help="Tenant id used in XDM ids.")] = None,
) -> None:
    """Create an org and its default production sandbox 'prod'."""
    from sandbox_tooling.identity import service as identity_service

    def work(session: Any) -> dict[str, Any]:
        org = identity_service.create_org(
            session, org_id=org_id, name=name, region=region, tenant=tenant
        )
        return {
            "id": org.id,
            "name": org.name,
            "region": org.region,
            "tenant": org.tenant_id,
            "sandboxes": ["prod"],
        }

    _print(_run(work))


@admin.command("create-user")
def create_user(
    org: Annotated[str, typer.Option(help="Org id.")],
    user_id: Annotated[str, typer.Option("--id", help="User id, e.g. jane@acme.example")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    role: Annotated[
        list[str] | None, typer.Option(help="Role name (repeatable); 'admin' is built in.")
    ] = None,
) -> None:
    """Create a user, optionally with roles."""
    from sandbox_tooling.identity import service as identity_service

    def work(session: Any) -> dict[str, Any]:
        user = identity_service.create_user(
            session, org_id=org, user_id=user_id, name=name, roles=role or []
        )
        return {"org": org, "id": user.user_id, "name": user.name, "roles": role or []}

    _print(_run(work))


@admin.command("create-credential")
def create_credential(
    org: Annotated[str, typer.Option(help="Org id.")],
    user: Annotated[str, typer.Option(help="User id.")],
) -> None:
    """Create an API credential for a user; the secret is shown only once."""
    from sandbox_tooling.identity import service as identity_service

    def work(session: Any) -> dict[str, Any]:
        cred, secret = identity_service.create_credential(session, org_id=org, user_id=user)
        return {"client_id": cred.client_id, "client_secret": secret}

    _print(_run(work))


@admin.command("create-role")
def create_role(
    org: Annotated[str, typer.Option(help="Org id.")],
    name: Annotated[str, typer.Option(help="Role name.")],
    permission: Annotated[list[str], typer.Option(help="Resource:act1,act2 (repeatable).")],
    sandbox: Annotated[list[str] | None, typer.Option(help="Limit to these sandboxes.")] = None,
) -> None:
    """Create a role holding permissions, for all sandboxes or named ones."""
    from sandbox_tooling.identity import service as identity_service

    def work(session: Any) -> dict[str, Any]:
        role = identity_service.create_role(
            session, org_id=org, name=name, permissions=permission, sandboxes=sandbox
        )
        return {
            "org": org,
            "name": role.name,
            "permissions": role.permissions,
            "sandboxes": role.sandboxes,
        }

    _print(_run(work))


@admin.command("assign-role")
def assign_role(
    org: Annotated[str, typer.Option(help="Org id.")],
    user: Annotated[str, typer.Option(help="User id.")],
    role: Annotated[str, typer.Option(help="Role name.")],
) -> None:
    """Give a user a role."""
    from sandbox_tooling.identity import service as identity_service

    def work(session: Any) -> dict[str, Any]:
        u, r = identity_service.assign_role(session, org_id=org, user_id=user, role=role)
        return {"org": org, "user": u.user_id, "role": r.name}

    _print(_run(work))


@admin.command("set-password")
def set_password(
    org: Annotated[str, typer.Option(help="Org id.")],
    user: Annotated[str, typer.Option(help="User id.")],
) -> None:
    """Set a user's console password: prompted for on a terminal, else read from stdin."""
    from sandbox_tooling.identity import service as identity_service

    password = _read_password()

    def work(session: Any) -> dict[str, Any]:
        u = identity_service.set_password(session, org_id=org, user_id=user, password=password)
        return {"org": org, "user": u.user_id, "password": "set"}

    _print(_run(work))


def _read_password() -> str:
    """The new password: asked twice on a terminal; otherwise the first line of stdin."""
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("New password: ")
        if getpass.getpass("Repeat it: ") != first:
            print(
                json.dumps(
                    {"error": "InvalidIdentity", "detail": "password: the two entries differ"}
                ),
                file=sys.stderr,
            )
            raise typer.Exit(1)
        return first
    line = sys.stdin.readline()
    return line.removesuffix("\n").removesuffix("\r")
