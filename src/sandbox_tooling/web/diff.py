"""Two-column diffs of an object, rendered from sbx's own compare result (``changes``:
``op``/``path``/``oldValue``/``newValue``), so the console shows what the API answers.

The old side is the target object as it is; the new side is the old side with the changes
applied. Both are pretty-printed (sorted keys, two-space indent) and aligned line by line;
changed lines are marked.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from sandbox_tooling.kit import pointer

Kind = Literal["equal", "changed", "added", "removed", "gap"]


@dataclass(frozen=True)
class Line:
    kind: Kind
    old_no: int | None
    old: str
    new_no: int | None
    new: str


def _parent(doc: Any, path: str) -> tuple[Any, str]:
    head, _, last = path.rpartition("/")
    parent = pointer.get(doc, head) if head else doc
    return parent, last.replace("~1", "/").replace("~0", "~")


def apply_changes(old: Any, changes: list[dict[str, Any]]) -> Any:
    """``old`` with the compare's operations applied (in their order: array removals come
    last index first)."""
    doc = copy.deepcopy(old)
    for change in changes:
        op, path = change.get("op"), str(change.get("path", ""))
        if path == "":
            doc = copy.deepcopy(change.get("newValue"))
            continue
        parent, key = _parent(doc, path)
        if op == "remove":
            if isinstance(parent, list):
                parent.pop(int(key))
            else:
                parent.pop(key, None)
        elif isinstance(parent, list) and op == "add" and int(key) >= len(parent):
            parent.append(copy.deepcopy(change.get("newValue")))
        elif isinstance(parent, list):
            parent[int(key)] = copy.deepcopy(change.get("newValue"))
        else:
            parent[key] = copy.deepcopy(change.get("newValue"))
    return doc


def pretty_lines(value: Any) -> list[str]:
    text = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
    return text.splitlines()


def side_by_side(old: Any, new: Any, context: int = 3) -> list[Line]:
    """The two documents aligned: equal runs longer than ``2 * context`` lines are folded to
    a ``gap`` line."""
    a, b = pretty_lines(old), pretty_lines(new)
    out: list[Line] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            n = i2 - i1
            keep = range(n) if n <= 2 * context else [*range(context), *range(n - context, n)]
            previous = -1
            for k in keep:
                if previous >= 0 and k != previous + 1:
                    out.append(Line("gap", None, f"… {k - previous - 1} unchanged lines", None, ""))
                out.append(Line("equal", i1 + k + 1, a[i1 + k], j1 + k + 1, b[j1 + k]))
                previous = k
            continue
        rows = max(i2 - i1, j2 - j1)
        for k in range(rows):
            has_old, has_new = i1 + k < i2, j1 + k < j2
            kind: Kind = "changed" if has_old and has_new else ("removed" if has_old else "added")
            out.append(
                Line(
                    kind,
                    i1 + k + 1 if has_old else None,
                    a[i1 + k] if has_old else "",
                    j1 + k + 1 if has_new else None,
                    b[j1 + k] if has_new else "",
                )
            )
    return out


@dataclass
class ObjectDiff:
    """One object of a compare: its two sides aligned, the operations, what an update
    refuses."""

    type: str
    source_id: str
    title: str
    target_id: str
    target_title: str
    changes: list[dict[str, Any]]
    unsupported: list[dict[str, Any]]
    lines: list[Line]


def object_diff(delta: dict[str, Any], target_definition: Any | None) -> ObjectDiff:
    source, target = delta.get("sourceArtifact", {}), delta.get("targetArtifact", {})
    changes = list(delta.get("changes", []))
    lines: list[Line] = []
    if target_definition is not None:
        try:
            lines = side_by_side(target_definition, apply_changes(target_definition, changes))
        except (KeyError, IndexError, ValueError, TypeError):
            lines = []  # the target changed since the compare: the change list still shows
    return ObjectDiff(
        type=str(source.get("type", "")),
        source_id=str(source.get("id", "")),
        title=str(source.get("title") or source.get("id", "")),
        target_id=str(target.get("id", "")),
        target_title=str(target.get("title") or target.get("id", "")),
        changes=changes,
        unsupported=list(delta.get("unsupportedChanges", [])),
        lines=lines,
    )
