"""Package rules (SPEC §4.1-§4.6, §4.9, §4.12, §8.1)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.registry import ArtifactTypeRegistry
from sandbox_tooling.config import Settings
from sandbox_tooling.errors import BadRequest, Conflict
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.job import service as job_service
from sandbox_tooling.kit.blobstore import BlobStore
from sandbox_tooling.kit.clock import DAY_MS, now_ms, parse_iso_ms
from sandbox_tooling.kit.ids import dashed_uuid, hex32
from sandbox_tooling.models import Job, Package, Sandbox
from sandbox_tooling.package import repository, snapshot
from sandbox_tooling.package.errors import PackageNotEditable, PackageNotFound, StaleVersion
from sandbox_tooling.package.schemas import (
    ArtifactIn,
    ChildRequest,
    PackageCreate,
    PackageUpdate,
    SandboxIn,
)
from sandbox_tooling.registry import closure as closure_mod
from sandbox_tooling.registry import repository as registry_repository
from sandbox_tooling.sandbox import repository as sandbox_repository

DRAFT, PUBLISH_IN_PROGRESS, PUBLISHED, PUBLISH_FAILED = (
    "DRAFT",
    "PUBLISH_IN_PROGRESS",
    "PUBLISHED",
    "PUBLISH_FAILED",
)
STATUSES = (DRAFT, PUBLISH_IN_PROGRESS, PUBLISHED, PUBLISH_FAILED)
PARTIAL, FULL = "PARTIAL", "FULL"
VERSIONABLE = "VERSIONABLE"


# -- lookups ----------------------------------------------------------------------------------
def require(session: Session, principal: Principal, package_id: str) -> Package:
    pkg = repository.get(session, package_id)
    if pkg is None or pkg.org_id != principal.org_id:
        raise PackageNotFound(package_id)
    return pkg


def _source_sandbox(
    session: Session, principal: Principal, given: SandboxIn | None, default_name: str
) -> Sandbox:
    name = given.name if given else default_name
    if given and given.ims_org_id and given.ims_org_id != principal.org_id:
        raise BadRequest(
            f"sourceSandbox.imsOrgId: '{given.ims_org_id}' is not the caller's org "
            f"'{principal.org_id}'"
        )
    sandbox = sandbox_repository.live(session, principal.org_id, name)
    if sandbox is None:
        raise BadRequest(f"sourceSandbox.name: sandbox '{name}' does not exist")
    return sandbox


def _expiry(value: str | None, now: int, settings: Settings) -> int:
    if value is None:
        return now + settings.package_expiry_days * DAY_MS
    try:
        expiry = parse_iso_ms(value)
    except ValueError:
        raise BadRequest(
            f"expiry: '{value}' is not an ISO-8601 UTC date such as 2023-05-20T20:05:10Z"
        ) from None
    if expiry <= now:
        raise BadRequest(f"expiry: '{value}' is in the past")
    return expiry


def _check_artifacts(
    session: Session,
    registry: ArtifactTypeRegistry,
    sandbox: Sandbox,
    artifacts: Sequence[ArtifactIn],
    field: str = "artifacts",
) -> list[dict[str, Any]]:
    """Known root types, de-duplicated, present in the source sandbox (one query)."""
    unique: dict[tuple[str, str], ArtifactIn] = {}
    for i, art in enumerate(artifacts):
        if art.type not in registry:
            raise BadRequest(
                f"{field}[{i}].type: unknown artifact type '{art.type}'; known: "
                + ", ".join(registry.names())
            )
        if not registry.get(art.type).root_allowed:
            raise BadRequest(
                f"{field}[{i}].type: {art.type} cannot be a package root; it is packaged "
                "with the objects that use it"
            )
        unique.setdefault((art.type, art.id), art)
    found = {
        (o.type, o.object_id): o
        for o in registry_repository.by_ids(session, sandbox.id, [k[1] for k in unique])
    }
    missing = [k for k in unique if k not in found]
    if missing:
        listed = ", ".join(f"{t} '{i}'" for t, i in missing)
        raise BadRequest(
            f"{field}: {len(missing)} artifact(s) not found in source sandbox "
            f"'{sandbox.name}': {listed}",
            errors=[{"id": i, "type": t} for t, i in missing],
        )
    return [{"id": i, "type": t, "title": found[(t, i)].title} for t, i in unique]


def _touch(pkg: Package, principal: Principal) -> None:
    pkg.version += 1
    pkg.modified_date = now_ms()
    pkg.modified_by = principal.user_id


# -- create / update / delete -----------------------------------------------------------------
def create(
    session: Session,
    registry: ArtifactTypeRegistry,
    settings: Settings,
    principal: Principal,
    body: PackageCreate,
    default_sandbox: str,
) -> Package:
    sandbox = _source_sandbox(session, principal, body.source_sandbox, default_sandbox)
    principal.require("Package", "manage", sandbox.name)
    if repository.by_name(session, principal.org_id, body.name):
        raise Conflict(f"name: a package named '{body.name}' already exists")
    now = now_ms()
    expiry = _expiry(body.expiry, now, settings)
    if body.package_type == FULL and body.artifacts:
        raise BadRequest("artifacts: a FULL package takes no artifact list (it holds the sandbox)")
    artifacts = _check_artifacts(session, registry, sandbox, body.artifacts or [])
    if len(artifacts) > settings.max_package_artifacts:
        raise BadRequest(f"artifacts: at most {settings.max_package_artifacts} root artifacts")
    pkg = Package(
        id=hex32(),
        org_id=principal.org_id,
        name=body.name,
        description=body.description,
        package_type=body.package_type,
        source_sandbox_name=sandbox.name,
        source_org_id=principal.org_id,
        status=DRAFT,
        visibility="PRIVATE",
        access_type="TENANT",
        expiry=expiry,
        publish_date=None,
        version=0,
        latest_package_version=None,
        artifacts=artifacts,
        failure_reason=None,
        tenant_id=principal.org.tenant_id,
        client_id=principal.client_id,
        created_date=now,
        modified_date=now,
        created_by=principal.user_id,
        modified_by=principal.user_id,
    )
    session.add(pkg)
    session.flush()
    return pkg


def update(
    session: Session,
    registry: ArtifactTypeRegistry,
    settings: Settings,
    principal: Principal,
    body: PackageUpdate,
) -> Package:
    pkg = require(session, principal, body.id)
    principal.require("Package", "manage", pkg.source_sandbox_name)
    if body.version is not None and body.version != pkg.version:
        raise StaleVersion(body.version, pkg.version)
    if body.action == "UPDATE":
        return _update_metadata(session, registry, settings, principal, pkg, body)
    if body.package_visibility is not None or body.name is not None:
        raise BadRequest(
            f"action {body.action} changes artifacts only; use action UPDATE for name, "
            "description, sourceSandbox or packageVisibility"
        )
    if pkg.package_type == FULL:
        raise BadRequest(f"action {body.action}: a FULL package has no artifact list to edit")
    if pkg.status != DRAFT:
        raise PackageNotEditable(pkg.id, pkg.status)
    sandbox = live_source(session, pkg)
    if body.artifacts:
        if body.action == "ADD":
            added = _check_artifacts(session, registry, sandbox, body.artifacts)
            have = {(a["type"], a["id"]) for a in pkg.artifacts}
            merged = pkg.artifacts + [a for a in added if (a["type"], a["id"]) not in have]
            if len(merged) > settings.max_package_artifacts:
                raise BadRequest(
                    f"artifacts: at most {settings.max_package_artifacts} root artifacts"
                )
            pkg.artifacts = merged
        else:
            drop = {(a.type, a.id) for a in body.artifacts}
            have = {(a["type"], a["id"]) for a in pkg.artifacts}
            absent = sorted(drop - have)
            if absent:
                listed = ", ".join(f"{t} '{i}'" for t, i in absent)
                raise BadRequest(f"artifacts: not in the package: {listed}")
            pkg.artifacts = [a for a in pkg.artifacts if (a["type"], a["id"]) not in drop]
    now = now_ms()
    pkg.expiry = _expiry(body.expiry, now, settings)
    _touch(pkg, principal)
    session.flush()
    return pkg


def live_source(session: Session, pkg: Package) -> Sandbox:
    sandbox = sandbox_repository.live(session, pkg.org_id, pkg.source_sandbox_name)
    if sandbox is None:
        raise Conflict(f"the package's source sandbox '{pkg.source_sandbox_name}' was deleted")
    return sandbox


def _update_metadata(
    session: Session,
    registry: ArtifactTypeRegistry,
    settings: Settings,
    principal: Principal,
    pkg: Package,
    body: PackageUpdate,
) -> Package:
    if body.artifacts:
        raise BadRequest("artifacts: action UPDATE cannot add or remove artifacts; use ADD/DELETE")
    metadata = body.name is not None or body.description is not None or body.source_sandbox
    if body.package_visibility is not None:
        _change_visibility(principal, pkg, body.package_visibility)
    elif not metadata:
        raise BadRequest("name: required for action UPDATE (or give packageVisibility)")
    if metadata:
        if pkg.status != DRAFT:
            raise PackageNotEditable(pkg.id, pkg.status)
        if body.name is not None and body.name != pkg.name:
            if repository.by_name(session, principal.org_id, body.name):
                raise Conflict(f"name: a package named '{body.name}' already exists")
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
                    registry,
                    sandbox,
                    [ArtifactIn(id=a["id"], type=a["type"]) for a in pkg.artifacts],
                )
                pkg.source_sandbox_name = sandbox.name
        pkg.expiry = _expiry(body.expiry, now_ms(), settings)
    _touch(pkg, principal)
    session.flush()
    return pkg


def _change_visibility(principal: Principal, pkg: Package, visibility: str) -> None:
    if visibility == pkg.visibility:
        return
    if visibility == "PRIVATE":
        raise Conflict(f"packageVisibility: package {pkg.id} is PUBLIC; that cannot be undone")
    principal.require("Package", "share", pkg.source_sandbox_name)
    if pkg.status != PUBLISHED:
        raise Conflict(
            f"packageVisibility: package {pkg.id} is {pkg.status}; only PUBLISHED packages "
            "can be made public"
        )
    pkg.visibility = "PUBLIC"


def delete(session: Session, principal: Principal, package_id: str) -> str:
    pkg = require(session, principal, package_id)
    principal.require("Package", "manage", pkg.source_sandbox_name)
    if pkg.status == PUBLISH_IN_PROGRESS:
        raise Conflict(f"package {pkg.id} is being published; delete it once that ends")
    session.delete(pkg)
    session.flush()
    return f"Package {package_id} deleted"


# -- publish ----------------------------------------------------------------------------------
def publish(
    session: Session, principal: Principal, package_id: str, expiry_period: int
) -> tuple[Package, Job]:
    pkg = require(session, principal, package_id)
    principal.require("Package", "manage", pkg.source_sandbox_name)
    if expiry_period < 0:
        raise BadRequest("expiryPeriod: must be a non-negative number of days")
    if pkg.status not in (DRAFT, PUBLISH_FAILED):
        raise Conflict(f"package {pkg.id} is {pkg.status}; only DRAFT packages can be published")
    if pkg.package_type == PARTIAL and not pkg.artifacts:
        raise BadRequest(f"package {pkg.id} has no artifacts to publish")
    live_source(session, pkg)
    pkg.status = PUBLISH_IN_PROGRESS
    pkg.failure_reason = None
    _touch(pkg, principal)
    package_version = 0 if pkg.latest_package_version is None else pkg.latest_package_version + 1
    job = job_service.create_for_package(
        session,
        pkg,
        request_type="EXPORT",
        job_type="NEW",
        name=pkg.name,
        description=pkg.description,
        actor=principal.user_id,
        snapshot_id=dashed_uuid(),
        package_version=package_version,
        params={"expiryPeriod": expiry_period},
    )
    return pkg, job


def sandbox_ref(pkg: Package) -> dict[str, Any]:
    return {"name": pkg.source_sandbox_name, "imsOrgId": pkg.source_org_id}


# -- reads ------------------------------------------------------------------------------------
def capabilities(registry: ArtifactTypeRegistry, pkg: Package) -> list[str]:
    """VERSIONABLE exactly when every root artifact's type supports updates (and the source
    sandbox is this org's: a copy shared by another org has no source here to version)."""
    roots = pkg.artifacts
    if pkg.source_org_id != pkg.org_id:
        return []
    if (
        pkg.package_type == PARTIAL
        and roots
        and all(a["type"] in registry and registry.get(a["type"]).supports_update for a in roots)
    ):
        return [VERSIONABLE]
    return []


