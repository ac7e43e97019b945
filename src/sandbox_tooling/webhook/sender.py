"""One HTTP attempt at a webhook delivery (outside any database transaction).

The target is resolved and checked (``targets.resolve``) and the request goes to the checked
address itself, with the URL's host in ``Host`` and, over https, as the TLS server name (so
the certificate is verified for the host, not the address). No redirect is followed, no
proxy from the environment is used, and at most ``RESPONSE_EXCERPT`` bytes of the answer are
read (kept for the org to see in the delivery's attempts).
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass, field

import httpx

from sandbox_tooling import __version__
from sandbox_tooling.kit.clock import now_ms
from sandbox_tooling.webhook import signing, targets
from sandbox_tooling.webhook.errors import WebhookTargetRefused

RESPONSE_EXCERPT = 1024
USER_AGENT = f"sbx-webhooks/{__version__}"


@dataclass(frozen=True, kw_only=True)
class Outgoing:
    """A delivery to attempt: the endpoint, the exact body, what signs it."""

    url: str
    body: bytes
    secret: str = field(repr=False)
    event: str
    delivery_id: str
    webhook_id: str


@dataclass(frozen=True)
class Outcome:
    """How an attempt went. ``permanent``: retrying cannot help (the target is refused)."""

    started: int
    duration_ms: int
    status_code: int | None = None
    error: str | None = None
    response: str | None = None
    permanent: bool = False

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def headers(out: Outgoing, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.EVENT: out.event,
        signing.DELIVERY: out.delivery_id,
        signing.WEBHOOK: out.webhook_id,
        signing.TIMESTAMP: str(timestamp),
        signing.SIGNATURE: signing.signature(out.secret, timestamp, out.body),
    }


def _address_url(target: targets.Target, address: targets.IPAddress) -> str:
    host = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    return f"{target.scheme}://{host}:{target.port}{target.path}"


def _host_header(target: targets.Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def send(out: Outgoing, policy: targets.Policy, timeout: float) -> Outcome:
    started, clock = now_ms(), time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - clock) * 1000)

    try:
        target, address = targets.resolve(out.url, policy)
    except WebhookTargetRefused as exc:
        return Outcome(started, elapsed(), error=exc.detail, permanent=True)
    request_headers = headers(out, int(time.time()))
    request_headers["Host"] = _host_header(target)
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client,
            client.stream(
                "POST",
                _address_url(target, address),
                content=out.body,
                headers=request_headers,
                extensions=extensions,
            ) as response,
        ):
            excerpt = b""
            for chunk in response.iter_bytes():
                excerpt += chunk
                if len(excerpt) >= RESPONSE_EXCERPT:
                    break
            text = excerpt[:RESPONSE_EXCERPT].decode("utf-8", errors="replace")
            return Outcome(started, elapsed(), status_code=response.status_code, response=text)
    except httpx.TimeoutException:
        return Outcome(started, elapsed(), error=f"no answer within {timeout:g}s")
    except httpx.HTTPError as exc:
        return Outcome(started, elapsed(), error=f"{type(exc).__name__}: {exc}"[:1000])
