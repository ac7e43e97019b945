"""Unit tests of the JSON diff: add/remove/replace with both values, arrays by position,
pointer escaping, ignored subtrees."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sandbox_tooling.kit import pointer
from sandbox_tooling.kit.jsondiff import diff


def apply(doc: Any, ops: list[dict[str, Any]]) -> Any:
    """Apply the operations in order (RFC 6902 semantics), to check they are replayable."""
    for op in ops:
        tokens = op["path"].split("/")
        parent_path, last = "/".join(tokens[:-1]), tokens[-1].replace("~1", "/").replace("~0", "~")
        if op["path"] == "":
            doc = op["newValue"]
            continue
        parent = pointer.get(doc, parent_path)
        if op["op"] == "remove":
            del parent[int(last) if isinstance(parent, list) else last]
        elif op["op"] == "add" and isinstance(parent, list):
            parent.insert(int(last), op["newValue"])
        else:
            parent[int(last) if isinstance(parent, list) else last] = op["newValue"]
    return doc


class TestObjects:
    def test_equal_documents_have_no_changes(self) -> None:
        doc = {"a": [1, {"b": None}], "c": "x"}
        assert diff(doc, {"a": [1, {"b": None}], "c": "x"}) == []
        assert diff({}, {}) == []

    def test_add_remove_replace(self) -> None:
        old = {"keep": 1, "change": "a", "drop": [1, 2]}
        new = {"keep": 1, "change": "b", "extra": {"x": 1}}
        assert diff(old, new) == [
            {"op": "replace", "path": "/change", "oldValue": "a", "newValue": "b"},
            {"op": "remove", "path": "/drop", "oldValue": [1, 2]},
            {"op": "add", "path": "/extra", "newValue": {"x": 1}},
        ]

    def test_nested_paths_are_escaped_pointers(self) -> None:
        old = {"definitions": {"a/b": {"m~n": 1}}}
        new = {"definitions": {"a/b": {"m~n": 2}}}
        assert diff(old, new) == [
            {"op": "replace", "path": "/definitions/a~1b/m~0n", "oldValue": 1, "newValue": 2}
        ]

    @pytest.mark.parametrize(
        ("old", "new"),
        [(1, 1.0), (True, 1), (0, False), ("1", 1), ({}, []), ([], {}), (None, {})],
    )
    def test_type_changes_are_replacements(self, old: Any, new: Any) -> None:
        assert diff({"v": old}, {"v": new}) == [
            {"op": "replace", "path": "/v", "oldValue": old, "newValue": new}
        ]

    def test_whole_document_replaced(self) -> None:
        assert diff(1, 2) == [{"op": "replace", "path": "", "oldValue": 1, "newValue": 2}]

    def test_base_path(self) -> None:
        assert diff({"a": 1}, {"a": 2}, path="/root") == [
            {"op": "replace", "path": "/root/a", "oldValue": 1, "newValue": 2}
        ]


class TestArrays:
    def test_compared_by_position(self) -> None:
        assert diff([1, 2, 3], [1, 5]) == [
            {"op": "replace", "path": "/1", "oldValue": 2, "newValue": 5},
            {"op": "remove", "path": "/2", "oldValue": 3},
        ]

    def test_appended_items_are_added_in_order(self) -> None:
        assert diff({"l": [1]}, {"l": [1, 2, 3]}) == [
            {"op": "add", "path": "/l/1", "newValue": 2},
            {"op": "add", "path": "/l/2", "newValue": 3},
        ]

    def test_removals_run_from_the_end(self) -> None:
        ops = diff({"l": ["a", "b", "c"]}, {"l": ["a"]})
        assert ops == [
            {"op": "remove", "path": "/l/2", "oldValue": "c"},
            {"op": "remove", "path": "/l/1", "oldValue": "b"},
        ]

    def test_insertion_at_the_front_shifts_everything(self) -> None:
        # positions, not identities: an inserted first item replaces each and adds the last
        assert diff(["b", "c"], ["a", "b", "c"]) == [
            {"op": "replace", "path": "/0", "oldValue": "b", "newValue": "a"},
            {"op": "replace", "path": "/1", "oldValue": "c", "newValue": "b"},
            {"op": "add", "path": "/2", "newValue": "c"},
        ]

    @pytest.mark.parametrize(
        ("old", "new"),
        [
            ({"a": [1, 2, 3], "b": {"c": 1}}, {"a": [4], "b": {"d": 2}}),
            ([{"x": 1}, {"y": 2}], [{"x": 2}]),
            ({"l": []}, {"l": [[1], {"k": "v"}]}),
        ],
    )
    def test_operations_replay_old_into_new(self, old: Any, new: Any) -> None:
        assert apply(copy.deepcopy(old), diff(old, new)) == new


class TestIgnore:
    def test_ignored_subtree_is_left_out(self) -> None:
        old = {"meta": {"v": 1, "w": 1}, "title": "a"}
        new = {"meta": {"v": 2}, "title": "b"}
        assert diff(old, new, ignore=["/meta"]) == [
            {"op": "replace", "path": "/title", "oldValue": "a", "newValue": "b"}
        ]

    def test_ignored_added_and_removed_keys(self) -> None:
        assert diff({"gone": 1}, {"new": 2}, ignore=["/gone", "/new"]) == []

    def test_ignore_is_exact_not_a_prefix(self) -> None:
        old = {"meta": {"v": 1}, "metadata": 1}
        new = {"meta": {"v": 2}, "metadata": 2}
        assert diff(old, new, ignore=["/meta/v"]) == [
            {"op": "replace", "path": "/metadata", "oldValue": 1, "newValue": 2}
        ]

    def test_ignored_array_item(self) -> None:
        assert diff({"l": [1, 2]}, {"l": [9, 3]}, ignore=("/l/0",)) == [
            {"op": "replace", "path": "/l/1", "oldValue": 2, "newValue": 3}
        ]