def children(
    session: Session,
    registry: ArtifactTypeRegistry,
    settings: Settings,
    blobs: BlobStore,
    principal: Principal,
    pkg: Package,
    wanted: Sequence[ChildRequest],
) -> list[dict[str, Any]]:
    """Direct dependencies of each requested artifact of the package (SPEC §4.9)."""
    titles: dict[tuple[str, str], str]
    kids: dict[tuple[str, str], list[tuple[str, str]]]
    version = repository.latest_version(session, pkg.id)
    if version is not None:
        manifest = snapshot.read_manifest(blobs, version)
        titles = {(a["type"], a["id"]): a["title"] for a in manifest["artifacts"]}
        kids = {k: [] for k in titles}
        for parent, child in snapshot.edge_keys(manifest):
            kids[parent].append(child)
    else:
        cl = package_closure(session, registry, settings, pkg)
        titles = {k: n.obj.title for k, n in cl.nodes.items()}
        kids = {k: cl.children(k) for k in cl.nodes}
    out = []
    for i, req in enumerate(wanted):
        key = (req.type, req.id)
        if key not in titles:
            raise BadRequest(
                f"[{i}]: {req.type} '{req.id}' is not part of package {pkg.id} or its dependencies"
            )
        out.append(
            {
                "id": req.id,
                "title": titles[key],
                "type": req.type,
                "children": [
                    {"id": c[1], "title": titles.get(c, c[1]), "type": c[0]}
                    for c in sorted(kids[key])
                ],
            }
        )
    return out


