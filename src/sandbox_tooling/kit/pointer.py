"""JSON Pointer (RFC 6901) helpers used to locate and rewrite references in definitions."""

from __future__ import annotations

import re
from typing import Any

#: RFC 6901: empty, or ``/``-prefixed tokens in which ``~`` is only ``~0`` or ``~1``.
_POINTER = re.compile(r"(/([^~/]|~[01])*)*")


def escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join(base: str, *tokens: str | int) -> str:
    return base + "".join("/" + escape(t) for t in tokens)


def is_pointer(value: str) -> bool:
    return _POINTER.fullmatch(value) is not None


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def get(document: Any, pointer: str) -> Any:
    node = document
    for token in _tokens(pointer):
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def set_(document: Any, pointer: str, value: Any) -> None:
    tokens = _tokens(pointer)
    if not tokens:
        raise ValueError("cannot replace the whole document")
    parent = (
        get(document, "/" + "/".join(escape(t) for t in tokens[:-1]))
        if len(tokens) > 1
        else document
    )
    last = tokens[-1]
    if isinstance(parent, list):
        parent[int(last)] = value
    else:
        parent[last] = value


def to_dotted(pointer: str) -> str:
    """``/a/0/b`` to ``a[0].b``, the form used in error messages."""
    out = ""
    for token in _tokens(pointer):
        if token.isdigit():
            out += f"[{token}]"
        else:
            out += ("." if out else "") + token
    return out or "(root)"
