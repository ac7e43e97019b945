"""CLI profiles on disk: saved under the XDG config dir, the secret in a 0600 file, the
default profile, cached tokens."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from sandbox_tooling.cli.profiles import Profile, Store, config_dir


def test_profiles_round_trip(tmp_path: Path) -> None:
    store = Store(tmp_path / "sbx")
    assert store.load(None).name == "default" and store.load(None).url is None
    store.save(
        Profile(
            "dev", url="http://x", client_id="id", client_secret="s3cret", org="O", sandbox="dev"
        ),
        make_default=False,
    )
    assert store.default_name() == "dev"  # the first profile saved becomes the default
    store.save(
        Profile("prod", url="http://y", client_id="id2", client_secret="t"), make_default=False
    )
    assert store.default_name() == "dev"
    loaded = store.load("dev")
    assert (loaded.url, loaded.client_id, loaded.client_secret, loaded.sandbox) == (
        "http://x",
        "id",
        "s3cret",
        "dev",
    )
    assert "s3cret" not in store.config_path.read_text()
    assert stat.S_IMODE(store.credentials_path.stat().st_mode) == 0o600
    store.save_token("dev", "tok", 123.0)
    assert (store.load("dev").token, store.load("dev").token_expires_at) == ("tok", 123.0)
    assert store.load("prod").token is None
    assert store.exists("prod") and not store.exists("other")


def test_config_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_dir() == tmp_path / "sbx"
