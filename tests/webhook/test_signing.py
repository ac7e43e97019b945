"""Signing deliveries and the receiver's check; secrets derived from the server key."""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

from pydantic import SecretStr

from sandbox_tooling.config import Settings
from sandbox_tooling.webhook import keys, signing

SECRET = "whsec_test"
BODY = b'{"event":"job.succeeded"}'


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert signing.signature(SECRET, 1700000000, BODY) == f"v1={expected}"


def test_verify() -> None:
    sig = signing.signature(SECRET, 1700000000, BODY)
    assert signing.verify(SECRET, BODY, "1700000000", sig, now=1700000100)
    assert signing.verify(SECRET, BODY, "1700000000", f"v1=00, {sig}", now=1700000000)
    assert not signing.verify(SECRET, BODY + b" ", "1700000000", sig, now=1700000000)
    assert not signing.verify("whsec_other", BODY, "1700000000", sig, now=1700000000)
    assert not signing.verify(SECRET, BODY, "1700000001", sig, now=1700000000)
    assert not signing.verify(SECRET, BODY, "1700000000", sig, now=1700000301)  # replayed
    assert not signing.verify(SECRET, BODY, "soon", sig, now=1700000000)
    assert not signing.verify(SECRET, BODY, None, sig, now=1700000000)


def test_secrets_are_derived_from_the_key_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    key = keys.server_key(settings)
    path = tmp_path / keys.KEY_FILE
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys._load_or_create(path) == key  # kept, not made anew
    one = keys.derive_secret(key, "hook1", "salt")
    assert one == keys.derive_secret(key, "hook1", "salt")
    assert one != keys.derive_secret(key, "hook1", "salt2")
    assert one != keys.derive_secret(key, "hook2", "salt")
    assert one != keys.derive_secret(b"another key", "hook1", "salt")


def test_a_configured_key_wins(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr("k" * 40))
    assert keys.server_key(settings) == b"k" * 40
    assert not (tmp_path / keys.KEY_FILE).exists()
    assert "kkkk" not in repr(settings)
