"""Signing webhook deliveries, and the reference check a receiver makes.

Each attempt carries ``X-Sbx-Timestamp`` (Unix seconds of the attempt) and
``X-Sbx-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>``, the body being the
exact bytes received. A receiver recomputes the HMAC with its secret, compares in constant
time, and refuses timestamps too far from its clock (replays).
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE = "X-Sbx-Signature"
TIMESTAMP = "X-Sbx-Timestamp"
EVENT = "X-Sbx-Event"
DELIVERY = "X-Sbx-Delivery"
WEBHOOK = "X-Sbx-Webhook"
SCHEME = "v1"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def verify(
    secret: str,
    body: bytes,
    timestamp_header: str | None,
    signature_header: str | None,
    *,
    now: float,
    tolerance: float = TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: True when the signature is the body's and the timestamp recent.
    ``signature_header`` may list several comma-separated signatures (one per secret)."""
    if not timestamp_header or not signature_header:
        return False
    try:
        timestamp = int(timestamp_header)
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, s.strip()) for s in signature_header.split(","))
