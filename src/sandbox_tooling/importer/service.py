"""Import rules: conflict check (§4.7), permission preflight (§4.10), submission (§4.8) and
rollback submission (beyond Adobe)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.plugins import ArtifactTypes
from sandbox_tooling.artifact_type.spec import Permission
from sandbox_tooling.audit import service as audit_service
from sandbox_tooling.errors import NotCallersOrg
from sandbox_tooling.identity.errors import PermissionDenied
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.importer import similarity
from sandbox_tooling.importer.errors import (
    InvalidMapping,
    NotAnImport,
    RollbackRefused,
    TargetSandboxNotFound,
)
from sandbox_tooling.importer.schemas import Alternative, ImportRequest
from sandbox_tooling.job import service as job_service
from sandbox_tooling.models import Job, Package, PackageVersion, Sandbox
from sandbox_tooling.models.enums import JobStatus, JobType, PackageType, RequestType, TaskStatus
from sandbox_tooling.package import service as package_service
from sandbox_tooling.package import snapshot
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.sandbox import service as sandbox_service

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime

SUGGESTIONS = 10
SANDBOX_VIEW = Permission("Sandbox", ("view",))


# -- shared lookups ---------------------------------------------------------------------------
published_version = package_service.published_version


def target_sandbox(session: Session, principal: Principal, name: str, field: str) -> Sandbox:
    sandbox = sandbox_service.live(session, principal.org_id, name)
    if sandbox is None:
        raise TargetSandboxNotFound(field, name)
    return sandbox


def parent_id(org_id: str, sandbox: str, type_name: str, object_id: str) -> str:
    return f"{org_id}::{sandbox}::{type_name}::{object_id}"


def required_permissions(types: ArtifactTypes, type_name: str) -> list[Permission]:
    return [SANDBOX_VIEW, *types.get(type_name).required_permissions()]


def missing_permissions(
    principal: Principal, perms: Iterable[Permission], sandbox: str
) -> list[Permission]:
    out = []
    for perm in perms:
        lacking = tuple(a for a in perm.actions if not principal.can(perm.resource, a, sandbox))
        if lacking:
            out.append(Permission(perm.resource, lacking))
    return out


# -- conflict check ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Similar:
    """An object of the target sandbox whose title is close to an artifact's."""

    id: str
    type: str
    title: str


@dataclass(frozen=True)
class ConflictEntry:
    """A snapshot artifact and the target's objects it may clash with, best first."""

    id: str
    type: str
    title: str
    suggestions: list[Similar]
    parent_id: str


def conflicts(
    session: Session, rt: Runtime, principal: Principal, package_id: str, target_name: str
) -> list[ConflictEntry]:
    """One entry per snapshot artifact with similar objects of its type in the target."""
    pkg = package_service.require(session, principal, package_id)
    version = published_version(session, pkg)
    sandbox = target_sandbox(session, principal, target_name, "targetSandbox")
    principal.require("Package", "view", sandbox.name)
    blobs = rt.blobs
    manifest = snapshot.read_manifest(blobs, version)
    artifacts = manifest["artifacts"]
    types = sorted({a["type"] for a in artifacts})
    words = {
        w for a in artifacts for w in similarity.WORD.findall(similarity.normalize(a["title"]))
    }
    by_type: dict[str, tuple[list[int], list[str]]] = defaultdict(lambda: ([], []))
    for pk, type_name, title in registry_service.titles_of_types(session, sandbox.id, types):
        pks, titles = by_type[type_name]
        pks.append(pk)
        titles.append(title)
    indexes = {t: similarity.TitleIndex(pks, titles, words) for t, (pks, titles) in by_type.items()}
    found: list[tuple[dict[str, Any], list[similarity.Candidate]]] = []
    need_structure: set[int] = set()
    for art in artifacts:
        index = indexes.get(art["type"])
        if index is None:
            continue
        cands = index.candidates(art["title"], SUGGESTIONS)
        if cands:
            found.append((art, cands))
            need_structure.update(index.keys[i] for i in similarity.tied(cands))
    artifact_paths: dict[tuple[str, str], set[str]] = {}
    target_paths: dict[int, set[str]] = {}
    if need_structure:
        definitions = registry_service.definitions_by_pks(session, need_structure)
        target_paths = {pk: similarity.field_paths(d) for pk, d in definitions.items()}
        wanted = {
            (a["type"], a["id"])
            for a, cands in found
            if any(indexes[a["type"]].keys[c.index] in target_paths for c in cands)
        }
        for line in snapshot.iter_artifacts(blobs, version):
            key = (line["type"], line["id"])
            if key in wanted:
                artifact_paths[key] = similarity.field_paths(line["definition"])
    ranked = []
    for art, cands in found:
        index = indexes[art["type"]]
        order = similarity.rank(
            cands, index, artifact_paths.get((art["type"], art["id"])), target_paths, SUGGESTIONS
        )
        ranked.append((art, index, order))
    ids = registry_service.ids_by_pks(
        session, (index.keys[i] for _a, index, order in ranked for i in order)
    )
    source = pkg.source_sandbox_name
    return [
        ConflictEntry(
            id=art["id"],
            type=art["type"],
            title=art["title"],
            suggestions=[
                Similar(id=ids[index.keys[i]], type=art["type"], title=index.titles[i])
                for i in order
            ],
            parent_id=parent_id(pkg.source_org_id, source, art["type"], art["id"]),
        )
        for art, index, order in ranked
    ]


