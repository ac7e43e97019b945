"""Bulk loading rules.

One pass over the objects as they are read: each is validated by its type and written, in
chunks of ``CHUNK``, inside the request's one transaction. References are rows of their own
table, not foreign keys, so objects can be written in any order and their references checked
together at the end (batched queries). Any problem and nothing more is written, every object
is still checked, and the transaction is not committed: all or nothing. A definition is held
from its parsing until its chunk is written; what stays for the whole batch is each object's
key and references, from which the answer lists the objects dependencies first.

The helpers (``Problems``, ``prepare_all``, ``unique``, ``check_references``,
``dependency_order``) also serve the Schema Registry import, which holds its (small) payload
whole to compare it with what the sandbox has.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.plugins import ArtifactTypes
from sandbox_tooling.artifact_type.spec import ArtifactType, Reference, TypeContext
from sandbox_tooling.audit import service as audit_service
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
#: Objects written per chunk (and per id query).
CHUNK = 1_000
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
    first_use: Callable[[ArtifactType], None] | None = None,
) -> list[Entry]:
    """``prepare_each``, as a list."""
    return list(prepare_each(types, ctx, items, problems, first_use=first_use))


def prepare_each(
    types: ArtifactTypes,
    ctx: TypeContext,
    items: Iterable[tuple[int, Any]],
    problems: Problems,
    *,
    first_use: Callable[[ArtifactType], None] | None = None,
) -> Iterator[Entry]:
    """Check each ``{"type", "definition"}`` item and prepare its definition, one at a time
    (what is wrong goes to ``problems``). ``first_use(atype)`` is called once per type,
    before its first object is prepared (the permission check)."""
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
            yield Entry.of(index, prepared)


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
    """The entries, dependencies before the objects that refer to them."""
    order = dependency_positions([e.key for e in entries], [e.prepared.references for e in entries])
    return [entries[i] for i in order]


def dependency_positions(
    keys: Sequence[tuple[str, str]], references: Sequence[Sequence[Reference]]
) -> list[int]:
    """Positions of ``keys`` with dependencies first (Kahn, linear in objects plus
    references). A reference cycle (a field group meant for the class that embeds it) is
    broken by releasing its first member in request order."""
    position = {key: i for i, key in enumerate(keys)}
    waiting = [0] * len(keys)
    users: dict[int, list[int]] = defaultdict(list)
    for i, refs in enumerate(references):
        deps = {position.get((r.type, r.id)) for r in refs if not r.standard}
        deps.discard(None)
        deps.discard(i)
        waiting[i] = len(deps)
        for d in deps:
            assert d is not None
            users[d].append(i)
    ready = deque(i for i, n in enumerate(waiting) if n == 0)
    placed = [False] * len(keys)
    out: list[int] = []
    cursor = 0
    while len(out) < len(keys):
        if not ready:
            while placed[cursor]:
                cursor += 1
            ready.append(cursor)
        i = ready.popleft()
        if placed[i]:
            continue
        placed[i] = True
        out.append(i)
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

    writer = Writer(session, sandbox, principal.user_id)
    for entry in prepare_each(rt.types, ctx, items, writer.invalid, first_use=permitted):
        writer.add(entry)
    writer.flush()
    writer.check_references()
    writer.invalid.raise_if_any(BatchRejected)
    writer.clashes.raise_if_any(BatchConflict)
    order = dependency_positions(writer.keys, writer.references)
    audit_service.objects_loaded(
        session, principal, principal.org_id, sandbox.name, "batch", [k[0] for k in writer.keys]
    )
    return [Stored(writer.indexes[i], *writer.keys[i]) for i in order]


class Writer:
    """Writes prepared objects in chunks as they come (inside the caller's transaction) and
    keeps only their keys and references: a definition is held from its parsing until its
    chunk is written, so memory follows the chunk, not the batch. Once anything is wrong,
    nothing more is written (the transaction will not be committed) but every object is
    still checked, so that all problems are reported."""

    def __init__(self, session: Session, sandbox: Sandbox, actor: str) -> None:
        self.session, self.sandbox, self.actor = session, sandbox, actor
        self.invalid = Problems()  # 400
        self.clashes = Problems()  # 409: ids that exist already
        self.indexes: list[int] = []
        self.keys: list[tuple[str, str]] = []
        self.references: list[list[Reference]] = []
        self.first: dict[tuple[str, str], int] = {}
        self.pending: list[Entry] = []

    def add(self, e: Entry) -> None:
        p = e.prepared
        if e.key in self.first:
            self.invalid.add(
                e.index,
                p.object_id,
                p.type.name,
                f"definition.{p.type.id_key}",
                f"{p.type.name} '{p.object_id}' is also object [{self.first[e.key]}] of the batch",
            )
            return
        self.first[e.key] = e.index
        self.indexes.append(e.index)
        self.keys.append(e.key)
        self.references.append([r for r in p.references if not r.standard])
        self.pending.append(e)
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        """Write the pending objects, unless the batch already failed; report those whose id
        exists in the sandbox (one query per chunk)."""
        chunk, self.pending = self.pending, []
        if not chunk or self.invalid.count:
            return
        existing = registry_service.types_of_ids(
            self.session, self.sandbox.id, [e.key[1] for e in chunk]
        )
        for e in chunk:
            if e.key in existing:
                p = e.prepared
                self.clashes.add(
                    e.index,
                    p.object_id,
                    p.type.name,
                    f"definition.{p.type.id_key}",
                    f"{p.type.name} '{p.object_id}' already exists in sandbox "
                    f"'{self.sandbox.name}'",
                )
        if not self.clashes.count:
            registry_service.insert_prepared(
                self.session, self.sandbox, [e.prepared for e in chunk], self.actor
            )

    def check_references(self) -> None:
        """Every reference names an object of the batch or of the sandbox (batched queries);
        references to objects that failed themselves are not reported twice."""
        found = registry_service.missing_references(
            self.session, self.sandbox, self.keys, self.references, skip=self.invalid.failed_ids
        )
        for position, where, message in found:
            key = self.keys[position]
            self.invalid.add(self.indexes[position], key[1], key[0], where, message)
