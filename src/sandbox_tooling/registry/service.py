"""Object registry rules: typed objects, validated by their type plugin, references enforced.

Besides the endpoints' operations, this is the registry's interface to the other domains
(closures, imports, compares): batched reads and writes of objects by id.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.spec import ArtifactType, Reference, TypeContext
from sandbox_tooling.audit import service as audit_service
from sandbox_tooling.errors import ValidationFailed
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.kit import pointer
from sandbox_tooling.kit.clock import now_ms
from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.models import RegistryObject, Sandbox
from sandbox_tooling.models.enums import AuditAction
from sandbox_tooling.registry import repository
from sandbox_tooling.registry.errors import (
    InvalidObjectId,
    ObjectExists,
    ObjectInUse,
    ObjectNotFound,
    SandboxHeaderNotFound,
)
from sandbox_tooling.registry.repository import ObjectRow, ObjectState, ObjectSummary
from sandbox_tooling.sandbox import service as sandbox_service

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime

__all__ = ["ObjectRow", "ObjectState", "ObjectSummary"]


@dataclass
class Prepared:
    """A definition checked by its type, with its final id, title and references."""

    type: ArtifactType
    object_id: str
    title: str
    definition: dict[str, Any]
    references: list[Reference]


def prepare(
    atype: ArtifactType,
    definition: Any,
    ctx: TypeContext,
    *,
    object_id: str | None = None,
    references: list[Reference] | None = None,
) -> Prepared:
    """Validate a definition and settle its id. ``references``: already extracted by the
    caller (an import's rewrite) and valid for the definition with its final id."""
    atype.validate_shape(definition)
    given = atype.get_id(definition)
    field = f"definition.{atype.id_key}"
    if object_id is not None and given is not None and given != object_id:
        raise InvalidObjectId(f"{field}: '{given}' does not match the id in the path '{object_id}'")
    final_id = object_id or given or atype.new_id(ctx)
    if atype.is_standard(final_id):
        raise InvalidObjectId(f"{field}: '{final_id}' is an Adobe standard resource, built in")
    problem = atype.id_problem(final_id, ctx)
    if problem:
        raise InvalidObjectId(f"{field}: {problem}")
    definition = atype.with_id(definition, final_id, ctx)
    refs = atype.references(definition) if references is None else references
    atype.check_references(refs)
    return Prepared(atype, final_id, atype.title(definition, final_id), definition, refs)


def check_references(
    session: Session, sandbox: Sandbox, items: Sequence[Prepared], *, replacing: str | None = None
) -> None:
    """Every non-standard reference must name an object of the right type in this sandbox
    or in the same batch. One query for the whole batch."""
    for _position, field, msg in reference_problems(session, sandbox, items, limit=1):
        raise ValidationFailed(f"{field}: {msg}", errors=[{"field": field, "message": msg}])


def reference_problems(
    session: Session,
    sandbox: Sandbox,
    items: Sequence[Prepared],
    *,
    limit: int | None = None,
    skip: Collection[str] = (),
) -> list[tuple[int, str, str]]:
    """The references that name no object of the right type in this sandbox or in ``items``:
    ``(position in items, field, message)``, at most ``limit``; references to the ids in
    ``skip`` are left out. One query per 5,000 ids."""
    return missing_references(
        session,
        sandbox,
        [(p.type.name, p.object_id) for p in items],
        [p.references for p in items],
        limit=limit,
        skip=skip,
    )


def missing_references(
    session: Session,
    sandbox: Sandbox,
    keys: Sequence[tuple[str, str]],
    references: Sequence[Sequence[Reference]],
    *,
    limit: int | None = None,
    skip: Collection[str] = (),
) -> list[tuple[int, str, str]]:
    """As ``reference_problems``, for objects known by their ``(type, id)`` keys and their
    references (``references[i]`` are those of ``keys[i]``)."""
    batch = set(keys)
    wanted = {
        r.id for refs in references for r in refs if not r.standard and (r.type, r.id) not in batch
    }
    existing = repository.types_of_ids(session, sandbox.id, wanted) if wanted else set()
    ids_present = {i: t for t, i in existing} | {i: t for t, i in batch}
    out: list[tuple[int, str, str]] = []
    for position, refs in enumerate(references):
        for ref in refs:
            if ref.standard or (ref.type, ref.id) in batch or (ref.type, ref.id) in existing:
                continue
            if ref.id in skip:
                continue
            field = "definition." + pointer.to_dotted(ref.path)
            other = ids_present.get(ref.id)
            if other is not None:
                msg = f"refers to '{ref.id}' as {ref.type}, but that object is a {other}"
            else:
                msg = f"{ref.type} '{ref.id}' does not exist in sandbox '{sandbox.name}'"
            out.append((position, field, msg))
            if limit is not None and len(out) >= limit:
                return out
    return out


def create_objects(
    session: Session,
    sandbox: Sandbox,
    ctx: TypeContext,
    items: Sequence[Prepared],
    actor: str,
) -> dict[tuple[str, str], int]:
    """Insert prepared objects (ids unique, references resolved) in batches."""
    seen: set[tuple[str, str]] = set()
    for p in items:
        key = (p.type.name, p.object_id)
        if key in seen:
            raise ObjectExists(f"{p.type.name} '{p.object_id}' appears twice in the request")
        seen.add(key)
    clash = repository.types_of_ids(session, sandbox.id, [p.object_id for p in items]) & seen
    if clash:
        type_, object_id = sorted(clash)[0]
        raise ObjectExists(f"{type_} '{object_id}' already exists in sandbox '{sandbox.name}'")
    check_references(session, sandbox, items)
    return insert_prepared(session, sandbox, items, actor)


def insert_prepared(
    session: Session, sandbox: Sandbox, items: Sequence[Prepared], actor: str
) -> dict[tuple[str, str], int]:
    """Insert objects whose ids and references the caller has already checked."""
    now = now_ms()
    pks = repository.insert_objects(
        session,
        [
            {
                "sandbox_id": sandbox.id,
                "type": p.type.name,
                "object_id": p.object_id,
                "title": p.title[:512],
                "version": 1,
                "definition": p.definition,
                "created_date": now,
                "modified_date": now,
                "created_by": actor,
                "modified_by": actor,
            }
            for p in items
        ],
    )
    repository.insert_references(
        session,
        [
            row
            for p in items
            for row in reference_rows(sandbox.id, pks[(p.type.name, p.object_id)], p.references)
        ],
    )
    return pks


def reference_rows(
    sandbox_id: str, source_pk: int, refs: Sequence[Reference]
) -> list[dict[str, Any]]:
    unique = {(r.type, r.id, r.attach) for r in refs if not r.standard}
    return [
        {
            "sandbox_id": sandbox_id,
            "source_pk": source_pk,
            "target_type": t,
            "target_id": i,
            "attach": a,
        }
        for t, i, a in sorted(unique)
    ]


# -- the endpoints' operations -----------------------------------------------------------------
@dataclass(frozen=True)
class Access:
    """A checked request on objects of one type in one sandbox."""

    type: ArtifactType
    sandbox: Sandbox
    ctx: TypeContext
    principal: Principal


def _audit(
    session: Session, a: Access, action: AuditAction, object_id: str, title: str | None
) -> None:
    audit_service.record(
        session,
        org_id=a.ctx.org_id,
        actor=a.principal,
        action=action,
        sandbox=a.sandbox.name,
        object_type=a.type.name,
        object_id=object_id,
        object_name=title,
    )


def access(
    session: Session,
    rt: Runtime,
    principal: Principal,
    sandbox_name: str,
    type_name: str,
    action: str,
) -> Access:
    """The type and sandbox of a request, with the caller's permission for ``action``."""
    atype = rt.types.get(type_name)
    sandbox = sandbox_service.live(session, principal.org_id, sandbox_name)
    if sandbox is None:
        raise SandboxHeaderNotFound(sandbox_name)
    principal.require(atype.resource, action, sandbox.name)
    return Access(
        atype,
        sandbox,
        TypeContext(org_id=principal.org_id, tenant=principal.org.tenant_id),
        principal,
    )


def list_objects(session: Session, a: Access, query: ListQuery) -> tuple[list[RegistryObject], int]:
    return repository.page(session, a.sandbox.id, a.type.name, query)


def create(session: Session, a: Access, definition: Any, actor: str) -> RegistryObject:
    prepared = prepare(a.type, definition, a.ctx)
    create_objects(session, a.sandbox, a.ctx, [prepared], actor)
    obj = require(session, a.sandbox, a.type.name, prepared.object_id)
    _audit(session, a, AuditAction.OBJECT_CREATE, obj.object_id, obj.title)
    return obj


def require(
    session: Session, sandbox: Sandbox, type_name: str, object_id: str, *, lock: bool = False
) -> RegistryObject:
    """``lock``: for a read-modify-write, locked until the transaction ends."""
    obj = repository.get(session, sandbox.id, type_name, object_id, for_update=lock)
    if obj is None:
        raise ObjectNotFound(type_name, object_id, sandbox.name)
    return obj


def replace(
    session: Session, a: Access, object_id: str, definition: Any, actor: str
) -> RegistryObject:
    obj = require(session, a.sandbox, a.type.name, object_id, lock=True)
    prepared = prepare(a.type, definition, a.ctx, object_id=object_id)
    check_references(session, a.sandbox, [prepared])
    obj.definition = prepared.definition
    obj.title = prepared.title[:512]
    obj.version += 1
    obj.modified_date = now_ms()
    obj.modified_by = actor
    repository.delete_references_of(session, obj.pk)
    repository.insert_references(session, reference_rows(a.sandbox.id, obj.pk, prepared.references))
    session.flush()
    _audit(session, a, AuditAction.OBJECT_UPDATE, obj.object_id, obj.title)
    return obj


def delete(session: Session, a: Access, object_id: str) -> None:
    type_name, sandbox = a.type.name, a.sandbox
    obj = require(session, sandbox, type_name, object_id, lock=True)
    users = [
        o for o in repository.referrers(session, sandbox.id, type_name, object_id) if o.pk != obj.pk
    ]
    if users:
        listed = ", ".join(f"{o.type} '{o.object_id}' ({o.title})" for o in users[:50])
        raise ObjectInUse(
            f"{type_name} '{object_id}' is referenced by {len(users)} object(s): {listed}",
            errors=[{"id": o.object_id, "type": o.type, "title": o.title} for o in users],
        )
    session.delete(obj)
    session.flush()
    _audit(session, a, AuditAction.OBJECT_DELETE, object_id, obj.title)


def overwrite_prepared(
    session: Session, sandbox: Sandbox, items: Sequence[tuple[int, Prepared]], actor: str
) -> None:
    """Replace existing objects (by pk) with checked definitions; references follow."""
    repository.overwrite(
        session,
        [{"pk": pk, "definition": p.definition, "title": p.title[:512]} for pk, p in items],
        actor,
        now_ms(),
    )
    repository.insert_references(
        session, [row for pk, p in items for row in reference_rows(sandbox.id, pk, p.references)]
    )


# -- batched reads and writes for the other domains -------------------------------------------
def rows_by_ids(session: Session, sandbox_id: str, object_ids: Iterable[str]) -> list[ObjectRow]:
    """The objects of the sandbox with these ids (any type)."""
    return repository.by_ids(session, sandbox_id, object_ids)


def types_of_ids(
    session: Session, sandbox_id: str, object_ids: Iterable[str]
) -> set[tuple[str, str]]:
    """Which ``(type, id)`` pairs exist among these ids."""
    return repository.types_of_ids(session, sandbox_id, object_ids)


def with_titles(
    session: Session, sandbox_id: str, titles: Iterable[str]
) -> list[tuple[str, str, str]]:
    """``(type, object_id, title)`` of objects holding one of these titles, oldest first."""
    return repository.with_titles(session, sandbox_id, titles)


def titles_of_types(
    session: Session, sandbox_id: str, types: Sequence[str]
) -> list[tuple[int, str, str]]:
    """``(pk, type, title)`` of every object of these types."""
    return repository.titles_of_types(session, sandbox_id, types)


def definitions_by_pks(session: Session, pks: Iterable[int]) -> dict[int, dict[str, Any]]:
    return repository.definitions_by_pks(session, pks)


def ids_by_pks(session: Session, pks: Iterable[int]) -> dict[int, str]:
    return repository.ids_by_pks(session, pks)


def states(
    session: Session, sandbox_id: str, *, titles: Iterable[str], ids: Iterable[str]
) -> list[ObjectState]:
    """The objects holding one of ``titles`` or one of ``ids`` (any type), oldest first,
    with their version and modification date (what an import plan reads)."""
    return repository.states(session, sandbox_id, titles=titles, ids=ids)


def state_of(
    session: Session, sandbox_id: str, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, int, int]]:
    """``(type, id) -> (pk, version, modified_date)`` for the keys that exist."""
    return repository.state_of(session, sandbox_id, keys)