# -- preflight --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ArtifactPermissions:
    artifact_id: str
    artifact_type: str
    required: list[Permission]
    missing: list[Permission]


@dataclass(frozen=True)
class Preflight:
    """What the caller may create in the target: per artifact, what it needs and lacks."""

    package_id: str
    target_sandbox: str
    artifacts: list[ArtifactPermissions]


def preflight(
    session: Session, rt: Runtime, principal: Principal, package_id: str, target_name: str
) -> Preflight:
    principal.require("Package", "view")
    pkg = package_service.require(session, principal, package_id)
    version = published_version(session, pkg)
    sandbox = target_sandbox(session, principal, target_name, "targetSandbox")
    manifest = snapshot.read_manifest(rt.blobs, version)
    per_type: dict[str, tuple[list[Permission], list[Permission]]] = {}
    checks = []
    for art in manifest["artifacts"]:
        if art["type"] not in per_type:
            needs = required_permissions(rt.types, art["type"])
            per_type[art["type"]] = (needs, missing_permissions(principal, needs, sandbox.name))
        needs, missing = per_type[art["type"]]
        checks.append(ArtifactPermissions(art["id"], art["type"], needs, missing))
    return Preflight(pkg.id, sandbox.name, checks)


# -- submit -----------------------------------------------------------------------------------
def submit_import(
    session: Session, rt: Runtime, principal: Principal, body: ImportRequest
) -> tuple[Package, Job]:
    pkg = package_service.require(session, principal, body.id)
    version = published_version(session, pkg)
    dest = body.destination_sandbox
    if dest.ims_org_id and dest.ims_org_id != principal.org_id:
        raise NotCallersOrg("destinationSandbox.imsOrgId", dest.ims_org_id, principal.org_id)
    sandbox = target_sandbox(session, principal, dest.name, "destinationSandbox.name")
    principal.require("Package", "manage", sandbox.name)
    alternatives = body.alternatives or {}
    if alternatives and pkg.package_type == PackageType.FULL:
        raise InvalidMapping("alternatives: a FULL package creates every object anew")
    checked = check_mappings(session, rt, version, sandbox, alternatives, "alternatives")
    job = target_job(
        session,
        principal,
        pkg,
        version,
        sandbox,
        job_type=JobType.NEW,
        name=body.name,
        description=body.description,
        params={"alternatives": checked},
    )
    audit_service.job_submitted(session, principal, principal.org_id, job)
    return pkg, job


def check_mappings(
    session: Session,
    rt: Runtime,
    version: PackageVersion,
    sandbox: Sandbox,
    mappings: dict[str, Alternative],
    field: str,
) -> dict[str, dict[str, str]]:
    """``alternatives`` / ``overwriteMappings``: each key an artifact of the snapshot, each
    value an object of the same type in the target sandbox. Returns them as plain dicts."""
    if not mappings:
        return {}
    manifest = snapshot.read_manifest(rt.blobs, version)
    in_package = {a["id"]: a["type"] for a in manifest["artifacts"]}
    existing = registry_service.types_of_ids(session, sandbox.id, [m.id for m in mappings.values()])
    for source_id, alt in mappings.items():
        where = f"{field}.{source_id}"
        if source_id not in in_package:
            raise InvalidMapping(f"{where}: not an artifact of the package")
        if alt.type != in_package[source_id]:
            raise InvalidMapping(
                f"{where}.type: {alt.type} does not match the artifact's type "
                f"{in_package[source_id]}"
            )
        if (alt.type, alt.id) not in existing:
            raise InvalidMapping(
                f"{where}.id: {alt.type} '{alt.id}' does not exist in sandbox '{sandbox.name}'"
            )
    return {k: {"id": v.id, "type": v.type} for k, v in mappings.items()}


def target_job(
    session: Session,
    principal: Principal,
    pkg: Package,
    version: PackageVersion,
    sandbox: Sandbox,
    *,
    job_type: JobType,
    name: str | None,
    description: str | None,
    params: dict[str, Any],
) -> Job:
    """An IMPORT job of ``version`` into ``sandbox``; name and description default to the
    package's."""
    return job_service.create_for_package(
        session,
        pkg,
        org_id=principal.org_id,
        request_type=RequestType.IMPORT,
        job_type=job_type,
        name=name or pkg.name,
        description=description if description is not None else pkg.description,
        actor=principal.user_id,
        destination_sandbox={"name": sandbox.name, "imsOrgId": principal.org_id},
        snapshot_id=version.snapshot_id,
        package_version=version.package_version,
        params=params,
    )


