"""Blob stores for immutable package snapshots.

The interface is deliberately small so an S3-compatible backend can sit behind it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from sandbox_tooling.errors import NotFound


class BlobNotFound(NotFound):
    """A snapshot blob is missing from the store."""


class BlobStore(Protocol):
    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` atomically (readers never see a partial blob)."""

    def open(self, key: str) -> BinaryIO:
        """Open a blob for streaming reads. Raises NotFound."""

    def get(self, key: str) -> bytes: ...


class LocalBlobStore:
    """Blobs as files under a directory, written via a temporary file and ``os.replace``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"invalid blob key {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(f"blob {key} not found") from None

    def get(self, key: str) -> bytes:
        with self.open(key) as fh:
            return fh.read()