def package_closure(
    session: Session, registry: ArtifactTypeRegistry, settings: Settings, pkg: Package
) -> closure_mod.Closure:
    """The package's objects in its source sandbox now: roots and their dependencies."""
    sandbox = live_source(session, pkg)
    if pkg.package_type == FULL:
        types = [t.name for t in registry.all() if t.in_full_sandbox]
        return closure_mod.whole_sandbox(session, registry, sandbox.id, types)
    roots = [(a["type"], a["id"]) for a in pkg.artifacts]
    cl = closure_mod.closure(
        session, registry, sandbox.id, roots, max_size=settings.max_closure_size
    )
    if cl.missing:
        listed = ", ".join(f"{t} '{i}'" for t, i in cl.missing)
        raise Conflict(
            f"package {pkg.id}: objects no longer in source sandbox '{sandbox.name}': {listed}"
        )
    return cl


def payload(pkg: Package) -> dict[str, str]:
    if pkg.visibility != "PUBLIC":
        raise Conflict(f"package {pkg.id} is PRIVATE; only a PUBLIC package has a payload to share")
    return {"imsOrgId": pkg.org_id, "packageId": pkg.id}


# -- rendering --------------------------------------------------------------------------------
def render(pkg: Package, caps: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": pkg.id,
        "version": pkg.version,
        "createdDate": pkg.created_date,
        "modifiedDate": pkg.modified_date,
        "createdBy": pkg.created_by,
        "modifiedBy": pkg.modified_by,
        "tenantId": pkg.tenant_id,
        "userId": pkg.client_id,
        "clientId": pkg.client_id,
        "name": pkg.name,
        "description": pkg.description,
        "imsOrgId": pkg.org_id,
        "sourceSandbox": sandbox_ref(pkg),
        "packageType": pkg.package_type,
        "expiry": pkg.expiry,
        "status": pkg.status,
        "packageVisibility": pkg.visibility,
        "packageAccessType": pkg.access_type,
        "artifactsList": [
            {"id": a["id"], "type": a["type"], "title": a.get("title"), "found": False, "count": 0}
            for a in pkg.artifacts
        ],
        "schemaMapping": {},
    }
    if pkg.publish_date is not None:
        out["publishDate"] = pkg.publish_date
    if pkg.latest_package_version is not None:
        out["latestPackageVersion"] = pkg.latest_package_version
    if pkg.failure_reason:
        out["failureReason"] = pkg.failure_reason
    if caps is not None:
        out["packageCapabilities"] = {"capabilities": caps}
        out["latestPackageVersion"] = pkg.latest_package_version or 0
    return out


def render_export(pkg: Package, job: Job) -> dict[str, Any]:
    return {
        "name": pkg.name,
        "description": pkg.description,
        "visibility": "TENANT",
        "sourceSandbox": sandbox_ref(pkg),
        "type": pkg.package_type,
        "correlationId": job.snapshot_id,
        "jobId": job.id,
    }
