"""Time helpers: the API speaks epoch milliseconds and ISO-8601 UTC strings."""

from __future__ import annotations

import time
from datetime import UTC, datetime

DAY_MS = 86_400_000


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def parse_iso_ms(value: str) -> int:
    """``2023-05-20T20:05:10Z`` (or with an offset / fraction) to epoch ms; ValueError if not."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)


def ms_to_sandbox_date(value: int) -> str:
    """Sandbox-management dates are ``YYYY-MM-DD HH:MM:SS`` (UTC)."""
    return datetime.fromtimestamp(value / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def ms_to_iso(value: int) -> str:
    """Epoch ms to ``2026-11-23T10:00:00.123Z`` (UTC, milliseconds)."""
    moment = datetime.fromtimestamp(value / 1000, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
