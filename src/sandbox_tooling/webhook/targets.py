"""Where webhook deliveries may go (server-side request forgery).

An org chooses the URL, and the server makes the request: without limits an org could make
the server call its own network (a database's HTTP port, a cloud metadata service). The
policy, from the settings:

* ``SBX_WEBHOOK_ALLOWED_HOSTS`` (when set): the only host names or IP literals a URL may
  name, checked before any name is resolved.
* Every address a name resolves to must be allowed, and the delivery connects to the checked
  address itself (no second lookup an attacker's DNS could answer differently):
  public (global) addresses are; loopback only with ``SBX_WEBHOOK_ALLOW_LOOPBACK``; other
  non-global ones (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7...) only with
  ``SBX_WEBHOOK_ALLOW_PRIVATE``; link-local (169.254/16 with the cloud metadata address,
  fe80::/10), multicast, unspecified and reserved addresses never.
* Redirects are not followed.

URLs are checked when a webhook is registered (form, allowed hosts, IP literals and
``localhost``: no name is resolved then) and again at every delivery (after resolution).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from sandbox_tooling.config import Settings
from sandbox_tooling.webhook.errors import InvalidWebhookUrl, WebhookTargetRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL = 2048
# "This network": Linux connects 0.x.x.x to the local host.
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")


@dataclass(frozen=True)
class Policy:
    allow_private: bool = False
    allow_loopback: bool = False
    allowed_hosts: frozenset[str] = frozenset()

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(
            allow_private=settings.webhook_allow_private,
            allow_loopback=settings.webhook_allow_loopback,
            allowed_hosts=frozenset(
                h.strip().lower().strip("[]") for h in settings.webhook_allowed_hosts
            ),
        )


@dataclass(frozen=True)
class Target:
    """A checked URL: its parts, and the host as written (lower-cased, no brackets)."""

    url: str
    scheme: str
    host: str
    port: int
    path: str


def parse(url: str) -> Target:
    """An absolute http(s) URL without credentials or fragment (400 otherwise)."""
    if len(url) > MAX_URL:
        raise InvalidWebhookUrl(f"url: at most {MAX_URL} characters")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise InvalidWebhookUrl("url: must not contain spaces or control characters")
    try:
        parts: SplitResult = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidWebhookUrl(f"url: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidWebhookUrl("url: the scheme must be http or https")
    if parts.username is not None or parts.password is not None:
        raise InvalidWebhookUrl("url: must not carry credentials (user:password@)")
    if parts.fragment:
        raise InvalidWebhookUrl("url: must not have a fragment (#...)")
    host = (parts.hostname or "").lower()
    if not host:
        raise InvalidWebhookUrl("url: a host is required")
    if port == 0:
        raise InvalidWebhookUrl("url: port 0 is not a port")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(url, scheme, host, port or (443 if scheme == "https" else 80), path)


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def refusal(address: IPAddress, policy: Policy) -> str | None:
    """Why deliveries may not go to ``address`` (None: they may)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            return refusal(embedded, policy)
    if (
        address.is_unspecified
        or address.is_multicast
        or address.is_link_local
        or address in _THIS_NETWORK
    ):
        return f"{address} is an unspecified, multicast or link-local address"
    if address.is_loopback:
        return None if policy.allow_loopback else f"{address} is a loopback address"
    if address.is_reserved:
        return f"{address} is a reserved address"
    if not address.is_global:
        return None if policy.allow_private else f"{address} is a private address"
    return None


def _host_allowed(host: str, policy: Policy) -> None:
    if policy.allowed_hosts and host not in policy.allowed_hosts:
        raise WebhookTargetRefused(
            f"url: host '{host}' is not among the allowed webhook hosts (SBX_WEBHOOK_ALLOWED_HOSTS)"
        )


def check(url: str, policy: Policy) -> Target:
    """What can be checked without resolving a name (registration)."""
    target = parse(url)
    _host_allowed(target.host, policy)
    address = _literal(target.host)
    if address is None and (target.host == "localhost" or target.host.endswith(".localhost")):
        address = ipaddress.ip_address("127.0.0.1")
    if address is not None:
        reason = refusal(address, policy)
        if reason:
            raise WebhookTargetRefused(f"url: deliveries may not go to {reason}")
    return target


def resolve(url: str, policy: Policy) -> tuple[Target, IPAddress]:
    """The checked target and the address to connect to: every address the host resolves
    to must be allowed (WebhookTargetRefused otherwise, and when it does not resolve)."""
    target = check(url, policy)
    literal = _literal(target.host)
    if literal is not None:
        return target, literal
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise WebhookTargetRefused(f"url: host '{target.host}' does not resolve: {exc}") from None
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        reason = refusal(address, policy)
        if reason:
            raise WebhookTargetRefused(
                f"url: host '{target.host}' resolves to {reason}; deliveries may not go there"
            )
        addresses.append(address)
    if not addresses:
        raise WebhookTargetRefused(f"url: host '{target.host}' has no address")
    return target, addresses[0]
