"""The compare engine (VERSION/COMPUTE jobs): what changed between a package version and a
sandbox, as ``deltaPackageVersion``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.spec import ArtifactType, TypeContext
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.job import service as job_service
from sandbox_tooling.kit import pointer
from sandbox_tooling.kit.jsondiff import diff
from sandbox_tooling.models import Job, Package, PackageVersion
from sandbox_tooling.package import service as package_service
from sandbox_tooling.package import snapshot
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.sandbox import service as sandbox_service
from sandbox_tooling.version.errors import VersionGone
from sandbox_tooling.version.service import last_pairs

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime

Key = tuple[str, str]
Side = dict[Key, tuple[str, dict[str, Any]]]  # (type, id) -> (title, definition)


def ignored_paths(atype: ArtifactType) -> set[str]:
    """Never reported: the object's own id and what derives from it, and Profile enablement
    (SPEC §7.4 skips it in the diff)."""
    return {pointer.join("", atype.id_key), "/meta:altId", "/meta:immutableTags"}


def artifact(key: Key, title: str | None) -> dict[str, Any]:
    return {"id": key[1], "type": key[0], "found": False, "count": 0, "title": title}


def delta(
    atype: ArtifactType,
    source: Key,
    source_title: str,
    target: Key,
    target_title: str,
    old: dict[str, Any],
    new: dict[str, Any],
) -> dict[str, Any] | None:
    changes = diff(old, new, ignore=ignored_paths(atype))
    if not changes:
        return None
    out = {
        "sourceArtifact": artifact(source, source_title),
        "targetArtifact": artifact(target, target_title),
        "changes": changes,
    }
    if atype.supports_update:
        problems = atype.update_problems(old, new)
        if problems:
            out["unsupportedChanges"] = [{"path": p, "message": m} for p, m in problems]
    return out


def current_source(session: Session, rt: Runtime, pkg: Package) -> Side:
    cl = package_service.package_closure(session, rt, pkg)
    return {
        k: (n.obj.title, rt.types.get(k[0]).redact(n.obj.definition)) for k, n in cl.nodes.items()
    }


def snapshot_side(rt: Runtime, version: PackageVersion) -> Side:
    return {
        (a["type"], a["id"]): (a["title"], a["definition"])
        for a in snapshot.iter_artifacts(rt.blobs, version)
    }


def compute(session: Session, rt: Runtime, job_id: str) -> dict[str, Any]:
    """The compare job's result (read only: the caller records it)."""
    job = job_service.require_running(session, job_id)
    pkg = package_service.get_any(session, job.package_id or "")
    version = package_service.version_by_snapshot(session, job.snapshot_id)
    if pkg is None or version is None:
        raise VersionGone(f"package {job.package_id} or its version was deleted")
    manifest = snapshot.read_manifest(rt.blobs, version)
    target = job.params.get("targetSandbox")
    if target:
        result = _against_target(rt, session, job, pkg, version, target)
    else:
        result = _against_source(rt, session, pkg, version)
    vertices, deltas, pairs = result
    validated = not any("unsupportedChanges" in d for d in deltas)
    out = job_service.empty_result()
    out["importReplacementMap"] = pairs
    out["deltaPackageVersion"] = {
        "packageId": pkg.id,
        "currentVersion": version.package_version,
        "validated": validated,
        "rootArtifacts": [
            {"id": a["id"], "type": a["type"], "found": False, "count": 0}
            for a in manifest["rootArtifacts"]
        ],
        "eximGraphDelta": {"vertices": vertices, "pluginDeltas": deltas},
    }
    return out


def _against_source(
    rt: Runtime, session: Session, pkg: Package, version: PackageVersion
) -> tuple[list[Any], list[Any], dict[str, str]]:
    """The version's snapshot (old) against the source sandbox now (new)."""
    old = snapshot_side(rt, version)
    new = current_source(session, rt, pkg)
    deltas = []
    for key, (title, definition) in new.items():
        if key in old:
            found = delta(
                rt.types.get(key[0]), key, title, key, old[key][0], old[key][1], definition
            )
            if found:
                deltas.append(found)
    vertices = [
        {"artifact": artifact(k, v[0]), "change": "ADDED"} for k, v in new.items() if k not in old
    ]
    vertices += [
        {"artifact": artifact(k, v[0]), "change": "REMOVED"} for k, v in old.items() if k not in new
    ]
    return vertices, deltas, {}


def _against_target(
    rt: Runtime,
    session: Session,
    job: Job,
    pkg: Package,
    version: PackageVersion,
    target: str,
) -> tuple[list[Any], list[Any], dict[str, str]]:
    """The source (now, or a given version) against its paired objects in the target
    (old): what an update would change there. Ids are compared after mapping."""
    sandbox = sandbox_service.live(session, job.org_id, target)
    if sandbox is None:
        raise VersionGone(f"target sandbox '{target}' no longer exists")
    org = identity_service.require_org(session, job.org_id)
    type_ctx = TypeContext(org_id=org.id, tenant=org.tenant_id)
    if job.params.get("packageVersion") is None:
        source = current_source(session, rt, pkg)
    else:
        source = snapshot_side(rt, version)
    pairs = last_pairs(session, job.org_id, pkg.id, target)
    pairs.update({k: v["id"] for k, v in job.params.get("overwriteMappings", {}).items()})
    type_of = {k[1]: k[0] for k in source}
    id_map = {(type_of[s], s): t for s, t in pairs.items() if s in type_of}
    rows = {
        (r.type, r.object_id): r
        for r in registry_service.rows_by_ids(session, sandbox.id, pairs.values())
    }
    deltas, vertices = [], []
    for key, (title, definition) in source.items():
        tgt = id_map.get(key)
        row = rows.get((key[0], tgt)) if tgt else None
        if row is None:
            vertices.append({"artifact": artifact(key, title), "change": "ADDED"})
            continue
        atype = rt.types.get(key[0])
        new = atype.with_id(atype.rewrite(definition, id_map), row.object_id, type_ctx)
        found = delta(atype, key, title, (row.type, row.object_id), row.title, row.definition, new)
        if found:
            deltas.append(found)
    for src, tgt in pairs.items():
        if src not in type_of:
            vertices.append(
                {
                    "artifact": {
                        "id": src,
                        "type": None,
                        "found": False,
                        "count": 0,
                        "title": None,
                        "newId": tgt,
                    },
                    "change": "REMOVED",
                }
            )
    return vertices, deltas, pairs
