"""Identifier generators and format checks."""

from __future__ import annotations

import re
import secrets
import uuid

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def hex32() -> str:
    """Package, job, transfer and handshake ids: a UUID without dashes."""
    return uuid.uuid4().hex


def dashed_uuid() -> str:
    return str(uuid.uuid4())


def hex_token(n_bytes: int) -> str:
    return secrets.token_hex(n_bytes)


def is_hex32(value: str) -> bool:
    return bool(HEX32.match(value))
