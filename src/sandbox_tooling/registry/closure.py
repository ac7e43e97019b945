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

from sandbox_tooling.artifact_type.plugins import ArtifactTypes
from sandbox_tooling.artifact_type.spec import Reference
from sandbox_tooling.errors import BadRequest
from sandbox_tooling.registry import repository
from sandbox_tooling.registry.repository import ObjectRow

Key = tuple[str, str]


class ClosureTooLarge(BadRequest):
    """The dependency closure exceeds ``SBX_MAX_CLOSURE_SIZE`` objects."""


@dataclass
class Node:
    obj: ObjectRow
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
        """Dependencies before dependents (Kahn); a reference cycle is broken by releasing its
        first member in discovery order. Linear in nodes plus references."""
        remaining: dict[Key, int] = {}
        users: dict[Key, list[Key]] = defaultdict(list)
        for key, node in self.nodes.items():
            deps = {(r.type, r.id) for r in node.refs}
            deps.discard(key)
            deps &= self.nodes.keys()
            remaining[key] = len(deps)
            for dep in deps:
                users[dep].append(key)
        ready = deque(k for k, n in remaining.items() if n == 0)
        placed: set[Key] = set()
        out: list[Key] = []
        discovery = iter(self.nodes)
        while len(out) < len(self.nodes):
            if not ready:
                ready.append(next(k for k in discovery if k not in placed))
            key = ready.popleft()
            if key in placed:
                continue
            placed.add(key)
            out.append(key)
            for user in users[key]:
                remaining[user] -= 1
                if remaining[user] == 0 and user not in placed:
                    ready.append(user)
        return out


def _node(types: ArtifactTypes, obj: ObjectRow) -> Node:
    refs = [r for r in types.get(obj.type).references(obj.definition) if not r.standard]
    return Node(obj, refs)


def closure(
    session: Session,
    types: ArtifactTypes,
    sandbox_id: str,
    roots: Sequence[Key],
    *,
    max_size: int,
) -> Closure:
    result = Closure()
    frontier: set[Key] = set(roots)
    preloaded: dict[Key, ObjectRow] = {}
    while frontier:
        to_fetch = {k[1] for k in frontier if k not in preloaded}
        found: dict[Key, ObjectRow] = {
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
            result.nodes[key] = _node(types, obj)
            level.append(key)
        if len(result.nodes) > max_size:
            raise ClosureTooLarge(f"the dependency closure holds more than {max_size} objects")
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
    session: Session, types: ArtifactTypes, sandbox_id: str, names: Iterable[str]
) -> Closure:
    """Every object of the types named: the closure of a FULL package."""
    result = Closure(queries=1)
    for obj in repository.all_of_types(session, sandbox_id, sorted(names)):
        node = _node(types, obj)
        result.nodes[node.key] = node
    for key, node in result.nodes.items():
        for ref in node.refs:
            target = (ref.type, ref.id)
            if ref.attach and target in result.nodes:
                result.attached[target].add(key)
    return result
