"""Immutable package snapshots in the blob store.

A snapshot is two blobs under ``snapshots/<org>/<package>/<snapshotId>/``:

* ``artifacts.jsonl``: one object per line, dependencies before dependents, each
  ``{id, type, title, version, definition, references: [{id, type, attach}]}`` with secrets
  replaced by placeholders;
* ``manifest.json``: format, ids, root artifacts, an index ``[{id, type, title}]``, the
  dependency edges ``[[parent, child], ...]`` as positions in that index, and
  ``contentHash`` (SHA-256 of ``artifacts.jsonl``).

Importers stream ``artifacts.jsonl``; nothing needs the whole snapshot in memory at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from sandbox_tooling.artifact_type.plugins import ArtifactTypes
from sandbox_tooling.kit.blobstore import BlobStore
from sandbox_tooling.kit.ids import hex_token
from sandbox_tooling.models import PackageVersion
from sandbox_tooling.registry.closure import Closure

FORMAT = "sbx.snapshot/1"
ARTIFACTS, MANIFEST = "artifacts.jsonl", "manifest.json"


@dataclass(frozen=True)
class SnapshotInfo:
    manifest_key: str
    artifacts_key: str
    content_hash: str
    count: int


def keys(org_id: str, package_id: str, snapshot_id: str) -> tuple[str, str]:
    """``(artifacts key, manifest key)`` of a new write: the one place the blob layout is
    spelled. Blobs are written once, so each write (a retried publish too) takes fresh keys;
    the version row names the ones it commits."""
    prefix = f"snapshots/{org_id}/{package_id}/{snapshot_id}/{hex_token(6)}"
    return f"{prefix}/{ARTIFACTS}", f"{prefix}/{MANIFEST}"


def write(
    blobs: BlobStore,
    types: ArtifactTypes,
    closure: Closure,
    *,
    org_id: str,
    package_id: str,
    snapshot_id: str,
    header: dict[str, Any],
) -> SnapshotInfo:
    lines: list[bytes] = []
    index: list[dict[str, str]] = []
    dumps = orjson.dumps
    sort = orjson.OPT_SORT_KEYS
    for key in closure.order():
        node = closure.nodes[key]
        obj = node.obj
        atype = types.get(obj.type)
        refs = sorted({(r.type, r.id, r.attach) for r in node.refs})
        lines.append(
            dumps(
                {
                    "id": obj.object_id,
                    "type": obj.type,
                    "title": obj.title,
                    "version": obj.version,
                    "definition": atype.redact(obj.definition),
                    "references": [{"type": t, "id": i, "attach": a} for t, i, a in refs],
                },
                option=sort,
            )
        )
        index.append({"id": obj.object_id, "type": obj.type, "title": obj.title})
    position = {(a["type"], a["id"]): i for i, a in enumerate(index)}
    body = b"\n".join(lines) + (b"\n" if lines else b"")
    content_hash = "sha256:" + hashlib.sha256(body).hexdigest()
    manifest = {
        **header,
        "format": FORMAT,
        "snapshotId": snapshot_id,
        "packageId": package_id,
        "imsOrgId": org_id,
        "artifactCount": len(index),
        "artifacts": index,
        "edges": [[position[a], position[b]] for a, b in closure.edges()],
        "contentHash": content_hash,
    }
    artifacts_key, manifest_key = keys(org_id, package_id, snapshot_id)
    blobs.put(artifacts_key, body)
    blobs.put(manifest_key, orjson.dumps(manifest))
    return SnapshotInfo(manifest_key, artifacts_key, content_hash, len(index))


def copy(
    blobs: BlobStore,
    version: PackageVersion,
    *,
    org_id: str,
    package_id: str,
    snapshot_id: str,
    manifest_changes: dict[str, Any],
) -> SnapshotInfo:
    """A copy of ``version``'s snapshot under another org's package: the artifacts blob byte
    for byte (same content hash), the manifest with ``manifest_changes`` applied."""
    manifest = read_manifest(blobs, version)
    artifacts_key, manifest_key = keys(org_id, package_id, snapshot_id)
    blobs.put(artifacts_key, blobs.get(version.artifacts_key))
    blobs.put(
        manifest_key,
        orjson.dumps(
            {
                **manifest,
                "packageId": package_id,
                "snapshotId": snapshot_id,
                **manifest_changes,
            }
        ),
    )
    return SnapshotInfo(manifest_key, artifacts_key, version.content_hash, version.artifact_count)


def read_manifest(blobs: BlobStore, version: PackageVersion) -> dict[str, Any]:
    manifest: dict[str, Any] = orjson.loads(blobs.get(version.manifest_key))
    return manifest


def iter_artifacts(blobs: BlobStore, version: PackageVersion) -> Iterator[dict[str, Any]]:
    with blobs.open(version.artifacts_key) as fh:
        for line in fh:
            if line.strip():
                yield orjson.loads(line)


def verify(blobs: BlobStore, version: PackageVersion) -> bool:
    """True when the stored artifacts still hash to the recorded content hash."""
    digest = hashlib.sha256()
    with blobs.open(version.artifacts_key) as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest() == version.content_hash


def edge_keys(manifest: Mapping[str, Any]) -> Iterator[tuple[tuple[str, str], tuple[str, str]]]:
    """The manifest's edges as ``((type, id), (type, id))`` pairs."""
    index = manifest["artifacts"]
    for parent, child in manifest["edges"]:
        a, b = index[parent], index[child]
        yield (a["type"], a["id"]), (b["type"], b["id"])
