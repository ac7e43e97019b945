"""A package's dependency closure as a graph: from the latest snapshot's manifest once
published, else computed from the source sandbox (a DRAFT). Served as JSON to the page's
cytoscape view, and as the closure table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sandbox_tooling.models import Package
from sandbox_tooling.models.enums import PackageType
from sandbox_tooling.package import service as package_service
from sandbox_tooling.package import snapshot
from sandbox_tooling.web.context import Console

#: One colour per built-in type (the graph's nodes, the dots beside titles); others get grey.
TYPE_COLORS = {
    "REGISTRY_SCHEMA": "#2563eb",
    "REGISTRY_MIXIN": "#0891b2",
    "REGISTRY_DATATYPE": "#0d9488",
    "REGISTRY_CLASS": "#7c3aed",
    "REGISTRY_DESCRIPTOR": "#64748b",
    "ID_NAMESPACE": "#ca8a04",
    "CATALOG_DATASET": "#16a34a",
    "PROFILE_SEGMENT": "#db2777",
    "PROFILE_MERGE": "#be185d",
    "FLOW": "#ea580c",
    "MAPPING_SET": "#a16207",
    "DULE_CONSENT_POLICY": "#dc2626",
    "JOURNEY": "#9333ea",
}
OTHER_COLOR = "#6b7280"
#: The order types are listed in (tabs, legends): the XDM building blocks first.
TYPE_ORDER = tuple(TYPE_COLORS)
#: Above this many objects the graph starts collapsed by type (one node per type).
COLLAPSE_ABOVE = 300
#: Above this many, only the types are sent (with counts and the edges between types): the
#: browser would spend seconds on the objects; the closure table lists them.
TYPES_ONLY_ABOVE = 10_000


@dataclass
class Graph:
    """Nodes ``(type, id, title)``, edges as index pairs (parent depends on child), roots."""

    nodes: list[tuple[str, str, str]] = field(default_factory=list)
    edges: list[tuple[int, int]] = field(default_factory=list)
    roots: set[tuple[str, str]] = field(default_factory=set)
    source: str = "snapshot"
    version: int | None = None
    problem: str | None = None

    def counts(self) -> Counter[str]:
        return Counter(t for t, _i, _title in self.nodes)


def package_graph(c: Console, pkg: Package) -> Graph:
    """The closure of the latest version, or of the source sandbox now for a DRAFT. A FULL
    DRAFT is the whole sandbox: its graph waits for the snapshot (``problem`` says so)."""
    from sandbox_tooling.errors import AppError

    roots = {(a["type"], a["id"]) for a in pkg.artifacts}
    version = package_service.latest_version(c.session, pkg.id)
    if version is not None:
        manifest = snapshot.read_manifest(c.rt.blobs, version)
        nodes = [(a["type"], a["id"], a["title"]) for a in manifest["artifacts"]]
        if manifest.get("packageType") == PackageType.FULL:
            roots = {(t, i) for t, i, _ in nodes}
        return Graph(
            nodes,
            [(a, b) for a, b in manifest["edges"]],
            roots,
            "snapshot",
            version.package_version,
        )
    if pkg.package_type == PackageType.FULL:
        return Graph(
            source="sandbox",
            problem="A FULL package holds the whole source sandbox; its graph is drawn from "
            "the snapshot once it is published.",
        )
    try:
        cl = package_service.package_closure(c.session, c.rt, pkg)
    except AppError as exc:
        return Graph(roots=roots, source="sandbox", problem=f"{type(exc).__name__}: {exc.detail}")
    keys = list(cl.nodes)
    position = {k: i for i, k in enumerate(keys)}
    nodes = [(k[0], k[1], cl.nodes[k].obj.title) for k in keys]
    edges = [(position[a], position[b]) for a, b in cl.edges()]
    return Graph(nodes, edges, roots, "sandbox")


def graph_json(c: Console, graph: Graph) -> dict[str, Any]:
    types = c.rt.types
    counts = graph.counts()
    types_only = len(graph.nodes) > TYPES_ONLY_ABOVE
    type_edges: dict[tuple[str, str], int] = {}
    if types_only:
        for a, b in graph.edges:
            key = (graph.nodes[a][0], graph.nodes[b][0])
            if key[0] != key[1]:
                type_edges[key] = type_edges.get(key, 0) + 1
    return {
        "nodes": []
        if types_only
        else [
            {"i": n, "type": t, "id": i, "label": title, "root": (t, i) in graph.roots}
            for n, (t, i, title) in enumerate(graph.nodes)
        ],
        "edges": [] if types_only else graph.edges,
        "typeEdges": [[a, b, n] for (a, b), n in sorted(type_edges.items())],
        "typesOnly": types_only,
        "types": {
            t: {
                "label": types.get(t).label if t in types else t,
                "color": TYPE_COLORS.get(t, OTHER_COLOR),
                "count": n,
            }
            for t, n in sorted(counts.items())
        },
        "collapse": len(graph.nodes) > COLLAPSE_ABOVE,
        "source": graph.source,
        "problem": graph.problem,
    }


def ordered(names: Iterable[str]) -> list[str]:
    """Type names in the console's order (unknown ones last, by name)."""
    rank = {t: i for i, t in enumerate(TYPE_ORDER)}
    return sorted(names, key=lambda t: (rank.get(t, len(rank)), t))
