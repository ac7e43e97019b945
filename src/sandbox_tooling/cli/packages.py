"""``sbx packages``: make, publish, inspect, move and share packages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sandbox_tooling.cli.context import (
    Ctx,
    SandboxOpt,
    TimeoutOpt,
    Usage,
    WaitOpt,
    YesOpt,
    artifacts,
    command,
    table,
)
from sandbox_tooling.package.schemas import PackageRead

app = typer.Typer(no_args_is_help=True, help="Packages: make, publish, move, share.")

ArtifactOpt = Annotated[
    list[str] | None,
    typer.Option("--artifact", "-a", help="TYPE:ID of a root artifact (repeatable)."),
]


def _table(rows: list[PackageRead]) -> object:
    t = table("id", "name", "type", "status", "source", "version", "artifacts")
    for p in rows:
        t.add_row(
            p.id,
            p.name,
            p.package_type,
            p.status,
            p.source_sandbox.name,
            "" if p.latest_package_version is None else str(p.latest_package_version),
            str(len(p.artifacts_list)),
        )
    return t


def _show(p: PackageRead) -> object:
    t = table("field", "value", title=f"Package {p.id}")
    t.add_row("name", p.name)
    t.add_row("description", p.description or "")
    t.add_row("type", p.package_type)
    t.add_row("status", p.status)
    t.add_row("visibility", p.package_visibility)
    t.add_row("source", f"{p.source_sandbox.name} ({p.source_sandbox.ims_org_id})")
    latest = p.latest_package_version
    t.add_row("latest version", "" if latest is None else str(latest))
    if p.package_capabilities is not None:
        t.add_row("capabilities", ", ".join(p.package_capabilities.capabilities))
    if p.failure_reason:
        t.add_row("failure", p.failure_reason)
    for a in p.artifacts_list:
        t.add_row("artifact", f"{a.type} {a.id} {a.title or ''}".rstrip())
    return t


@command(app, "list")
def list_(
    ctx: Ctx,
    filter_: Annotated[
        list[str] | None,
        typer.Option("--filter", help="A property filter, e.g. status==PUBLISHED (repeatable)."),
    ] = None,
) -> None:
    """List the org's packages, newest first."""
    rows = list(ctx.client.packages.list(filters=filter_ or []))
    ctx.emit(rows, lambda: _table(rows))


