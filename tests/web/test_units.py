"""Unit tests of the console's pure parts: the two-column diff, the graph's JSON, the plan."""

from __future__ import annotations

from typing import Any

from sandbox_tooling.kit.jsondiff import diff
from sandbox_tooling.web.diff import apply_changes, object_diff, side_by_side


class TestDiff:
    def test_apply_changes_rebuilds_the_new_side(self) -> None:
        old: dict[str, Any] = {
            "title": "Tier",
            "properties": {"a": {"type": "string"}, "gone": {"type": "string"}},
            "enum": ["x", "y", "z"],
            "meta:extends": ["p"],
        }
        new: dict[str, Any] = {
            "title": "Tier",
            "properties": {"a": {"type": "integer"}, "b/c~d": {"type": "string"}},
            "enum": ["x"],
            "meta:extends": ["p", "q", "r"],
            "description": "added",
        }
        assert apply_changes(old, diff(old, new)) == new
        assert old["enum"] == ["x", "y", "z"]  # the input is left alone

    def test_side_by_side_marks_changed_lines_and_folds_the_rest(self) -> None:
        old = {f"k{i:02d}": i for i in range(30)}
        new = {**old, "k15": "fifteen"}
        new.pop("k20")
        lines = side_by_side(old, new, context=2)
        changed = [ln for ln in lines if ln.kind == "changed"]
        assert [(ln.old.strip(), ln.new.strip()) for ln in changed] == [
            ('"k15": 15,', '"k15": "fifteen",')
        ]
        removed = [ln for ln in lines if ln.kind == "removed"]
        assert [ln.old.strip() for ln in removed] == ['"k20": 20,']
        assert removed[0].new_no is None and removed[0].new == ""
        gaps = [ln for ln in lines if ln.kind == "gap"]
        assert gaps and all("unchanged lines" in g.old for g in gaps)
        assert len(lines) < 20

    def test_object_diff_without_the_target_keeps_the_change_list(self) -> None:
        delta = {
            "sourceArtifact": {"id": "s", "type": "REGISTRY_MIXIN", "title": "Loyalty"},
            "targetArtifact": {"id": "t", "type": "REGISTRY_MIXIN", "title": "Loyalty"},
            "changes": [{"op": "add", "path": "/x", "newValue": 1}],
            "unsupportedChanges": [{"path": "/y", "message": "removes a field"}],
        }
        d = object_diff(delta, None)
        assert d.lines == [] and d.changes and d.unsupported[0]["path"] == "/y"
        d = object_diff(delta, {"title": "Loyalty"})
        assert [ln.kind for ln in d.lines if ln.kind != "equal"] == ["changed", "added"]

    def test_a_target_changed_since_the_compare_still_shows_the_changes(self) -> None:
        delta = {"changes": [{"op": "remove", "path": "/a/b/c", "oldValue": 1}]}
        d = object_diff(delta, {"a": 1})
        assert d.lines == [] and len(d.changes) == 1


class TestGraphJson:
    def _json(self, state, n: int) -> dict[str, Any]:
        from types import SimpleNamespace

        from sandbox_tooling.web.graph import Graph, graph_json

        nodes = [
            ("REGISTRY_SCHEMA" if i % 2 else "CATALOG_DATASET", f"id{i}", f"t{i}") for i in range(n)
        ]
        edges = [(i, i - 1) for i in range(1, n, 2)]  # each schema's dataset... and back
        graph = Graph(nodes, edges, {nodes[0][:2]})
        return graph_json(SimpleNamespace(rt=state), graph)

    def test_small_graphs_are_drawn_whole(self, state) -> None:
        data = self._json(state, 40)
        assert data["collapse"] is False and len(data["nodes"]) == 40 and not data["typesOnly"]
        assert data["types"]["REGISTRY_SCHEMA"] == {
            "label": "XDM schema",
            "color": "#2563eb",
            "count": 20,
        }

    def test_large_graphs_start_collapsed_and_huge_ones_send_types_only(self, state) -> None:
        assert self._json(state, 301)["collapse"] is True
        data = self._json(state, 10_001)
        assert data["typesOnly"] and data["nodes"] == [] and data["edges"] == []
        assert data["typeEdges"] == [["REGISTRY_SCHEMA", "CATALOG_DATASET", 5_000]]
