"""What input may carry: the values no storage or later step can hold.

Strings: no NUL character (PostgreSQL text and JSONB cannot hold one), no lone surrogate
(not encodable as UTF-8). Integers: within the signed 64-bit range. For JSON bodies,
``find_problem`` walks a parsed document once and names the first value that is refused:
a NUL character (PostgreSQL text and JSONB cannot hold one) or a lone surrogate (not
encodable as UTF-8) in a string or a key, ``NaN``/``Infinity`` (not JSON; also ``1e400``,
which parses as infinity), an integer outside the signed 64-bit range (no column or JSON
serializer of ours holds it), nesting deeper than ``MAX_DEPTH``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: Deeper documents would exhaust the recursion of the parser and of tree walks downstream.
MAX_DEPTH = 512
_SURROGATE = re.compile("[\ud800-\udfff]")
#: A decimal integer as query strings write one (ASCII digits only: ``int`` accepts others).
INT_TEXT = re.compile(r"\s*[+-]?[0-9]+\s*")


def int64_problem(value: int) -> str | None:
    if INT64_MIN <= value <= INT64_MAX:
        return None
    return int_text_problem(str(value))


def int_text_problem(text: str) -> str | None:
    """For a decimal integer written as ``text`` (matching ``INT_TEXT``): why it is refused
    (outside the signed 64-bit range), or None. Long numbers are judged by their length,
    never converted."""
    text = text.strip()
    digits = text.lstrip("+-").lstrip("0")
    if len(digits) <= 18 or (len(digits) == 19 and INT64_MIN <= int(text) <= INT64_MAX):
        return None
    shown = text if len(text) <= 40 else text[:20] + "…" + text[-8:]
    return f"integer {shown} is outside the signed 64-bit range"


def text_problem(value: str) -> str | None:
    """Why a string cannot be stored, or None."""
    if "\x00" in value:
        return "contains a NUL character"
    if not value.isascii() and _SURROGATE.search(value):
        return "contains a lone surrogate (not valid Unicode)"
    return None


def dotted(path: tuple[str | int, ...], root: str = "body") -> str:
    """``("a", 0, "b")`` as ``a[0].b``, the form of the error messages."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or root


def _scalar_problem(value: Any) -> str | None:
    kind = type(value)
    if kind is str:
        return text_problem(value)
    if kind is int:
        return int64_problem(value)
    if kind is float and not math.isfinite(value):
        return "NaN and Infinity are not JSON numbers"
    return None


def find_problem(document: Any) -> tuple[str, str] | None:
    """The first refused value of a parsed JSON document as ``(dotted path, message)``."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_DEPTH:
            return "body", f"nested deeper than {MAX_DEPTH} levels"
        items: Any
        if type(node) is dict:
            items = node.items()
        elif type(node) is list:
            items = enumerate(node)
        else:
            problem = _scalar_problem(node)
            if problem:
                return dotted(path), problem
            continue
        for key, value in items:
            if type(key) is str:
                problem = text_problem(key)
                if problem:
                    return dotted(path), f"key {key!r} {problem}"
            if type(value) is dict or type(value) is list:
                stack.append((value, (*path, key)))
            else:
                problem = _scalar_problem(value)
                if problem:
                    return dotted((*path, key)), problem
    return None


def check_json(body: bytes) -> tuple[str, str] | None:
    """Parse ``body`` as JSON (as the framework will) and find a refused value. Malformed
    JSON is not reported here: the framework's parser names its position."""
    try:
        document = json.loads(body)
    except RecursionError:
        return "body", f"nested deeper than {MAX_DEPTH} levels"
    except json.JSONDecodeError:
        return None
    except ValueError as exc:  # not UTF-8, an integer of thousands of digits
        return "body", str(exc)
    return find_problem(document)
