"""Blob stores for immutable package snapshots: a local directory (the default) or an
S3-compatible bucket (``SBX_BLOB_URL=s3://bucket/prefix``).

A blob is written once and never overwritten: ``put`` on an existing key raises
``BlobExists`` (the local store links a finished temporary file into place, which fails when
the name exists; S3 puts with ``If-None-Match: *``). Reads are streamed.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol
from urllib.parse import urlparse

from sandbox_tooling.errors import Conflict, NotFound

if TYPE_CHECKING:
    from sandbox_tooling.config import Settings


class BlobNotFound(NotFound):
    """A snapshot blob is missing from the store."""


class BlobExists(Conflict):
    """A blob of that key exists; blobs are never overwritten."""


class BlobStore(Protocol):
    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under a new ``key`` atomically (readers never see a partial blob).
        Raises BlobExists when the key is taken."""

    def open(self, key: str) -> BinaryIO:
        """Open a blob for streaming reads (iterating it yields lines). Raises BlobNotFound."""

    def get(self, key: str) -> bytes: ...

    def check(self) -> None:
        """Raise when the store cannot be reached (readiness)."""


def _valid_key(key: str) -> str:
    if not key or key.startswith("/") or ".." in key.split("/"):
        raise ValueError(f"invalid blob key {key!r}")
    return key


class LocalBlobStore:
    """Blobs as files under a directory: written to a temporary file, flushed, then linked
    into place (``os.link`` refuses an existing name, so nothing is ever overwritten)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / _valid_key(key)

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise BlobExists(f"blob {key} exists; blobs are written once") from None
        finally:
            Path(tmp).unlink(missing_ok=True)

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(f"blob {key} not found") from None

    def get(self, key: str) -> bytes:
        with self.open(key) as fh:
            return fh.read()

    def check(self) -> None:
        if not os.access(self.root, os.W_OK):
            raise OSError(f"blob directory {self.root} is not writable")


class _StreamingRaw(io.RawIOBase):
    """A botocore ``StreamingBody`` as a raw stream, so ``io.BufferedReader`` gives it lines."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._body.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self._body.close()
        super().close()


class S3BlobStore:
    """Blobs in an S3-compatible bucket under ``prefix``, put with ``If-None-Match: *``."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client, self.bucket = client, bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _key(self, key: str) -> str:
        return self.prefix + _valid_key(key)

    def put(self, key: str, data: bytes) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self._key(key), Body=data, IfNoneMatch="*"
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                raise BlobExists(f"blob {key} exists; blobs are written once") from None
            raise

    def open(self, key: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise BlobNotFound(f"blob {key} not found") from None
            raise
        return io.BufferedReader(_StreamingRaw(obj["Body"]), buffer_size=1 << 16)

    def get(self, key: str) -> bytes:
        with self.open(key) as fh:
            return fh.read()

    def check(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)


def from_settings(settings: Settings) -> BlobStore:
    """The store ``SBX_BLOB_URL`` names (``s3://bucket/prefix``), else the local directory
    (``SBX_BLOB_DIR``, default ``$SBX_DATA_DIR/blobs``)."""
    url = settings.blob_url.strip()
    if not url:
        return LocalBlobStore(settings.resolved_blob_dir())
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalBlobStore(Path(parsed.path))
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(f"SBX_BLOB_URL: '{url}' is not s3://bucket[/prefix] or file:///path")
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region or None,
    )
    return S3BlobStore(client, parsed.netloc, parsed.path)
