"""Package files: one published version of a package as a portable zip archive.

Three entries, in this order:

* ``sbx-package.json``: the file's format (``sbx.package-file/1``), the package's name,
  type, version and source (org, tenant, sandbox), the artifact count, ``contentHash``
  (SHA-256 of ``artifacts.jsonl``) and ``manifestHash`` (SHA-256 of ``manifest.json``);
* ``manifest.json``: the snapshot's manifest, byte for byte;
* ``artifacts.jsonl``: the snapshot's artifacts, byte for byte (secrets are placeholders).

The archive of a version is the same bytes at every download (fixed entry dates, no export
time), so files kept in git change only when the package does. Reading one checks, in order,
that it is a zip, its entries, their sizes (``max_bytes`` uncompressed, counted while reading:
declared sizes are not trusted), their CRCs, the header, both hashes, and that the manifest's
index and the artifacts agree; a failure names the check that failed.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

import orjson

from sandbox_tooling.models.enums import PackageType
from sandbox_tooling.package.errors import InvalidPackageFile
from sandbox_tooling.package.snapshot import ARTIFACTS, FORMAT, MANIFEST

FILE_FORMAT = "sbx.package-file/1"
HEADER = "sbx-package.json"
ENTRIES = (HEADER, MANIFEST, ARTIFACTS)
MEDIA_TYPE = "application/zip"
#: A fixed date for every entry: the same version gives the same bytes.
_EPOCH = (1980, 1, 1, 0, 0, 0)
_BLOCK = 1 << 20


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def header(manifest: Mapping[str, Any], manifest_bytes: bytes, description: str | None) -> bytes:
    """``sbx-package.json`` of a snapshot."""
    source = manifest.get("origin", {}).get("imsOrgId") or manifest.get("imsOrgId")
    return orjson.dumps(
        {
            "format": FILE_FORMAT,
            "packageName": manifest.get("packageName"),
            "packageDescription": description,
            "packageType": manifest.get("packageType"),
            "packageVersion": manifest.get("packageVersion"),
            "sourceOrgId": source,
            "tenantId": manifest.get("tenantId"),
            "sourceSandbox": manifest.get("sourceSandbox"),
            "artifactCount": manifest.get("artifactCount"),
            "contentHash": manifest.get("contentHash"),
            "manifestHash": sha256(manifest_bytes),
        },
        option=orjson.OPT_INDENT_2,
    )


class _Sink:
    """A write-only stream whose bytes are taken out as they come (for streaming a zip)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered beyond the chunks."""

    def close(self) -> None:
        """The chunks stay until taken."""

    def take(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def stream(head: bytes, manifest: bytes, artifacts: BinaryIO) -> Iterator[bytes]:
    """The archive, produced as it is written (``artifacts`` is read 1 MiB at a time)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w") as zf:
        zf.writestr(_info(HEADER), head)
        zf.writestr(_info(MANIFEST), manifest)
        yield sink.take()
        with zf.open(_info(ARTIFACTS), "w", force_zip64=True) as out:
            for block in iter(lambda: artifacts.read(_BLOCK), b""):
                out.write(block)
                chunk = sink.take()
                if chunk:
                    yield chunk
    yield sink.take()


@dataclass(frozen=True)
class PackageFile:
    """A verified package file."""

    header: dict[str, Any]
    manifest: dict[str, Any]
    artifacts: bytes


def _fail(detail: str) -> InvalidPackageFile:
    return InvalidPackageFile(detail)


def _entry(zf: zipfile.ZipFile, name: str, budget: list[int]) -> bytes:
    """An entry's bytes, counted against the remaining uncompressed ``budget``."""
    chunks: list[bytes] = []
    try:
        with zf.open(name) as fh:
            while block := fh.read(_BLOCK):
                budget[0] -= len(block)
                if budget[0] < 0:
                    raise _fail(f"{name}: the file unpacks to more than the size limit")
                chunks.append(block)
    except zipfile.BadZipFile as exc:
        raise _fail(f"{name}: corrupt ({exc})") from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError) as exc:
        raise _fail(f"{name}: cannot be read ({exc})") from None
    return b"".join(chunks)