@command(app, "create")
def create(
    ctx: Ctx,
    name: Annotated[str, typer.Argument()],
    sandbox: SandboxOpt = None,
    artifact: ArtifactOpt = None,
    full: Annotated[bool, typer.Option(help="A FULL package: the whole sandbox.")] = False,
    description: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create a DRAFT package of artifacts of a sandbox (with their dependencies)."""
    if full and artifact:
        raise Usage("--full takes no --artifact: the package holds the whole sandbox")
    if not full and not artifact:
        raise Usage("give --artifact TYPE:ID (repeatable) or --full")
    pkg = ctx.client.packages.create(
        name,
        sandbox=ctx.sandbox(sandbox),
        artifacts=artifacts(artifact or []),
        full=full,
        description=description,
    )
    ctx.info(f"created package {pkg.id} ({pkg.status})")
    ctx.emit(pkg, lambda: _show(pkg))


@command(app, "add")
def add(
    ctx: Ctx, package_id: Annotated[str, typer.Argument()], artifact: ArtifactOpt = None
) -> None:
    """Add root artifacts to a DRAFT package."""
    pkg = ctx.client.packages.add(package_id, artifacts(artifact or []))
    ctx.emit(pkg, lambda: _show(pkg))


@command(app, "remove")
def remove(
    ctx: Ctx, package_id: Annotated[str, typer.Argument()], artifact: ArtifactOpt = None
) -> None:
    """Remove root artifacts from a DRAFT package."""
    pkg = ctx.client.packages.remove(package_id, artifacts(artifact or []))
    ctx.emit(pkg, lambda: _show(pkg))


@command(app, "show")
def show(ctx: Ctx, package_id: Annotated[str, typer.Argument()]) -> None:
    """Show a package (with its capabilities)."""
    pkg = ctx.client.packages.get(package_id, capabilities=True)
    ctx.emit(pkg, lambda: _show(pkg))


@command(app, "deps")
def deps(
    ctx: Ctx, package_id: Annotated[str, typer.Argument()], artifact: ArtifactOpt = None
) -> None:
    """Direct dependencies of artifacts of the package (of its roots by default)."""
    rows = ctx.client.packages.children(package_id, artifacts(artifact or []))

    def show_deps() -> object:
        t = table("artifact", "title", "depends on")
        for r in rows:
            kids = "\n".join(f"{c.type} {c.id}" for c in r.children) or "-"
            t.add_row(f"{r.type} {r.id}", r.title, kids)
        return t

    ctx.emit(rows, show_deps)


@command(app, "publish")
def publish(
    ctx: Ctx,
    package_id: Annotated[str, typer.Argument()],
    expiry_days: Annotated[int | None, typer.Option(help="Days until it expires.")] = None,
    wait: WaitOpt = True,
    timeout: TimeoutOpt = None,
) -> None:
    """Publish a package (snapshot its objects); waits for the job by default."""
    submitted = ctx.client.packages.publish(package_id, expiry_days=expiry_days)
    if not wait:
        ctx.info(f"publishing: job {submitted.job_id}")
        ctx.emit(submitted, None)
        return
    job = ctx.wait(submitted.job_id, timeout, f"publish {package_id}")
    snap = job.snapshot or {}
    ctx.info(
        f"published version {snap.get('packageVersion')} of {package_id}: "
        f"{snap.get('artifactCount')} objects, {snap.get('contentHash')}"
    )
    if ctx.json:
        ctx.emit(job)


@command(app, "delete")
def delete(ctx: Ctx, package_id: Annotated[str, typer.Argument()], yes: YesOpt = False) -> None:
    """Delete a package."""
    ctx.confirm(f"Delete package {package_id}?", yes)
    answer = ctx.client.packages.delete(package_id)
    ctx.info(answer.reason)
    if ctx.json:
        ctx.emit(answer)


@command(app, "download")
def download(
    ctx: Ctx,
    package_id: Annotated[str, typer.Argument()],
    version: Annotated[int | None, typer.Option(help="Version (default: the latest).")] = None,
    file: Annotated[
        str | None,
        typer.Option(
            "--file", "-f", help="Where to write it (default: the server's name; - for stdout)."
        ),
    ] = None,
) -> None:
    """Download a published version as a package file (zip)."""
    if file == "-":
        ctx.client.packages.download(package_id, sys.stdout.buffer, version=version)
        return
    tmp = Path(file or f".{package_id}.download")
    name = ctx.client.packages.download(package_id, tmp, version=version)
    path = Path(file) if file else Path(name)
    if not file:
        tmp.replace(path)
    ctx.info(f"wrote {path} ({path.stat().st_size} bytes)")
    if ctx.json:
        ctx.emit({"file": str(path), "bytes": path.stat().st_size})


@command(app, "upload")
def upload(ctx: Ctx, file: Annotated[Path, typer.Argument(help="A package file (zip).")]) -> None:
    """Upload a package file into the org: a PUBLISHED package."""
    pkg = ctx.client.packages.upload(file)
    ctx.info(f"uploaded {file} as package {pkg.id} ({pkg.name})")
    ctx.emit(pkg, lambda: _show(pkg))


@command(app, "share")
def share(
    ctx: Ctx,
    package_id: Annotated[str, typer.Argument()],
    to: Annotated[list[str], typer.Option("--to", help="A linked org's id (repeatable).")],
    wait: WaitOpt = True,
    timeout: TimeoutOpt = None,
) -> None:
    """Transfer a published package to linked orgs."""
    transfers = ctx.client.packages.share(package_id, to)
    if wait:
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        for i, t in enumerate(transfers):
            while t.status in ("PENDING", "IN_PROGRESS"):
                if deadline is not None and time.monotonic() > deadline:
                    break
                time.sleep(0.2)
                t = ctx.client.transfers.get(t.id)
            transfers[i] = t
            ctx.info(f"transfer {t.id} to {t.target_ims_org_id}: {t.status}")

    def show_transfers() -> object:
        tab = table("transfer", "to", "status", "target package", "reason")
        for t in transfers:
            tab.add_row(
                t.id,
                t.target_ims_org_id,
                t.status,
                t.target_package_id or "",
                t.failure_reason or "",
            )
        return tab

    ctx.emit(transfers, show_transfers)
    if any(t.status == "FAILED" for t in transfers):
        raise typer.Exit(4)


@command(app, "make-public")
def make_public(
    ctx: Ctx, package_id: Annotated[str, typer.Argument()], yes: YesOpt = False
) -> None:
    """Make a published package PUBLIC (any org can pull it; this cannot be undone)."""
    ctx.confirm(f"Make package {package_id} public? This cannot be undone.", yes)
    pkg = ctx.client.packages.make_public(package_id)
    payload = ctx.client.packages.payload(package_id)
    ctx.info(
        f"public: other orgs pull it with imsOrgId={payload.ims_org_id} "
        f"packageId={payload.package_id}"
    )
    ctx.emit(pkg, lambda: _show(pkg))
