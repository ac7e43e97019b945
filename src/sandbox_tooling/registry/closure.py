"""Dependency closures (SPEC §6.2): transitive, cycle-safe, a bounded number of queries per level.

Each level costs one query for the frontier's objects and one for the objects attached to
them (descriptors travel with the schema they describe), whatever the level's size (ids are
sent in chunks of ``repository.CHUNK``).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.registry import ArtifactTypeRegistry
from sandbox_tooling.artifact_type.spec import Reference
from sandbox_tooling.errors import BadRequest
from sandbox_tooling.models import RegistryObject
from sandbox_tooling.registry import repository

Key = tuple[str, str]


@dataclass
class Node:
    obj: RegistryObject
    refs: list[Reference]

    @property
    def key(self) -> Key:
        return (self.obj.type, self.obj.object_id)


@dataclass
class Closure:
    nodes: dict[Key, Node] = field(default_factory=dict)
    missing: list[Key] = field(default_factory=list)
    attached: dict[Key, set[Key]] = field(default_factory=lambda: defaultdict(set))
    queries: int = 0

    def children(self, key: Key) -> list[Key]:
        """Direct dependents in the package graph (what ``/children`` lists)."""
        node = self.nodes[key]
        out = {(r.type, r.id) for r in node.refs if not r.attach and (r.type, r.id) in self.nodes}
        out |= self.attached.get(key, set())
        return sorted(out)

    def edges(self) -> list[tuple[Key, Key]]:
        return [(k, c) for k in self.nodes for c in self.children(k)]

    def order(self) -> list[Key]:
        """Dependencies before dependents; members of a reference cycle keep discovery order."""
        needs: dict[Key, set[Key]] = {
            k: {
                (r.type, r.id)
                for r in n.refs
                if (r.type, r.id) in self.nodes and (r.type, r.id) != k
            }
            for k, n in self.nodes.items()
        }
        users: dict[Key, list[Key]] = defaultdict(list)
        for k, deps in needs.items():
            for d in deps:
                users[d].append(k)
        remaining = {k: len(d) for k, d in needs.items()}
        ready = deque(k for k in self.nodes if remaining[k] == 0)
        out: list[Key] = []
        placed: set[Key] = set()
        while len(out) < len(self.nodes):
            if not ready:
                # A cycle: release the first unplaced node in discovery order.
                ready.append(next(k for k in self.nodes if k not in placed))
            k = ready.popleft()
            if k in placed:
                continue
            placed.add(k)
            out.append(k)
            for u in users[k]:
                remaining[u] -= 1
                if remaining[u] == 0 and u not in placed:
                    ready.append(u)
        return out


def _node(registry: ArtifactTypeRegistry, obj: RegistryObject) -> Node:
    refs = [r for r in registry.get(obj.type).references(obj.definition) if not r.standard]
    return Node(obj, refs)


def closure(
    session: Session,
    registry: ArtifactTypeRegistry,
    sandbox_id: str,
    roots: Sequence[Key],
    *,
    max_size: int,
) -> Closure:
    result = Closure()
    frontier: set[Key] = set(roots)
    preloaded: dict[Key, RegistryObject] = {}
    while frontier:
        to_fetch = {k[1] for k in frontier if k not in preloaded}
        found: dict[Key, RegistryObject] = {
            k: preloaded.pop(k) for k in list(frontier) if k in preloaded
        }
        if to_fetch:
            result.queries += 1
            for fetched in repository.by_ids(session, sandbox_id, to_fetch):
                found[(fetched.type, fetched.object_id)] = fetched
        level: list[Key] = []
        for key in sorted(frontier):
            obj = found.get(key)
            if obj is None:
                result.missing.append(key)
                continue
            result.nodes[key] = _node(registry, obj)
            level.append(key)
        if len(result.nodes) > max_size:
            raise BadRequest(f"the dependency closure holds more than {max_size} objects")
        nxt: set[Key] = set()
        for key in level:
            for ref in result.nodes[key].refs:
                nxt.add((ref.type, ref.id))
        if level:
            result.queries += 1
            for t_type, t_id, obj in repository.attached_to(
                session, sandbox_id, [i for _, i in level]
            ):
                target = (t_type, t_id)
                if target not in result.nodes:
                    continue
                child = (obj.type, obj.object_id)
                result.attached[target].add(child)
                if child not in result.nodes:
                    preloaded[child] = obj
                    nxt.add(child)
        missing = set(result.missing)
        frontier = {k for k in nxt if k not in result.nodes and k not in missing}
    return result


def whole_sandbox(
    session: Session, registry: ArtifactTypeRegistry, sandbox_id: str, types: Iterable[str]
) -> Closure:
    """Every object of the given types: the closure of a FULL package."""
    result = Closure(queries=1)
    for obj in repository.all_of_types(session, sandbox_id, sorted(types)):
        node = _node(registry, obj)
        result.nodes[node.key] = node
    for key, node in result.nodes.items():
        for ref in node.refs:
            target = (ref.type, ref.id)
            if ref.attach and target in result.nodes:
                result.attached[target].add(key)
    return result
