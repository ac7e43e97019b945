"""Redacting secrets from configuration documents, by structure and by value pattern.

A package snapshot must not carry credentials. ``redact`` returns a copy of a JSON document
in which:

* **By structure**, every value under a key that names a secret (its words include
  ``password``/``pass``/``pwd``, ``secret``, ``token``, ``key``, ``credential(s)``,
  ``signature``/``sig``, ``sas``, ``auth…``, ``cookie``, …: ``apiKey``, ``client_secret``,
  ``X-Api-Key``, ``privateKeyPem``, ``sasToken``, ``auth``) is replaced by ``PLACEHOLDER``,
  a whole subtree when the value is an object or array (an ``auth`` block), except the
  values of descriptive keys in it (``type``, ``specName``, ``…Mode``, ``…Version``). A
  ``{"name": "Authorization", "value": …}`` pair (HTTP headers, query parameters given as
  name/value objects) has its value replaced when the name names a secret.
* **By value**, every other string has its secret *parts* replaced, the rest kept: the
  password of a URL (``scheme://user:…@host``), secret query parameters (``sig=``,
  ``X-Amz-Signature=``, ``access_token=``, ``password=``), secret ``key=value`` parts of
  connection strings (``Password=``, ``Pwd=``, ``AccountKey=``, ``SharedAccessSignature=``,
  ``;``- or space-separated), the credentials of an ``Authorization`` value (``Bearer …``,
  ``Basic …``), PEM blocks, JWTs and well-known key formats (AWS access keys, GitHub,
  Slack, Google, Stripe tokens, 64-byte base64 account keys). A string holding a JSON object
  is redacted as one.

Keys that name a locator (``sasUri``, ``tokenUrl``, ``keyFile``) are judged by value, so a
SAS URL keeps its account, container and permissions and loses only ``sig``. Booleans and
nulls are never replaced (``useSasToken: true`` stays). Paths given in ``keep`` (JSON
pointers, e.g. references) keep their original values whatever they look like.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from sandbox_tooling.kit import pointer

PLACEHOLDER = "{{SBX_REDACTED_SECRET}}"

#: Words that name a secret wherever they occur in a key (``client_secret``, ``apiKey``).
SECRET_WORDS = frozenset(
    {
        "pass",
        "password",
        "passwd",
        "passphrase",
        "passcode",
        "pwd",
        "secret",
        "secrets",
        "token",
        "tokens",
        "key",
        "keys",
        "credential",
        "credentials",
        "creds",
        "signature",
        "sig",
        "sas",
        "auth",
        "authorization",
        "authentication",
        "authn",
        "cookie",
        "cookies",
        "bearer",
        "jwt",
        "pem",
        "otp",
        "hmac",
    }
)
#: Lower-case compounds that end (``apikey``, ``accesstoken``) or start (``tokenvalue``,
#: ``authheader``) with a secret word.
_SECRET_SUFFIXES = ("password", "passwd", "secret", "token", "key", "credentials", "signature")
_SECRET_PREFIXES = ("password", "passwd", "secret", "token", "credential", "signature", "auth")
_NOT_SECRET = frozenset({"author", "authors", "authored", "authority", "authorities"})
#: A key ending in one of these words describes a secret rather than holding one
#: (``authType``, ``specName``, ``tokenExpiry``, ``keySize``).
DESCRIPTIVE = frozenset(
    {
        "type",
        "types",
        "name",
        "names",
        "mode",
        "method",
        "kind",
        "scheme",
        "format",
        "version",
        "spec",
        "enabled",
        "required",
        "expiry",
        "expiration",
        "expires",
        "length",
        "size",
        "algorithm",
        "encoding",
    }
)
#: A key ending in one of these words locates something: its value is judged by content.
LOCATOR = frozenset(
    {"url", "urls", "uri", "uris", "endpoint", "host", "path", "file", "folder", "directory"}
)
_NAME_FIELDS = ("name", "key", "header", "headerName", "field", "parameter")
_VALUE_FIELDS = frozenset({"value", "values", "headerValue"})

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def words(name: str) -> list[str]:
    """``privateKeyPem`` → ``[private, key, pem]``; ``X-Amz-Signature`` → ``[x, amz,
    signature]``; ``SASToken`` → ``[sas, token]``."""
    spaced = _ACRONYM.sub(r"\1 \2", _CAMEL.sub(r"\1 \2", name))
    return [w for w in _SEPARATORS.split(spaced.lower()) if w]


def _secret_word(word: str) -> bool:
    if word in SECRET_WORDS:
        return True
    if word in _NOT_SECRET:
        return False
    return word.endswith(_SECRET_SUFFIXES) or word.startswith(_SECRET_PREFIXES)


def key_kind(name: str) -> str:
    """``secret``, ``descriptive``, ``locator`` or ``plain``."""
    parts = words(name)
    if not parts:
        return "plain"
    if parts[-1] in DESCRIPTIVE:
        return "descriptive"
    if parts[-1] in LOCATOR:
        return "locator"
    return "secret" if any(_secret_word(w) for w in parts) else "plain"


def is_secret_name(name: str) -> bool:
    return key_kind(name) == "secret"


# -- value patterns -----------------------------------------------------------------------------
_PEM = re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?(?:-----END [A-Z0-9 ]+-----|\Z)", re.DOTALL)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_KNOWN_TOKENS = re.compile(
    r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}"
    r"|\bgithub_pat_[A-Za-z0-9_]{40,}"
    r"|\bxox[abposr]-[A-Za-z0-9-]{10,}"
    r"|\bAIza[0-9A-Za-z_-]{35}"
    r"|\b[sr]k_(?:live|test)_[0-9A-Za-z]{16,}"
    r"|(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}=="
)
_AUTH_SCHEME = re.compile(
    r"^(\s*(?:Bearer|Basic|Token|ApiKey|Api-Key|SharedAccessSignature|SharedKey|OAuth|Hawk)"
    r"\s+)[A-Za-z0-9._~+/=:%&-]{6,}\s*$",
    re.IGNORECASE,
)
_URL_PASSWORD = re.compile(r"(?P<pre>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/@:]*):(?P<pw>[^\s/@]+)@")
_SEGMENT = re.compile(r"""(?:"[^"]*"|'[^']*'|\{[^}]*\}|[^;])+""")
_QUERY_PAIR = re.compile(r"(?P<pre>[?&](?P<key>[^=&#;\s]+)=)(?P<value>[^&#;\s]*)")
_SPACED_PAIR = re.compile(
    r"""(?P<pre>(?:^|(?<=\s))(?P<key>[A-Za-z_][\w.-]*)\s*=\s*)"""
    r"""(?P<value>'(?:[^'\\]|\\.)*'|"[^"]*"|[^\s'"]+)"""
)


