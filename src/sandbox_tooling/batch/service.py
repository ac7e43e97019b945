"""Bulk loading rules: every object validated by its type in one pass, the references of the
whole batch checked together, the objects ordered by their references and written in one
transaction (all or nothing).

The helpers (``Problems``, ``prepare_all``, ``unique``, ``dependency_order``) also serve the
Schema Registry import, which loads its payload the same way.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.plugins import ArtifactTypes
from sandbox_tooling.artifact_type.spec import ArtifactType, TypeContext
from sandbox_tooling.batch.errors import BatchConflict, BatchRejected
from sandbox_tooling.errors import AppError
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.kit.gcpause import collection_paused
from sandbox_tooling.models import Sandbox
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.registry.errors import SandboxHeaderNotFound
from sandbox_tooling.registry.service import Prepared
from sandbox_tooling.sandbox import service as sandbox_service

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime

#: Problems listed in an error answer; the detail counts them all.
MAX_LISTED = 100
ITEM_KEYS = frozenset({"type", "definition"})


@dataclass(frozen=True, slots=True)
class Malformed:
    """An input line that is not JSON (NDJSON bodies are parsed line by line)."""

    message: str


@dataclass(frozen=True, slots=True)
class Entry:
    """A prepared object and its position in the request."""

    index: int
    prepared: Prepared
    key: tuple[str, str]

    @classmethod
    def of(cls, index: int, prepared: Prepared) -> Entry:
        return cls(index, prepared, (prepared.type.name, prepared.object_id))


@dataclass(frozen=True, slots=True)
class Stored:
    """An object written by the batch."""

    index: int
    type: str
    object_id: str


@dataclass
class Problems:
    """What is wrong with a batch: every problem counted, the first ``MAX_LISTED`` kept."""

    listed: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0
    #: Ids given by objects that failed: references to them are not reported again.
    failed_ids: set[str] = field(default_factory=set)
    #: The items are bare definitions (no ``{"type", "definition"}`` envelope): fields are
    #: named from the definition's root.
    bare: bool = False

    def add(
        self, index: int, object_id: str | None, type_name: str | None, where: str, message: str
    ) -> None:
        if self.bare and (where == "definition" or where.startswith("definition.")):
            where = where.removeprefix("definition").removeprefix(".")
        self.count += 1
        if object_id:
            self.failed_ids.add(object_id)
        if len(self.listed) < MAX_LISTED:
            self.listed.append(
                {
                    "index": index,
                    "id": object_id,
                    "type": type_name,
                    "field": where,
                    "message": message,
                }
            )

    def raise_if_any(self, error: type[AppError]) -> None:
        if not self.count:
            return
        self.listed.sort(key=lambda p: int(p["index"]))
        first = self.listed[0]
        where = f"[{first['index']}]" + (f".{first['field']}" if first["field"] else "")
        detail = f"{where}: {first['message']}"
        if self.count > 1:
            objects = len({p["index"] for p in self.listed})
            detail += (
                f" (and {self.count - 1} more problem(s); {len(self.listed)} listed in errors, "
                f"in {objects} object(s))"
            )
        raise error(detail, errors=self.listed)


def _fields(exc: AppError) -> list[tuple[str, str]]:
    """``(field, message)`` pairs of an error raised for one definition."""
    if exc.errors:
        return [
            (str(e.get("field", "")), str(e.get("message", exc.detail)))
            for e in exc.errors
            if isinstance(e, dict)
        ]
    where, sep, message = exc.detail.partition(": ")
    if sep and " " not in where:
        return [(where, message)]
    return [("", exc.detail)]


def prepare_all(
    types: ArtifactTypes,
    ctx: TypeContext,
    items: Iterable[tuple[int, Any]],
    problems: Problems,
    *,
    first_use: Any = None,
) -> list[Entry]:
    """Check each ``{"type", "definition"}`` item and prepare its definition (one pass).
    ``first_use(atype)`` is called once per type, before its first object is prepared (the
    permission check)."""
    out: list[Entry] = []
    seen: dict[str, ArtifactType] = {}
    for index, raw in items:
        if isinstance(raw, Malformed):
            problems.add(index, None, None, "", raw.message)
            continue
        if not isinstance(raw, dict):
            problems.add(index, None, None, "", 'must be a JSON object {"type", "definition"}')
            continue
        type_name = raw.get("type")
        definition = raw.get("definition")
        bad = False
        for key in sorted(set(raw) - ITEM_KEYS):
            problems.add(index, None, _str(type_name), key, "unknown field")
            bad = True
        if not isinstance(type_name, str) or not type_name:
            problems.add(index, None, None, "type", "required: the artifact type, a string")
            continue
        atype = seen.get(type_name)
        if atype is None:
            if type_name not in types:
                problems.add(
                    index,
                    None,
                    type_name,
                    "type",
                    f"unknown artifact type '{type_name}'; known types: "
                    + ", ".join(types.names()),
                )
                continue
            atype = seen[type_name] = types.get(type_name)
            if first_use is not None:
                first_use(atype)
        given = atype.get_id(definition) if isinstance(definition, dict) else None
        if "definition" not in raw:
            problems.add(index, given, type_name, "definition", "required: the object's JSON")
            continue
        try:
            prepared = registry_service.prepare(atype, definition, ctx)
        except AppError as exc:
            for where, message in _fields(exc):
                problems.add(index, given, type_name, where, message)
            continue
        if not bad:
            out.append(Entry.of(index, prepared))
    return out


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def unique(entries: Sequence[Entry], problems: Problems) -> list[Entry]:
    """The entries without repeated ``(type, id)``; each repetition is a problem."""
    first: dict[tuple[str, str], int] = {}
    out: list[Entry] = []
    for e in entries:
        if e.key in first:
            p = e.prepared
            problems.add(
                e.index,
                p.object_id,
                p.type.name,
                f"definition.{p.type.id_key}",
                f"{p.type.name} '{p.object_id}' is also object [{first[e.key]}] of the batch",
            )
            continue
        first[e.key] = e.index
        out.append(e)
    return out


def check_references(
    session: Session, sandbox: Sandbox, entries: Sequence[Entry], problems: Problems
) -> None:
    """Every reference must name an object of the batch or of the sandbox (batched queries);
    references to objects that failed themselves are not reported twice."""
    found = registry_service.reference_problems(
        session, sandbox, [e.prepared for e in entries], skip=problems.failed_ids
    )
    for position, where, message in found:
        e = entries[position]
        problems.add(e.index, e.prepared.object_id, e.prepared.type.name, where, message)


def dependency_order(entries: Sequence[Entry]) -> list[Entry]:
    """Dependencies before the objects that refer to them (Kahn, linear in objects plus
    references). A reference cycle (a field group meant for the class that embeds it, two
    schemas related both ways through descriptors) is broken by releasing its first member in
    request order."""
    position = {e.key: i for i, e in enumerate(entries)}
    waiting = [0] * len(entries)
    users: dict[int, list[int]] = defaultdict(list)
    for i, e in enumerate(entries):
        deps = {position.get((r.type, r.id)) for r in e.prepared.references if not r.standard}
        deps.discard(None)
        deps.discard(i)
        waiting[i] = len(deps)
        for d in deps:
            assert d is not None
            users[d].append(i)
    ready = deque(i for i, n in enumerate(waiting) if n == 0)
    placed = [False] * len(entries)
    out: list[Entry] = []
    cursor = 0
    while len(out) < len(entries):
        if not ready:
            while placed[cursor]:
                cursor += 1
            ready.append(cursor)
        i = ready.popleft()
        if placed[i]:
            continue
        placed[i] = True
        out.append(entries[i])
        for user in users.get(i, ()):
            waiting[user] -= 1
            if waiting[user] == 0 and not placed[user]:
                ready.append(user)
    return out


def require_sandbox(session: Session, principal: Principal, sandbox_name: str) -> Sandbox:
    sandbox = sandbox_service.live(session, principal.org_id, sandbox_name)
    if sandbox is None:
        raise SandboxHeaderNotFound(sandbox_name)
    return sandbox


def load(
    session: Session,
    rt: Runtime,
    principal: Principal,
    sandbox_name: str,
    items: Iterable[tuple[int, Any]],
) -> list[Stored]:
    """Create every object of the batch in the sandbox, or none: 400 listing each invalid
    object or dangling reference, 409 listing each object whose id exists already. The
    caller needs, per type in the batch, the permissions to create objects of it."""
    with collection_paused():
        return _load(session, rt, principal, sandbox_name, items)


def _load(
    session: Session,
    rt: Runtime,
    principal: Principal,
    sandbox_name: str,
    items: Iterable[tuple[int, Any]],
) -> list[Stored]:
    sandbox = require_sandbox(session, principal, sandbox_name)
    ctx = TypeContext(org_id=principal.org_id, tenant=principal.org.tenant_id)

    def permitted(atype: ArtifactType) -> None:
        for perm in atype.required_permissions():
            for action in perm.actions:
                principal.require(perm.resource, action, sandbox.name)

    problems = Problems()
    entries = unique(prepare_all(rt.types, ctx, items, problems, first_use=permitted), problems)
    check_references(session, sandbox, entries, problems)
    problems.raise_if_any(BatchRejected)
    existing = registry_service.types_of_ids(
        session, sandbox.id, [e.prepared.object_id for e in entries]
    )
    for e in entries:
        if e.key in existing:
            p = e.prepared
            problems.add(
                e.index,
                p.object_id,
                p.type.name,
                f"definition.{p.type.id_key}",
                f"{p.type.name} '{p.object_id}' already exists in sandbox '{sandbox.name}'",
            )
    problems.raise_if_any(BatchConflict)
    ordered = dependency_order(entries)
    registry_service.insert_prepared(
        session, sandbox, [e.prepared for e in ordered], principal.user_id
    )
    return [Stored(e.index, e.prepared.type.name, e.prepared.object_id) for e in ordered]
