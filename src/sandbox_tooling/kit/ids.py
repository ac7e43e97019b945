"""Identifier generators."""

from __future__ import annotations

import secrets
import uuid


def hex32() -> str:
    """Package, job, transfer and handshake ids: a UUID without dashes."""
    return uuid.uuid4().hex


def dashed_uuid() -> str:
    return str(uuid.uuid4())


def hex_token(n_bytes: int) -> str:
    return secrets.token_hex(n_bytes)