# -- rollback ---------------------------------------------------------------------------------
def rollback_blockers(
    session: Session, sandbox: Sandbox, import_job: Job
) -> tuple[dict[tuple[str, str], int], list[dict[str, str]]]:
    """The created objects still present (key -> pk) and what forbids deleting them."""
    created = [(t, i) for t, i in import_job.result.get("createdObjects", [])]
    states = registry_service.state_of(session, sandbox.id, created)
    finished = import_job.finished_date or 0
    blockers = [
        {"id": k[1], "type": k[0], "reason": "modified since the import"}
        for k, (_pk, version, modified) in states.items()
        if version > 1 or modified > finished
    ]
    created_set = set(created)
    for t_type, t_id, s_type, s_id in registry_service.referrers_of_many(
        session, sandbox.id, states
    ):
        if (s_type, s_id) not in created_set:
            blockers.append(
                {
                    "id": t_id,
                    "type": t_type,
                    "reason": f"referenced by {s_type} '{s_id}' created since",
                }
            )
    return {k: v[0] for k, v in states.items()}, blockers


def rollback_conflict(blockers: list[dict[str, str]]) -> RollbackRefused:
    listed = "; ".join(f"{b['type']} '{b['id']}': {b['reason']}" for b in blockers[:50])
    return RollbackRefused(f"the import cannot be rolled back: {listed}", errors=blockers)


def rollback_permissions(
    types: ArtifactTypes, principal: Principal, sandbox: Sandbox, present: Iterable[tuple[str, str]]
) -> None:
    """Deleting what an import created needs, per type, what deleting such an object needs
    (its resource's ``delete``), besides ``Package:manage``; 403 naming all that is missing."""
    needs = sorted({types.get(t).resource for t, _i in present if t in types})
    missing = [f"{r}:delete" for r in needs if not principal.can(r, "delete", sandbox.name)]
    if missing:
        raise PermissionDenied(
            f"user {principal.user_id} lacks permission {', '.join(missing)} in sandbox "
            f"'{sandbox.name}' to delete what the import created",
            errors=[{"permission": m, "sandbox": sandbox.name} for m in missing],
        )


def submit_rollback(session: Session, rt: Runtime, principal: Principal, job_id: str) -> Job:
    job = job_service.get_job(session, principal, job_id)
    if job.request_type != RequestType.IMPORT or job.job_type != JobType.NEW:
        raise NotAnImport(
            f"job {job_id} is {job.request_type}/{job.job_type}; only imports roll back"
        )
    if job.status != JobStatus.SUCCESS:
        raise NotAnImport(f"job {job_id} is {job.status}; only a successful import rolls back")
    if job.result.get("rolledBackBy"):
        raise NotAnImport(
            f"job {job_id} was already rolled back by job {job.result['rolledBackBy']}"
        )
    dest = (job.destination_sandbox or {}).get("name", "")
    sandbox = sandbox_service.live(session, principal.org_id, dest)
    if sandbox is None:
        raise NotAnImport(f"the import's target sandbox '{dest}' no longer exists")
    principal.require("Package", "manage", sandbox.name)
    present, blockers = rollback_blockers(session, sandbox, job)
    rollback_permissions(rt.types, principal, sandbox, present)
    if blockers:
        raise rollback_conflict(blockers)
    rollback_job = job_service.create(
        session,
        org_id=principal.org_id,
        request_type=RequestType.IMPORT,
        job_type=JobType.ROLLBACK,
        name=f"Rollback of {job.name}",
        description=f"Rollback of import job {job.id}",
        actor=principal.user_id,
        package_id=job.package_id,
        package_type=job.package_type,
        source_sandbox=job.source_sandbox,
        destination_sandbox=job.destination_sandbox,
        snapshot_id=job.snapshot_id,
        package_version=job.package_version,
        params={"importJobId": job.id},
    )
    audit_service.job_submitted(session, principal, principal.org_id, rollback_job)
    return rollback_job


def rollback(session: Session, rt: Runtime, job_id: str) -> None:
    """The rollback job's work: delete what the import created, in this transaction. The
    target is locked first, so two rollbacks of one import run one after the other and the
    second finds the first's mark."""
    from sandbox_tooling.identity import service as identity_service
    from sandbox_tooling.importer.engine import lock_target

    job = job_service.require_running(session, job_id)
    sandbox = lock_target(session, job.org_id, (job.destination_sandbox or {})["name"])
    import_job = job_service.get_any(session, job.params["importJobId"], for_update=True)
    if import_job is None or import_job.result.get("rolledBackBy"):
        raise NotAnImport("the import was already rolled back or no longer exists")
    present, blockers = rollback_blockers(session, sandbox, import_job)
    submitter = identity_service.principal_for(session, job.org_id, job.created_by)
    rollback_permissions(rt.types, submitter, sandbox, present)
    if blockers:
        raise rollback_conflict(blockers)
    registry_service.delete_pks(session, list(present.values()))
    completed = [
        job_service.task(
            TaskStatus.DELETED, t, i, None, i, message=f"{t} {i} deleted by the rollback"
        )
        for (t, i) in present
    ]
    import_job.result = {**import_job.result, "rolledBackBy": job.id}
    result = job_service.empty_result()
    result["completedTasks"] = completed
    result["deletedObjects"] = list(present)
    job_service.succeed(job, result)
