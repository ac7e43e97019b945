"""Package rules (SPEC §4.1-§4.6, §4.9, §4.12, §8.1) and the publish job's work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.plugins import ArtifactTypes
from sandbox_tooling.audit import service as audit_service
from sandbox_tooling.errors import NotCallersOrg
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.job import service as job_service
from sandbox_tooling.kit.clock import DAY_MS, now_ms, parse_iso_ms
from sandbox_tooling.kit.ids import dashed_uuid, hex32
from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.models import Job, Package, PackageVersion, Sandbox
from sandbox_tooling.models.enums import (
    AuditAction,
    Capability,
    JobType,
    PackageAction,
    PackageStatus,
    PackageType,
    RequestType,
    Visibility,
)
from sandbox_tooling.package import archive, repository, snapshot
from sandbox_tooling.package.errors import (
    ActionMismatch,
    ArtifactsNotFound,
    EmptyPackage,
    InvalidArtifacts,
    InvalidExpiry,
    InvalidPackageFile,
    NotInPackage,
    PackageBusy,
    PackageChanged,
    PackageNameTaken,
    PackageNotEditable,
    PackageNotFound,
    PackageNotPublic,
    PackageNotPublishable,
    PackageNotPublished,
    SourceObjectsMissing,
    SourceSandboxDeleted,
    SourceSandboxNotFound,
    StaleVersion,
    VisibilityIrreversible,
)
from sandbox_tooling.package.schemas import (
    ArtifactIn,
    ChildRequest,
    PackageCreate,
    PackageUpdate,
    SandboxIn,
)
from sandbox_tooling.registry import closure as closure_mod
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.sandbox import service as sandbox_service
from sandbox_tooling.webhook import service as webhook_service

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime

Key = tuple[str, str]


# -- lookups ----------------------------------------------------------------------------------
PACKAGE_ACTIONS = ("view", "manage", "share")


def scope(principal: Principal) -> frozenset[str] | None:
    """The source sandboxes whose packages the caller sees (None: all of the org's)."""
    return principal.sandboxes_for("Package", PACKAGE_ACTIONS)


def visible(principal: Principal, pkg: Package) -> bool:
    """A package is seen by users whose roles cover its source sandbox; a copy received from
    another org (whose sandboxes no role names) by users whose roles cover every sandbox."""
    names = scope(principal)
    if names is None:
        return True
    return pkg.source_org_id == pkg.org_id and pkg.source_sandbox_name in names


def require(
    session: Session, principal: Principal, package_id: str, *, lock: bool = False
) -> Package:
    """A package of the caller's org that the caller may see (404 otherwise). ``lock``: for
    a read-modify-write, the row stays locked until the transaction ends, so concurrent
    writers apply one after the other on the latest state."""
    pkg = repository.get(session, package_id, for_update=lock)
    if pkg is None or pkg.org_id != principal.org_id:
        raise PackageNotFound(package_id)
    if not visible(principal, pkg):
        if scope(principal) == frozenset():
            principal.require("Package", "view")
        raise PackageNotFound(package_id)
    return pkg


def get(
    session: Session, rt: Runtime, principal: Principal, package_id: str, *, capabilities: bool
) -> tuple[Package, list[Capability] | None]:
    """A package, with its capabilities when asked for."""
    principal.require("Package", "view")
    pkg = require(session, principal, package_id)
    return pkg, (package_capabilities(rt.types, pkg) if capabilities else None)


def list_packages(
    session: Session, principal: Principal, query: ListQuery, name_contains: str | None = None
) -> tuple[list[Package], int]:
    """The packages the caller sees; ``name_contains``: a search in names (the console's)."""
    principal.require("Package", "view")
    return repository.page(session, principal.org_id, query, scope(principal), name_contains)


def live_source(session: Session, pkg: Package) -> Sandbox:
    sandbox = sandbox_service.live(session, pkg.org_id, pkg.source_sandbox_name)
    if sandbox is None:
        raise SourceSandboxDeleted(pkg.source_sandbox_name)
    return sandbox


def _source_sandbox(
    session: Session, principal: Principal, given: SandboxIn | None, default_name: str
) -> Sandbox:
    name = given.name if given else default_name
    if given and given.ims_org_id and given.ims_org_id != principal.org_id:
        raise NotCallersOrg("sourceSandbox.imsOrgId", given.ims_org_id, principal.org_id)
    sandbox = sandbox_service.live(session, principal.org_id, name)
    if sandbox is None:
        raise SourceSandboxNotFound(name)
    return sandbox


def _expiry(value: str | None, now: int, days: int) -> int:
    if value is None:
        return now + days * DAY_MS
    try:
        expiry = parse_iso_ms(value)
    except ValueError:
        raise InvalidExpiry(
            f"expiry: '{value}' is not an ISO-8601 UTC date such as 2023-05-20T20:05:10Z"
        ) from None
    if expiry <= now:
        raise InvalidExpiry(f"expiry: '{value}' is in the past")
    return expiry


def _check_artifacts(
    session: Session,
    types: ArtifactTypes,
    sandbox: Sandbox,
    artifacts: Sequence[ArtifactIn],
    field: str = "artifacts",
) -> list[dict[str, str]]:
    """Known root types, de-duplicated, present in the source sandbox (one query)."""
    unique: dict[Key, ArtifactIn] = {}
    for i, art in enumerate(artifacts):
        if art.type not in types:
            raise InvalidArtifacts(
                f"{field}[{i}].type: unknown artifact type '{art.type}'; known: "
                + ", ".join(types.names())
            )
        if not types.get(art.type).root_allowed:
            raise InvalidArtifacts(
                f"{field}[{i}].type: {art.type} cannot be a package root; it is packaged "
                "with the objects that use it"
            )
        unique.setdefault((art.type, art.id), art)
    found = {
        (o.type, o.object_id): o
        for o in registry_service.rows_by_ids(session, sandbox.id, [k[1] for k in unique])
    }
    missing = [k for k in unique if k not in found]
    if missing:
        listed = ", ".join(f"{t} '{i}'" for t, i in missing)
        raise ArtifactsNotFound(
            f"{field}: {len(missing)} artifact(s) not found in source sandbox "
            f"'{sandbox.name}': {listed}",
            errors=[{"id": i, "type": t} for t, i in missing],
        )
    return [{"id": i, "type": t, "title": found[(t, i)].title} for t, i in unique]


def _audit(
    session: Session,
    principal: Principal,
    action: AuditAction,
    pkg: Package,
    details: dict[str, object] | None = None,
) -> None:
    audit_service.record(
        session,
        org_id=principal.org_id,
        actor=principal,
        action=action,
        sandbox=pkg.source_sandbox_name if pkg.source_org_id == pkg.org_id else None,
        object_type="Package",
        object_id=pkg.id,
        object_name=pkg.name,
        details=details,
    )


def _touch(pkg: Package, actor: str) -> None:
    pkg.version += 1
    pkg.modified_date = now_ms()
    pkg.modified_by = actor


# -- create / update / delete -----------------------------------------------------------------
def new_package(
    session: Session,
    *,
    org_id: str,
    name: str,
    description: str | None,
    package_type: str,
    source_sandbox_name: str,
    source_org_id: str,
    tenant_id: str,
    client_id: str,
    actor: str,
    expiry: int,
    artifacts: list[dict[str, str]],
    status: PackageStatus = PackageStatus.DRAFT,
    latest_package_version: int | None = None,
) -> Package:
    """The one place a package row is made (created, or received from another org)."""
    now = now_ms()
    pkg = Package(
        id=hex32(),
        org_id=org_id,
        name=name,
        description=description,
        package_type=package_type,
        source_sandbox_name=source_sandbox_name,
        source_org_id=source_org_id,
        status=status,
        visibility=Visibility.PRIVATE,
        access_type="TENANT",
        expiry=expiry,
        publish_date=now if status == PackageStatus.PUBLISHED else None,
        version=0,
        latest_package_version=latest_package_version,
        artifacts=artifacts,
        failure_reason=None,
        tenant_id=tenant_id,
        client_id=client_id,
        created_date=now,
        modified_date=now,
        created_by=actor,
        modified_by=actor,
    )
    session.add(pkg)
    session.flush()
    return pkg


def name_taken(session: Session, org_id: str, name: str) -> bool:
    return repository.by_name(session, org_id, name) is not None


def create(
    session: Session, rt: Runtime, principal: Principal, body: PackageCreate, default_sandbox: str
) -> Package:
    sandbox = _source_sandbox(session, principal, body.source_sandbox, default_sandbox)
    principal.require("Package", "manage", sandbox.name)
    if name_taken(session, principal.org_id, body.name):
        raise PackageNameTaken(body.name)
    settings = rt.settings
    expiry = _expiry(body.expiry, now_ms(), settings.package_expiry_days)
    if body.package_type == PackageType.FULL and body.artifacts:
        raise InvalidArtifacts(
            "artifacts: a FULL package takes no artifact list (it holds the sandbox)"
        )
    artifacts = _check_artifacts(session, rt.types, sandbox, body.artifacts or [])
    if len(artifacts) > settings.max_package_artifacts:
        raise InvalidArtifacts(
            f"artifacts: at most {settings.max_package_artifacts} root artifacts"
        )
    pkg = new_package(
        session,
        org_id=principal.org_id,
        name=body.name,
        description=body.description,
        package_type=body.package_type,
        source_sandbox_name=sandbox.name,
        source_org_id=principal.org_id,
        tenant_id=principal.org.tenant_id,
        client_id=principal.client_id,
        actor=principal.user_id,
        expiry=expiry,
        artifacts=artifacts,
    )
    _audit(
        session,
        principal,
        AuditAction.PACKAGE_CREATE,
        pkg,
        {"packageType": pkg.package_type, "artifacts": len(artifacts)},
    )
    return pkg


def update(session: Session, rt: Runtime, principal: Principal, body: PackageUpdate) -> Package:
    pkg = require(session, principal, body.id, lock=True)
    principal.require("Package", "manage", pkg.source_sandbox_name)
    if body.version is not None and body.version != pkg.version:
        raise StaleVersion(body.version, pkg.version)
    if body.action == PackageAction.UPDATE:
        return _update_metadata(session, rt, principal, pkg, body)
    if body.package_visibility is not None or body.name is not None:
        raise ActionMismatch(
            f"action {body.action} changes artifacts only; use action UPDATE for name, "
            "description, sourceSandbox or packageVisibility"
        )
    if pkg.package_type == PackageType.FULL:
        raise ActionMismatch(f"action {body.action}: a FULL package has no artifact list to edit")
    if pkg.status != PackageStatus.DRAFT:
        raise PackageNotEditable(pkg.id, pkg.status)
    sandbox = live_source(session, pkg)
    limit = rt.settings.max_package_artifacts
    if body.artifacts:
        if body.action == "ADD":
            added = _check_artifacts(session, rt.types, sandbox, body.artifacts)
            have = {(a["type"], a["id"]) for a in pkg.artifacts}
            merged = pkg.artifacts + [a for a in added if (a["type"], a["id"]) not in have]
            if len(merged) > limit:
                raise InvalidArtifacts(f"artifacts: at most {limit} root artifacts")
            pkg.artifacts = merged
        else:
            drop = {(a.type, a.id) for a in body.artifacts}
            have = {(a["type"], a["id"]) for a in pkg.artifacts}
            absent = sorted(drop - have)
            if absent:
                listed = ", ".join(f"{t} '{i}'" for t, i in absent)
                raise InvalidArtifacts(f"artifacts: not in the package: {listed}")
            pkg.artifacts = [a for a in pkg.artifacts if (a["type"], a["id"]) not in drop]
    pkg.expiry = _expiry(body.expiry, now_ms(), rt.settings.package_expiry_days)
    _touch(pkg, principal.user_id)
    session.flush()
    _audit(
        session,
        principal,
        AuditAction.PACKAGE_UPDATE,
        pkg,
        {"action": body.action, "artifacts": len(body.artifacts or [])},
    )
    return pkg


def _update_metadata(
    session: Session, rt: Runtime, principal: Principal, pkg: Package, body: PackageUpdate
) -> Package:
    if body.artifacts:
        raise ActionMismatch(
            "artifacts: action UPDATE cannot add or remove artifacts; use ADD/DELETE"
        )
    metadata = body.name is not None or body.description is not None or body.source_sandbox
    was_public = pkg.visibility == Visibility.PUBLIC
    if body.package_visibility is not None:
        _change_visibility(principal, pkg, body.package_visibility)
    elif not metadata:
        raise ActionMismatch("name: required for action UPDATE (or give packageVisibility)")
    if metadata:
        if pkg.status != PackageStatus.DRAFT:
            raise PackageNotEditable(pkg.id, pkg.status)
        if body.name is not None and body.name != pkg.name:
            if name_taken(session, principal.org_id, body.name):
                raise PackageNameTaken(body.name)
            pkg.name = body.name
        if body.description is not None:
            pkg.description = body.description
        if body.source_sandbox is not None:
            sandbox = _source_sandbox(
                session, principal, body.source_sandbox, pkg.source_sandbox_name
            )
            if sandbox.name != pkg.source_sandbox_name:
                principal.require("Package", "manage", sandbox.name)
                _check_artifacts(
                    session,
                    rt.types,
                    sandbox,
                    [ArtifactIn(id=a["id"], type=a["type"]) for a in pkg.artifacts],
                )
                pkg.source_sandbox_name = sandbox.name
        pkg.expiry = _expiry(body.expiry, now_ms(), rt.settings.package_expiry_days)
    _touch(pkg, principal.user_id)
    session.flush()
    made_public = not was_public and pkg.visibility == Visibility.PUBLIC
    changed = [
        name
        for name, value in (
            ("name", body.name),
            ("description", body.description),
            ("sourceSandbox", body.source_sandbox),
            ("expiry", body.expiry),
        )
        if value is not None
    ]
    _audit(
        session,
        principal,
        AuditAction.PACKAGE_MAKE_PUBLIC if made_public else AuditAction.PACKAGE_UPDATE,
        pkg,
        {"action": body.action, "fields": changed},
    )
    return pkg


def _change_visibility(principal: Principal, pkg: Package, visibility: str) -> None:
    if visibility == pkg.visibility:
        return
    if visibility == Visibility.PRIVATE:
        raise VisibilityIrreversible(pkg.id)
    principal.require("Package", "share", pkg.source_sandbox_name)
    if pkg.status != PackageStatus.PUBLISHED:
        raise PackageNotPublished(
            f"packageVisibility: package {pkg.id} is {pkg.status}; only PUBLISHED packages "
            "can be made public"
        )
    pkg.visibility = Visibility.PUBLIC


def delete(session: Session, principal: Principal, package_id: str) -> None:
    pkg = require(session, principal, package_id, lock=True)
    principal.require("Package", "manage", pkg.source_sandbox_name)
    if pkg.status == PackageStatus.PUBLISH_IN_PROGRESS:
        raise PackageBusy(f"package {pkg.id} is being published; delete it once that ends")
    _audit(session, principal, AuditAction.PACKAGE_DELETE, pkg, {"status": pkg.status})
    session.delete(pkg)
    session.flush()


# -- publish ----------------------------------------------------------------------------------
def publish(
    session: Session,
    principal: Principal,
    package_id: str,
    expiry_period: int,
    *,
    request_type: RequestType = RequestType.EXPORT,
    destination_sandbox: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
) -> tuple[Package, Job]:
    """Start publishing: the package goes PUBLISH_IN_PROGRESS and an EXPORT job snapshots it
    (a COPY job, for an express copy, also imports it into ``destination_sandbox``)."""
    pkg = require(session, principal, package_id, lock=True)
    principal.require("Package", "manage", pkg.source_sandbox_name)
    if expiry_period < 0:
        raise InvalidExpiry("expiryPeriod: must be a non-negative number of days")
    if pkg.status not in (PackageStatus.DRAFT, PackageStatus.PUBLISH_FAILED):
        raise PackageNotPublishable(
            f"package {pkg.id} is {pkg.status}; only DRAFT packages can be published"
        )
    if pkg.package_type == PackageType.PARTIAL and not pkg.artifacts:
        raise EmptyPackage(pkg.id)
    live_source(session, pkg)
    pkg.status = PackageStatus.PUBLISH_IN_PROGRESS
    pkg.failure_reason = None
    _touch(pkg, principal.user_id)
    package_version = 0 if pkg.latest_package_version is None else pkg.latest_package_version + 1
    job = job_service.create_for_package(
        session,
        pkg,
        request_type=request_type,
        job_type=JobType.NEW,
        name=pkg.name,
        description=pkg.description,
        actor=principal.user_id,
        destination_sandbox=destination_sandbox,
        snapshot_id=dashed_uuid(),
        package_version=package_version,
        params={"expiryPeriod": expiry_period, **(params or {})},
    )
    audit_service.job_submitted(session, principal, principal.org_id, job)
    return pkg, job


def job_package(session: Session, job_id: str, expected: PackageStatus) -> tuple[Job, Package]:
    """The running job and its package, still in the status the job expects."""
    job = job_service.require_running(session, job_id)
    pkg = repository.get(session, job.package_id or "", for_update=True)
    if pkg is None:
        raise PackageChanged(f"package {job.package_id} was deleted while the job ran")
    if pkg.status != expected:
        raise PackageChanged(f"package {pkg.id} is {pkg.status}, not {expected}")
    return job, pkg


def write_snapshot(
    session: Session, rt: Runtime, job_id: str, expected: PackageStatus
) -> snapshot.SnapshotInfo:
    """Snapshot the package of a publish or save-version job (blobs only: nothing refers to
    them until ``record_version`` commits, so a crash before leaves only unnamed blobs)."""
    job, pkg = job_package(session, job_id, expected)
    assert job.snapshot_id is not None and job.package_version is not None
    cl = package_closure(session, rt, pkg)
    return snapshot.write(
        rt.blobs,
        rt.types,
        cl,
        org_id=pkg.org_id,
        package_id=pkg.id,
        snapshot_id=job.snapshot_id,
        header={
            "packageName": pkg.name,
            "packageType": pkg.package_type,
            "packageVersion": job.package_version,
            "tenantId": pkg.tenant_id,
            "sourceSandbox": {"name": pkg.source_sandbox_name, "imsOrgId": pkg.source_org_id},
            "rootArtifacts": [{"id": a["id"], "type": a["type"]} for a in pkg.artifacts],
            "createdDate": now_ms(),
        },
    )


def add_version(
    session: Session,
    pkg: Package,
    *,
    number: int,
    snapshot_id: str,
    info: snapshot.SnapshotInfo,
    actor: str,
) -> PackageVersion:
    """Name a written snapshot as version ``number`` of the package."""
    row = PackageVersion(
        package_id=pkg.id,
        package_version=number,
        snapshot_id=snapshot_id,
        manifest_key=info.manifest_key,
        artifacts_key=info.artifacts_key,
        content_hash=info.content_hash,
        artifact_count=info.count,
        created_date=now_ms(),
        created_by=actor,
    )
    session.add(row)
    pkg.latest_package_version = number
    pkg.version += 1
    pkg.modified_date = row.created_date
    session.flush()
    return row


def snapshot_summary(version: PackageVersion) -> dict[str, Any]:
    """What a job that published ``version`` shows of it (``snapshot``)."""
    return {
        "snapshotId": version.snapshot_id,
        "packageVersion": version.package_version,
        "artifactCount": version.artifact_count,
        "contentHash": version.content_hash,
    }


def record_version(
    session: Session, job: Job, pkg: Package, info: snapshot.SnapshotInfo, *, finish: bool = True
) -> int:
    """The job's snapshot becomes the package's next version; the job succeeds with it
    (unless ``finish`` is False: an express copy goes on to import it)."""
    assert job.snapshot_id is not None and job.package_version is not None
    row = add_version(
        session,
        pkg,
        number=job.package_version,
        snapshot_id=job.snapshot_id,
        info=info,
        actor=job.created_by,
    )
    if finish:
        result = job_service.empty_result()
        result["snapshot"] = snapshot_summary(row)
        job_service.succeed(job, result)
    return row.created_date


def finish_publish(
    session: Session, job_id: str, info: snapshot.SnapshotInfo, *, finish: bool = True
) -> None:
    job, pkg = job_package(session, job_id, PackageStatus.PUBLISH_IN_PROGRESS)
    now = record_version(session, job, pkg, info, finish=finish)
    pkg.status = PackageStatus.PUBLISHED
    pkg.publish_date = now
    pkg.expiry = now + int(job.params.get("expiryPeriod", 90)) * DAY_MS
    webhook_service.package_published(session, pkg, job.package_version)


def publish_failed(session: Session, job: Job, reason: str) -> None:
    pkg = repository.get(session, job.package_id or "", for_update=True)
    if pkg is not None and pkg.status == PackageStatus.PUBLISH_IN_PROGRESS:
        pkg.status = PackageStatus.PUBLISH_FAILED
        pkg.failure_reason = reason
        pkg.version += 1
        pkg.modified_date = now_ms()


# -- reads ------------------------------------------------------------------------------------
def package_capabilities(types: ArtifactTypes, pkg: Package) -> list[Capability]:
    """VERSIONABLE exactly when every root artifact's type supports updates (and the source
    sandbox is this org's: a copy shared by another org has no source here to version)."""
    roots = pkg.artifacts
    if pkg.source_org_id != pkg.org_id:
        return []
    if (
        pkg.package_type == PackageType.PARTIAL
        and roots
        and all(a["type"] in types and types.get(a["type"]).supports_update for a in roots)
    ):
        return [Capability.VERSIONABLE]
    return []


@dataclass(frozen=True)
class Child:
    type: str
    id: str
    title: str


@dataclass(frozen=True)
class ArtifactChildren:
    """An artifact of a package and its direct dependencies."""

    artifact: Child
    children: list[Child]


def children(
    session: Session,
    rt: Runtime,
    principal: Principal,
    package_id: str,
    wanted: Sequence[ChildRequest],
) -> list[ArtifactChildren]:
    """Direct dependencies of each requested artifact of the package (SPEC §4.9), of its
    root artifacts when none is named: from the latest snapshot once published, else from
    the source sandbox now."""
    principal.require("Package", "view")
    pkg = require(session, principal, package_id)
    titles: dict[Key, str]
    kids: dict[Key, list[Key]]
    version = repository.latest_version(session, pkg.id)
    if version is not None:
        manifest = snapshot.read_manifest(rt.blobs, version)
        titles = {(a["type"], a["id"]): a["title"] for a in manifest["artifacts"]}
        kids = {k: [] for k in titles}
        for parent, child in snapshot.edge_keys(manifest):
            kids[parent].append(child)
    else:
        cl = package_closure(session, rt, pkg)
        titles = {k: n.obj.title for k, n in cl.nodes.items()}
        kids = {k: cl.children(k) for k in cl.nodes}
    keys: list[Key] = [(req.type, req.id) for req in wanted]
    if not keys:
        # No body (aepp's getPackageDependencies) or []: the package's own roots; a FULL
        # package's roots are all its objects.
        keys = [(a["type"], a["id"]) for a in pkg.artifacts] or list(titles)
    out = []
    for i, key in enumerate(keys):
        if key not in titles:
            raise NotInPackage(
                f"[{i}]: {key[0]} '{key[1]}' is not part of package {pkg.id} or its dependencies"
            )
        out.append(
            ArtifactChildren(
                Child(key[0], key[1], titles[key]),
                [Child(c[0], c[1], titles.get(c, c[1])) for c in sorted(kids[key])],
            )
        )
    return out


def package_closure(session: Session, rt: Runtime, pkg: Package) -> closure_mod.Closure:
    """The package's objects in its source sandbox now: roots and their dependencies."""
    sandbox = live_source(session, pkg)
    if pkg.package_type == PackageType.FULL:
        names = [t.name for t in rt.types.all() if t.in_full_sandbox]
        return closure_mod.whole_sandbox(session, rt.types, sandbox.id, names)
    roots = [(a["type"], a["id"]) for a in pkg.artifacts]
    cl = closure_mod.closure(
        session, rt.types, sandbox.id, roots, max_size=rt.settings.max_closure_size
    )
    if cl.missing:
        listed = ", ".join(f"{t} '{i}'" for t, i in cl.missing)
        raise SourceObjectsMissing(
            f"package {pkg.id}: objects no longer in source sandbox '{sandbox.name}': {listed}"
        )
    return cl


def public_package(session: Session, principal: Principal, package_id: str) -> Package:
    """A package of the caller's org that is PUBLIC (it has a payload to share)."""
    principal.require("Package", "view")
    pkg = require(session, principal, package_id)
    if pkg.visibility != Visibility.PUBLIC:
        raise PackageNotPublic(pkg.id)
    return pkg


def published_version(session: Session, pkg: Package) -> PackageVersion:
    """The package's latest snapshot; 409 when it is not published or has expired."""
    if pkg.status != PackageStatus.PUBLISHED:
        raise PackageNotPublished(
            f"package {pkg.id} is {pkg.status}; only PUBLISHED packages can be imported"
        )
    if pkg.expiry < now_ms():
        raise PackageNotPublished(
            f"package {pkg.id} expired on {pkg.expiry}; publish a new one to import it"
        )
    version = repository.latest_version(session, pkg.id)
    if version is None:
        raise PackageNotPublished(f"package {pkg.id} has no published snapshot")
    return version


def get_any(session: Session, package_id: str) -> Package | None:
    """A package of any org, by id (for jobs, which carry their own org checks)."""
    return repository.get(session, package_id)


def versions(session: Session, package_id: str) -> list[PackageVersion]:
    """The package's versions, newest first."""
    return repository.versions(session, package_id)


def version_number(session: Session, package_id: str, number: int) -> PackageVersion | None:
    return repository.version_number(session, package_id, number)


def version_by_snapshot(session: Session, snapshot_id: str | None) -> PackageVersion | None:
    return repository.version_by_snapshot(session, snapshot_id)


def latest_version(session: Session, package_id: str) -> PackageVersion | None:
    return repository.latest_version(session, package_id)


#: For the domains that make packages of their own (express copy).
source_sandbox = _source_sandbox
check_artifacts = _check_artifacts


# -- package files ----------------------------------------------------------------------------
@dataclass(frozen=True)
class FileExport:
    """A published version of a package, to be streamed as a package file."""

    filename: str
    header: bytes
    manifest: bytes
    version: PackageVersion


def _file_name(name: str, number: int) -> str:
    slug = "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip("-.")[:100]
    return f"{slug or 'package'}-v{number}.sbx.zip"


def export_file(
    session: Session, rt: Runtime, principal: Principal, package_id: str, number: int | None
) -> FileExport:
    """Version ``number`` (the latest when None) of a package, as a package file."""
    from sandbox_tooling.version.errors import NoSuchVersion

    principal.require("Package", "view")
    pkg = require(session, principal, package_id)
    version = (
        repository.latest_version(session, pkg.id)
        if number is None
        else repository.version_number(session, pkg.id, number)
    )
    if version is None:
        if number is not None and pkg.latest_package_version is not None:
            raise NoSuchVersion(
                f"query parameter 'version': package {pkg.id} has no version {number}"
            )
        raise PackageNotPublished(f"package {pkg.id} is {pkg.status}; it has no published version")
    manifest = snapshot.read_manifest_bytes(rt.blobs, version)
    head = archive.header(orjson.loads(manifest), manifest, pkg.description)
    return FileExport(_file_name(pkg.name, version.package_version), head, manifest, version)


def import_file(session: Session, rt: Runtime, principal: Principal, data: bytes) -> Package:
    """A package file uploaded into the caller's org: a PUBLISHED package (PRIVATE; the
    file's name, suffixed ``_<epochMs>`` if taken) whose version 0 is the file's snapshot,
    verified first. Content of another tenant is moved to the org's when it is imported,
    as for a package received by transfer."""
    file = archive.read(data, max_bytes=FILE_SIZE_FACTOR * rt.settings.max_body_bytes)
    manifest = file.manifest
    unknown = sorted({a["type"] for a in manifest["artifacts"]} - set(rt.types.names()))
    if unknown:
        raise InvalidPackageFile(
            f"manifest.json.artifacts: artifact types not installed here: {', '.join(unknown)}"
        )
    source_org = manifest["imsOrgId"]
    source_name = manifest["sourceSandbox"]["name"]
    own = source_org == principal.org_id
    principal.require("Package", "manage", source_name if own else None)
    titles = {(a["type"], a["id"]): a["title"] for a in manifest["artifacts"]}
    roots = (
        []
        if manifest["packageType"] == PackageType.FULL
        else [
            {"id": r["id"], "type": r["type"], "title": titles[(r["type"], r["id"])]}
            for r in manifest["rootArtifacts"]
        ]
    )
    now = now_ms()
    name = str(manifest["packageName"])[:480]
    if name_taken(session, principal.org_id, name):
        name = f"{name}_{now}"
    description = file.header.get("packageDescription")
    pkg = new_package(
        session,
        org_id=principal.org_id,
        name=name,
        description=description if isinstance(description, str) else None,
        package_type=manifest["packageType"],
        source_sandbox_name=source_name[:256],
        source_org_id=source_org[:128],
        tenant_id=manifest["tenantId"][:64],
        client_id=principal.client_id,
        actor=principal.user_id,
        expiry=now + rt.settings.package_expiry_days * DAY_MS,
        artifacts=roots,
        status=PackageStatus.PUBLISHED,
    )
    snapshot_id = dashed_uuid()
    info = snapshot.store(
        rt.blobs,
        org_id=principal.org_id,
        package_id=pkg.id,
        snapshot_id=snapshot_id,
        artifacts=file.artifacts,
        manifest={
            **manifest,
            "packageVersion": 0,
            "ownerOrgId": principal.org_id,
            "origin": {
                "file": archive.FILE_FORMAT,
                "imsOrgId": source_org,
                "packageId": manifest.get("packageId"),
                "snapshotId": manifest.get("snapshotId"),
                "packageVersion": manifest.get("packageVersion"),
            },
        },
    )
    add_version(session, pkg, number=0, snapshot_id=snapshot_id, info=info, actor=principal.user_id)
    pkg.version = 0
    _audit(
        session,
        principal,
        AuditAction.PACKAGE_CREATE,
        pkg,
        {
            "packageType": pkg.package_type,
            "artifacts": len(roots),
            "file": {"sourceOrgId": source_org, "contentHash": info.content_hash},
        },
    )
    return pkg


#: A package file may unpack to this many times ``SBX_MAX_BODY_BYTES`` (zip bombs).
FILE_SIZE_FACTOR = 4
