"""The SSRF policy of webhook targets (pure: no name is resolved, nothing is connected)."""

from __future__ import annotations

import ipaddress

import pytest

from sandbox_tooling.config import Settings
from sandbox_tooling.webhook import targets
from sandbox_tooling.webhook.errors import InvalidWebhookUrl, WebhookTargetRefused

DEFAULT = targets.Policy()
PRIVATE = targets.Policy(allow_private=True)
LOOPBACK = targets.Policy(allow_loopback=True)


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"],
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert targets.refusal(ipaddress.ip_address(address), DEFAULT) is None


@pytest.mark.parametrize(
    ("address", "private", "loopback"),
    [
        ("10.1.2.3", True, False),
        ("172.16.0.1", True, False),
        ("192.168.1.1", True, False),
        ("100.64.0.1", True, False),  # carrier-grade NAT
        ("fd00::1", True, False),
        ("::ffff:10.0.0.1", True, False),  # IPv4-mapped
        ("2002:a00:1::1", True, False),  # 6to4 around 10.0.0.1
        ("127.0.0.1", False, True),
        ("127.8.9.10", False, True),
        ("::1", False, True),
    ],
)
def test_private_and_loopback_need_their_setting(
    address: str, private: bool, loopback: bool
) -> None:
    ip = ipaddress.ip_address(address)
    assert targets.refusal(ip, DEFAULT) is not None
    assert (targets.refusal(ip, PRIVATE) is None) is private
    assert (targets.refusal(ip, LOOPBACK) is None) is loopback


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",  # cloud metadata
        "fe80::1",
        "0.0.0.0",
        "0.1.2.3",
        "::",
        "224.0.0.1",
        "ff02::1",
        "240.0.0.1",
        "255.255.255.255",
    ],
)
def test_link_local_multicast_unspecified_reserved_are_never_allowed(address: str) -> None:
    everything = targets.Policy(allow_private=True, allow_loopback=True)
    assert targets.refusal(ipaddress.ip_address(address), everything) is not None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "example.com/hook",
        "http://user:pw@example.com/",
        "http://example.com/#x",
        "http://example.com:0/",
        "http://example.com:70000/",
        "http://exa mple.com/",
        "http://example.com/\x00",
        "http://" + "a" * 2050 + ".com/",
        "http:///path",
    ],
)
def test_malformed_urls(url: str) -> None:
    with pytest.raises(InvalidWebhookUrl):
        targets.parse(url)


def test_parse_defaults_ports_and_keeps_path_and_query() -> None:
    t = targets.parse("HTTPS://Hooks.Example.com/a/b?x=1")
    assert (t.scheme, t.host, t.port, t.path) == ("https", "hooks.example.com", 443, "/a/b?x=1")
    t = targets.parse("http://[::1]:8080")
    assert (t.host, t.port, t.path) == ("::1", 8080, "/")


def test_registration_checks_literals_and_localhost_without_resolving() -> None:
    assert targets.check("https://hooks.example.com/x", DEFAULT).host == "hooks.example.com"
    for url in ("http://10.0.0.1/", "http://localhost:8080/", "http://a.b.localhost/"):
        with pytest.raises(WebhookTargetRefused):
            targets.check(url, DEFAULT)
    assert targets.check("http://localhost:8080/", LOOPBACK).port == 8080


def test_allowed_hosts_are_the_only_hosts() -> None:
    policy = targets.Policy(allowed_hosts=frozenset({"hooks.example.com"}))
    targets.check("https://hooks.example.com/x", policy)
    with pytest.raises(WebhookTargetRefused, match="allowed webhook hosts"):
        targets.check("https://other.example.com/x", policy)


def test_resolve_of_a_literal_needs_no_lookup() -> None:
    target, address = targets.resolve("http://127.0.0.1:9/x", LOOPBACK)
    assert address == ipaddress.ip_address("127.0.0.1") and target.port == 9
    with pytest.raises(WebhookTargetRefused):
        targets.resolve("http://127.0.0.1:9/x", DEFAULT)


def test_policy_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SBX_WEBHOOK_ALLOWED_HOSTS", "Hooks.Example.com, [::1]")
    monkeypatch.setenv("SBX_WEBHOOK_ALLOW_PRIVATE", "true")
    policy = targets.Policy.of(Settings())
    assert policy.allowed_hosts == frozenset({"hooks.example.com", "::1"})
    assert policy.allow_private and not policy.allow_loopback
    monkeypatch.setenv("SBX_WEBHOOK_ALLOWED_HOSTS", '["a.example.com"]')
    assert targets.Policy.of(Settings()).allowed_hosts == frozenset({"a.example.com"})