def _json_object(name: str, data: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise _fail(f"{name}: malformed JSON ({exc})") from None
    if not isinstance(value, dict):
        raise _fail(f"{name}: must be a JSON object")
    return value


def read(data: bytes, *, max_bytes: int) -> PackageFile:
    """Open and verify a package file (400 ``InvalidPackageFile`` naming the failed check)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise _fail(
            "file: not a zip archive (a package file is made by GET /packages/{id}/file)"
        ) from None
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        for name in names:
            if name not in ENTRIES:
                raise _fail(f"file: unexpected entry '{name[:200]}'")
        for name in ENTRIES:
            if names.count(name) != 1:
                problem = "missing" if name not in names else "twice"
                raise _fail(f"file: entry '{name}' {problem}")
        for info in infos:
            if info.flag_bits & 0x1:
                raise _fail(f"{info.filename}: encrypted entries are not accepted")
        declared = sum(i.file_size for i in infos)
        if declared > max_bytes:
            raise _fail(f"file: unpacks to {declared} bytes, over the limit of {max_bytes}")
        budget = [max_bytes]
        head_bytes = _entry(zf, HEADER, budget)
        manifest_bytes = _entry(zf, MANIFEST, budget)
        artifacts = _entry(zf, ARTIFACTS, budget)
    head = _json_object(HEADER, head_bytes)
    if head.get("format") != FILE_FORMAT:
        raise _fail(f"{HEADER}.format: {head.get('format')!r} is not {FILE_FORMAT!r}")
    if sha256(manifest_bytes) != head.get("manifestHash"):
        raise _fail(
            f"{MANIFEST}: its SHA-256 {sha256(manifest_bytes)} does not match "
            f"{HEADER} manifestHash {head.get('manifestHash')!r} (altered or corrupt)"
        )
    content_hash = sha256(artifacts)
    if content_hash != head.get("contentHash"):
        raise _fail(
            f"{ARTIFACTS}: its SHA-256 {content_hash} does not match {HEADER} contentHash "
            f"{head.get('contentHash')!r} (altered or corrupt)"
        )
    manifest = _json_object(MANIFEST, manifest_bytes)
    if manifest.get("contentHash") != content_hash:
        raise _fail(f"{MANIFEST}.contentHash: does not match {ARTIFACTS}")
    _check_manifest(manifest)
    _check_artifacts(manifest, artifacts)
    return PackageFile(head, manifest, artifacts)


def _check_manifest(manifest: Mapping[str, Any]) -> None:
    where = MANIFEST
    if manifest.get("format") != FORMAT:
        raise _fail(f"{where}.format: {manifest.get('format')!r} is not {FORMAT!r}")
    if manifest.get("packageType") not in set(PackageType):
        raise _fail(f"{where}.packageType: must be one of {', '.join(PackageType)}")
    for key in ("tenantId", "imsOrgId", "packageName"):
        if not isinstance(manifest.get(key), str) or not manifest[key]:
            raise _fail(f"{where}.{key}: required (a string)")
    source = manifest.get("sourceSandbox")
    if not isinstance(source, dict) or not isinstance(source.get("name"), str):
        raise _fail(f"{where}.sourceSandbox.name: required (a string)")
    index = manifest.get("artifacts")
    if not isinstance(index, list):
        raise _fail(f"{where}.artifacts: must be a list")
    keys = set()
    for i, art in enumerate(index):
        if not isinstance(art, dict) or not all(
            isinstance(art.get(k), str) for k in ("id", "type", "title")
        ):
            raise _fail(f"{where}.artifacts[{i}]: must be {{id, type, title}} strings")
        keys.add((art["type"], art["id"]))
    if len(keys) != len(index) or manifest.get("artifactCount") != len(index):
        raise _fail(f"{where}.artifactCount: does not match the artifacts listed")
    edges = manifest.get("edges")
    if not isinstance(edges, list) or not all(
        isinstance(e, list)
        and len(e) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n < len(index) for n in e)
        for e in edges
    ):
        raise _fail(f"{where}.edges: must be [parent, child] positions in artifacts")
    roots = manifest.get("rootArtifacts")
    if not isinstance(roots, list):
        raise _fail(f"{where}.rootArtifacts: must be a list")
    for i, root in enumerate(roots):
        if not isinstance(root, dict) or (root.get("type"), root.get("id")) not in keys:
            raise _fail(f"{where}.rootArtifacts[{i}]: not one of the artifacts")


def _check_artifacts(manifest: Mapping[str, Any], artifacts: bytes) -> None:
    index = manifest["artifacts"]
    lines = [line for line in artifacts.split(b"\n") if line.strip()]
    if len(lines) != len(index):
        raise _fail(f"{ARTIFACTS}: {len(lines)} lines for {len(index)} artifacts in the manifest")
    for i, (line, art) in enumerate(zip(lines, index, strict=True)):
        obj = _json_object(f"{ARTIFACTS} line {i + 1}", line)
        if (obj.get("type"), obj.get("id")) != (art["type"], art["id"]):
            raise _fail(f"{ARTIFACTS} line {i + 1}: is not the manifest's artifact {i}")
        if not isinstance(obj.get("definition"), dict):
            raise _fail(f"{ARTIFACTS} line {i + 1}.definition: must be a JSON object")