def _pairs(pattern: re.Pattern[str], text: str) -> str:
    def sub(match: re.Match[str]) -> str:
        key, value = unquote(match.group("key")), match.group("value")
        if value and value != PLACEHOLDER and is_secret_name(key):
            return match.group("pre") + PLACEHOLDER
        return match.group(0)

    return pattern.sub(sub, text)


def _semicolon_pairs(text: str) -> str:
    def sub(match: re.Match[str]) -> str:
        segment = match.group(0)
        key, eq, value = segment.partition("=")
        if eq and value.strip() and is_secret_name(key.strip()):
            return f"{key}={PLACEHOLDER}"
        return segment

    return _SEGMENT.sub(sub, text)


def redact_text(text: str) -> str:
    """``text`` with the secret parts found by pattern replaced (the rest kept)."""
    if len(text) < 6:
        return text
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if isinstance(document, dict):
            redacted = redact(document)
            return text if redacted == document else json.dumps(redacted)
    out = _PEM.sub(PLACEHOLDER, text)
    out = _JWT.sub(PLACEHOLDER, out)
    out = _KNOWN_TOKENS.sub(PLACEHOLDER, out)
    out = _AUTH_SCHEME.sub(lambda m: m.group(1) + PLACEHOLDER, out)
    if "://" in out:
        out = _URL_PASSWORD.sub(lambda m: f"{m.group('pre')}:{PLACEHOLDER}@", out)
    if "=" in out:
        if ";" in out:
            out = _semicolon_pairs(out)
        out = _pairs(_QUERY_PAIR, out)
        out = _pairs(_SPACED_PAIR, out)
    return out


# -- structure ----------------------------------------------------------------------------------
def _scalar(value: Any, forced: bool) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if forced:
        return PLACEHOLDER
    return redact_text(value) if isinstance(value, str) else value


def _walk(node: Any, forced: bool) -> Any:
    if isinstance(node, dict):
        # A name/value pair ({"name": "Authorization", "value": ...}): the name is kept,
        # the value is a secret when the name names one.
        pair = not _VALUE_FIELDS.isdisjoint(node)
        secret_values: frozenset[str] = frozenset()
        if pair:
            for field in _NAME_FIELDS:
                named = node.get(field)
                if isinstance(named, str) and is_secret_name(named):
                    secret_values = _VALUE_FIELDS
                    break
        out: dict[str, Any] = {}
        for key, value in node.items():
            kind = "descriptive" if pair and key in _NAME_FIELDS else key_kind(key)
            child_forced = forced or kind == "secret" or key in secret_values
            if isinstance(value, dict | list):
                out[key] = _walk(value, child_forced)
            elif kind == "descriptive" and key not in secret_values:
                out[key] = _scalar(value, False)
            else:
                out[key] = _scalar(value, child_forced)
        return out
    if isinstance(node, list):
        return [
            _walk(v, forced) if isinstance(v, dict | list) else _scalar(v, forced) for v in node
        ]
    return _scalar(node, forced)


def redact(document: Any, *, keep: Iterable[str] = ()) -> Any:
    """A copy of ``document`` with its secrets replaced by ``PLACEHOLDER`` (see the module
    text). ``keep``: JSON pointers whose original values are kept."""
    out = _walk(document, False)
    for path in keep:
        try:
            pointer.set_(out, path, pointer.get(document, path))
        except (KeyError, IndexError, ValueError, TypeError):
            continue
    return out
