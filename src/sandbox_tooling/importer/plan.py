"""What an import does with each artifact of a snapshot, decided from the manifest alone.

* ``SUBSTITUTE``: mapped in ``alternatives``; the target object is used, nothing created.
* ``EXISTS``: an identity namespace whose code the target already has.
* ``REUSE``: a type reused by title (schemas, field groups, data types, audiences) whose
  title the target already has (PARTIAL packages only); with ``reuse_dependencies`` (express
  copy), any dependency of a type and title the target has (of a type that may be a root:
  descriptors and mapping sets travel with the objects using them).
* ``CREATE``: a new object with a new native id.
* ``SKIP``: needed only by objects that are substituted or reused: not created (no orphans).

Roots are needed; an artifact is needed when a parent that is created needs it. The walk is
a breadth-first search over the package graph, so reference cycles are safe.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sandbox_tooling.artifact_type.plugins import ArtifactTypes
from sandbox_tooling.artifact_type.spec import TypeContext
from sandbox_tooling.package.snapshot import edge_keys

Key = tuple[str, str]
Action = Literal["CREATE", "REUSE", "SUBSTITUTE", "EXISTS", "SKIP"]


@dataclass(slots=True)
class Step:
    type: str
    id: str
    title: str
    action: Action = "SKIP"
    target_id: str | None = None
    parent: Key | None = None
    #: A created object whose title is taken in the target gets this title instead.
    new_title: str | None = None


@dataclass
class Plan:
    steps: dict[Key, Step] = field(default_factory=dict)
    roots: list[Key] = field(default_factory=list)

    def id_map(self) -> dict[Key, str]:
        return {k: s.target_id for k, s in self.steps.items() if s.target_id is not None}

    def count(self, action: Action) -> int:
        return sum(1 for s in self.steps.values() if s.action == action)


def make_plan(
    manifest: Mapping[str, Any],
    types: ArtifactTypes,
    ctx: TypeContext,
    *,
    full: bool,
    alternatives: Mapping[str, str],
    target_titles: Mapping[Key, str],
    target_codes: set[str],
    descend_substituted: bool = False,
    reuse_dependencies: bool = False,
) -> Plan:
    """``target_titles``: ``(type, title) -> existing id``; ``target_codes``: namespace codes.
    ``descend_substituted``: an update visits the dependencies of paired objects too (they
    are updated or created), where an import leaves them alone. ``reuse_dependencies``: a
    dependency (not a root) of any type is reused when its type and title exist in the
    target (express copy)."""
    plan = Plan()
    for art in manifest["artifacts"]:
        key = (art["type"], art["id"])
        plan.steps[key] = Step(art["type"], art["id"], art["title"])
    children: dict[Key, list[Key]] = {k: [] for k in plan.steps}
    for parent, child in edge_keys(manifest):
        children[parent].append(child)
        if plan.steps[child].parent is None:
            plan.steps[child].parent = parent
    if full:
        plan.roots = list(plan.steps)
    else:
        plan.roots = [(a["type"], a["id"]) for a in manifest["rootArtifacts"]]

    roots = set(plan.roots)

    def reusable(step: Step) -> bool:
        if full or (step.type, step.title) not in target_titles:
            return False
        atype = types.get(step.type)
        if atype.reuse_by_title:
            return True
        # Objects that travel with the ones using them (descriptors, mapping sets) are never
        # taken from another object.
        return reuse_dependencies and atype.root_allowed and (step.type, step.id) not in roots

    def decide(step: Step) -> None:
        atype = types.get(step.type)
        if step.id in alternatives:
            step.action, step.target_id = "SUBSTITUTE", alternatives[step.id]
        elif step.type == "ID_NAMESPACE" and step.id in target_codes:
            step.action, step.target_id = "EXISTS", step.id
        elif reusable(step):
            step.action, step.target_id = "REUSE", target_titles[(step.type, step.title)]
        else:
            step.action = "CREATE"
            step.target_id = step.id if step.type == "ID_NAMESPACE" else atype.new_id(ctx)

    seen: set[Key] = set()
    queue = deque(k for k in plan.roots if k in plan.steps)
    while queue:
        key = queue.popleft()
        if key in seen:
            continue
        seen.add(key)
        step = plan.steps[key]
        decide(step)
        if step.action == "CREATE" or (descend_substituted and step.action == "SUBSTITUTE"):
            queue.extend(c for c in children[key] if c not in seen)
    return plan
