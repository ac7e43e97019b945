"""A JSON diff as JSON-Patch-like operations with both values (SPEC §4.13 ``changes``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sandbox_tooling.kit import pointer


def diff(old: Any, new: Any, *, ignore: Iterable[str] = (), path: str = "") -> list[dict[str, Any]]:
    """Operations turning ``old`` into ``new``: ``add`` (newValue), ``remove`` (oldValue),
    ``replace`` (both). Objects are compared key by key, arrays position by position.
    ``ignore``: JSON pointers whose subtrees are left out."""
    skip = set(ignore)
    out: list[dict[str, Any]] = []
    _diff(old, new, path, skip, out)
    return out


def _diff(old: Any, new: Any, path: str, skip: set[str], out: list[dict[str, Any]]) -> None:
    if path in skip:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old:
            child = pointer.join(path, key)
            if key not in new:
                if child not in skip:
                    out.append({"op": "remove", "path": child, "oldValue": old[key]})
            else:
                _diff(old[key], new[key], child, skip, out)
        for key in new:
            if key not in old:
                child = pointer.join(path, key)
                if child not in skip:
                    out.append({"op": "add", "path": child, "newValue": new[key]})
    elif isinstance(old, list) and isinstance(new, list):
        common = min(len(old), len(new))
        for i in range(common):
            _diff(old[i], new[i], pointer.join(path, i), skip, out)
        for i in range(common, len(new)):
            out.append({"op": "add", "path": pointer.join(path, i), "newValue": new[i]})
        for i in range(len(old) - 1, common - 1, -1):
            out.append({"op": "remove", "path": pointer.join(path, i), "oldValue": old[i]})
    elif old != new or type(old) is not type(new):
        out.append({"op": "replace", "path": path, "oldValue": old, "newValue": new})
