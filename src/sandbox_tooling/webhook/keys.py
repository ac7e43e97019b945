"""Webhook signing secrets: derived, not stored.

A webhook's secret is ``whsec_`` + base64url(HMAC-SHA256(server key, "sbx-webhook-secret:"
+ webhook id + ":" + salt)). The row keeps only the random salt; the server key comes from
``SBX_SECRET_KEY`` or, when that is unset, from ``$SBX_DATA_DIR/secret.key`` (32 random
bytes, created on first use, mode 0600). So the secret can be recomputed to sign every
delivery, and a copy of the database alone reveals none. Every process serving one database
needs the same key; changing the key changes every webhook's secret.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path

from sandbox_tooling.config import Settings

KEY_FILE = "secret.key"
_lock = threading.Lock()
_cache: dict[Path, bytes] = {}


def server_key(settings: Settings) -> bytes:
    configured = settings.secret_key.get_secret_value()
    if configured:
        return configured.encode()
    path = settings.data_dir / KEY_FILE
    with _lock:
        if path not in _cache:
            _cache[path] = _load_or_create(path)
        return _cache[path]


def _load_or_create(path: Path) -> bytes:
    """The key in ``path``, made first if missing. Made whole in a temporary file and linked
    into place, so that processes starting together (``sbx serve --workers N``) never read a
    half-written key, and all end up with the one that was linked first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32) + "\n")
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):  # another process made it first
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path}: the server key is too short")
    return key.encode()


def new_salt() -> str:
    return secrets.token_hex(16)


def derive_secret(key: bytes, webhook_id: str, salt: str) -> str:
    message = f"sbx-webhook-secret:{webhook_id}:{salt}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return "whsec_" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
