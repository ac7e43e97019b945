"""Blob stores: written once, never overwritten; streamed reads; the local directory and an
S3-compatible bucket (a moto server on 127.0.0.1) behave the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox_tooling.config import Settings
from sandbox_tooling.kit import blobstore
from sandbox_tooling.kit.blobstore import BlobExists, BlobNotFound, LocalBlobStore, S3BlobStore
from tests.helpers import make_bucket


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> blobstore.BlobStore:
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"sbx-{tmp_path.name[-20:].lower().replace('_', '-')}"
    return S3BlobStore(make_bucket(endpoint, bucket), bucket, "prefix/x")


def test_written_once(store: blobstore.BlobStore) -> None:
    store.put("a/b/c.json", b"one")
    with pytest.raises(BlobExists):
        store.put("a/b/c.json", b"two")
    assert store.get("a/b/c.json") == b"one"


def test_streamed_lines(store: blobstore.BlobStore) -> None:
    lines = [b'{"n": %d, "pad": "%s"}\n' % (i, b"x" * (i % 700)) for i in range(2_000)]
    store.put("big.jsonl", b"".join(lines))
    with store.open("big.jsonl") as fh:
        assert list(fh) == lines


def test_missing_and_bad_keys(store: blobstore.BlobStore) -> None:
    with pytest.raises(BlobNotFound):
        store.open("nope")
    for bad in ("", "/abs", "a/../b"):
        with pytest.raises(ValueError):
            store.put(bad, b"x")
    store.check()


def test_settings_choose_the_store(tmp_path: Path, s3_endpoint: str) -> None:
    assert isinstance(blobstore.from_settings(Settings(data_dir=tmp_path)), LocalBlobStore)
    make_bucket(s3_endpoint, "sbx-settings")
    s3 = blobstore.from_settings(
        Settings(data_dir=tmp_path, blob_url="s3://sbx-settings/snap", s3_endpoint_url=s3_endpoint)
    )
    assert isinstance(s3, S3BlobStore) and s3.prefix == "snap/"
    s3.put("k", b"v")
    assert s3.get("k") == b"v"
    with pytest.raises(ValueError, match="SBX_BLOB_URL"):
        blobstore.from_settings(Settings(data_dir=tmp_path, blob_url="ftp://x/y"))