def referrers_of_many(
    session: Session, sandbox_id: str, keys: Iterable[tuple[str, str]]
) -> list[tuple[str, str, str, str]]:
    """``(target_type, target_id, source_type, source_id)`` for references to these keys."""
    return repository.referrers_of_many(session, sandbox_id, keys)


def delete_pks(session: Session, pks: Sequence[int]) -> None:
    """Delete objects by pk (their references go with them)."""
    repository.delete_pks(session, pks)


# -- the console's reads ----------------------------------------------------------------------
def search_objects(
    session: Session, a: Access, text: str, start: int, limit: int
) -> tuple[list[ObjectSummary], int]:
    """A page of the type's objects by title; ``text`` searches titles (or is an exact id)."""
    return repository.search(session, a.sandbox.id, a.type.name, text.strip(), start, limit)


def counts_by_type(session: Session, sandbox_ids: Sequence[str]) -> dict[tuple[str, str], int]:
    """``(sandbox_id, type) -> number of objects``."""
    return repository.counts_by_type(session, sandbox_ids)


def titles_by_ids(
    session: Session, sandbox_id: str, object_ids: Iterable[str]
) -> dict[tuple[str, str], str]:
    return repository.titles_by_ids(session, sandbox_id, object_ids)


def referrers(session: Session, a: Access, object_id: str) -> list[RegistryObject]:
    """The objects of the sandbox that refer to this one."""
    return [
        o
        for o in repository.referrers(session, a.sandbox.id, a.type.name, object_id)
        if not (o.type == a.type.name and o.object_id == object_id)
    ]
