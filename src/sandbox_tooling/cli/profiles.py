"""Named connection profiles of the CLI, under the XDG config directory.

``$XDG_CONFIG_HOME/sbx/config.json`` (default ``~/.config/sbx``) holds the profiles (URL,
client id, org, sandbox) and the default profile's name; ``credentials.json`` beside it,
mode 0600, the client secrets and the cached tokens. Settings resolve flag > environment
(``SBX_URL``, ``SBX_CLIENT_ID``, ``SBX_CLIENT_SECRET``, ``SBX_ORG``, ``SBX_SANDBOX``) >
profile (``-p``, ``SBX_PROFILE``, else the default profile).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT = "default"


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "sbx"


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, data: dict[str, Any], mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


@dataclass
class Profile:
    name: str
    url: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    org: str | None = None
    sandbox: str | None = None
    token: str | None = None
    token_expires_at: float | None = None


class Store:
    """The profiles on disk."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or config_dir()
        self.config_path = self.root / "config.json"
        self.credentials_path = self.root / "credentials.json"

    def default_name(self) -> str:
        return str(_read(self.config_path).get("defaultProfile") or DEFAULT)

    def load(self, name: str | None) -> Profile:
        name = name or self.default_name()
        conf = _read(self.config_path).get("profiles", {}).get(name, {})
        cred = _read(self.credentials_path).get("profiles", {}).get(name, {})
        return Profile(
            name=name,
            url=conf.get("url"),
            client_id=conf.get("clientId"),
            org=conf.get("org"),
            sandbox=conf.get("sandbox"),
            client_secret=cred.get("clientSecret"),
            token=cred.get("token"),
            token_expires_at=cred.get("tokenExpiresAt"),
        )

    def exists(self, name: str) -> bool:
        return name in _read(self.config_path).get("profiles", {})

    def save(self, profile: Profile, *, make_default: bool) -> None:
        config = _read(self.config_path)
        config.setdefault("profiles", {})[profile.name] = {
            "url": profile.url,
            "clientId": profile.client_id,
            "org": profile.org,
            "sandbox": profile.sandbox,
        }
        if make_default or "defaultProfile" not in config:
            config["defaultProfile"] = profile.name
        _write(self.config_path, config, 0o600)
        creds = _read(self.credentials_path)
        creds.setdefault("profiles", {})[profile.name] = {
            "clientSecret": profile.client_secret,
            "token": profile.token,
            "tokenExpiresAt": profile.token_expires_at,
        }
        _write(self.credentials_path, creds, 0o600)

    def save_token(self, name: str, token: str, expires_at: float) -> None:
        """Cache a profile's token (reused by the next commands until shortly before it
        expires)."""
        creds = _read(self.credentials_path)
        entry = creds.setdefault("profiles", {}).setdefault(name, {})
        entry["token"], entry["tokenExpiresAt"] = token, expires_at
        _write(self.credentials_path, creds, 0o600)
