"""Registry object and reference queries. Everything takes id batches; nothing loops a query."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from sandbox_tooling.db import Base
from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.kit.sql import contains, paginate
from sandbox_tooling.models import ObjectReference, RegistryObject

#: Ids per IN (...) list; keeps every statement under SQLite's bound-parameter limit.
CHUNK = 5_000


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def get(
    session: Session, sandbox_id: str, type_: str, object_id: str, *, for_update: bool = False
) -> RegistryObject | None:
    """``for_update``: the row is locked until the transaction ends (a read-modify-write)."""
    stmt = select(RegistryObject).where(
        RegistryObject.sandbox_id == sandbox_id,
        RegistryObject.type == type_,
        RegistryObject.object_id == object_id,
    )
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


@dataclass(frozen=True, slots=True)
class ObjectRow:
    """A registry object read for processing (closures, snapshots): no ORM identity."""

    pk: int
    type: str
    object_id: str
    title: str
    version: int
    definition: dict[str, Any]


_ROW_COLUMNS = (
    RegistryObject.pk,
    RegistryObject.type,
    RegistryObject.object_id,
    RegistryObject.title,
    RegistryObject.version,
    RegistryObject.definition,
)


def by_ids(session: Session, sandbox_id: str, object_ids: Iterable[str]) -> list[ObjectRow]:
    ids = sorted(set(object_ids))
    out: list[ObjectRow] = []
    for part in chunks(ids):
        rows = session.execute(
            select(*_ROW_COLUMNS).where(
                RegistryObject.sandbox_id == sandbox_id, RegistryObject.object_id.in_(part)
            )
        )
        out.extend(ObjectRow(*row) for row in rows)
    return out


def types_of_ids(
    session: Session, sandbox_id: str, object_ids: Iterable[str]
) -> set[tuple[str, str]]:
    """Which ``(type, id)`` pairs exist among these ids (no definitions loaded)."""
    ids = sorted(set(object_ids))
    found: set[tuple[str, str]] = set()
    for part in chunks(ids):
        rows = session.execute(
            select(RegistryObject.type, RegistryObject.object_id).where(
                RegistryObject.sandbox_id == sandbox_id, RegistryObject.object_id.in_(part)
            )
        )
        found.update((t, i) for t, i in rows)
    return found


def attached_to(
    session: Session, sandbox_id: str, target_ids: Iterable[str]
) -> list[tuple[str, str, ObjectRow]]:
    """Objects that travel with one of these targets: ``(target_type, target_id, object)``."""
    ids = sorted(set(target_ids))
    out: list[tuple[str, str, ObjectRow]] = []
    for part in chunks(ids):
        stmt = (
            select(ObjectReference.target_type, ObjectReference.target_id, *_ROW_COLUMNS)
            .join(RegistryObject, RegistryObject.pk == ObjectReference.source_pk)
            .where(
                ObjectReference.sandbox_id == sandbox_id,
                ObjectReference.attach.is_(True),
                ObjectReference.target_id.in_(part),
            )
        )
        out.extend((row[0], row[1], ObjectRow(*row[2:])) for row in session.execute(stmt))
    return out


def referrers(
    session: Session, sandbox_id: str, type_: str, object_id: str
) -> list[RegistryObject]:
    stmt = (
        select(RegistryObject)
        .join(ObjectReference, ObjectReference.source_pk == RegistryObject.pk)
        .where(
            ObjectReference.sandbox_id == sandbox_id,
            ObjectReference.target_type == type_,
            ObjectReference.target_id == object_id,
        )
        .distinct()
    )
    return list(session.scalars(stmt))


def all_of_types(session: Session, sandbox_id: str, types: Sequence[str]) -> list[ObjectRow]:
    rows = session.execute(
        select(*_ROW_COLUMNS)
        .where(RegistryObject.sandbox_id == sandbox_id, RegistryObject.type.in_(types))
        .order_by(RegistryObject.pk)
    )
    return [ObjectRow(*row) for row in rows]


def insert_objects(session: Session, rows: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Insert rows in batches; return ``(type, object_id) -> pk``."""
    pks: dict[tuple[str, str], int] = {}
    table = Base.metadata.tables[RegistryObject.__tablename__]
    for part in chunks(rows, 1_000):
        # Core, not ORM, inserts: the rows need no identity map, and it is twice as fast.
        result = session.execute(
            insert(table).returning(table.c.pk, table.c.type, table.c.object_id), list(part)
        )
        for pk, type_, object_id in result:
            pks[(type_, object_id)] = pk
    return pks


def insert_references(session: Session, rows: list[dict[str, Any]]) -> None:
    for part in chunks(rows, 2_000):
        session.execute(insert(Base.metadata.tables[ObjectReference.__tablename__]), list(part))


def delete_references_of(session: Session, source_pk: int) -> None:
    session.execute(delete(ObjectReference).where(ObjectReference.source_pk == source_pk))


def page(
    session: Session, sandbox_id: str, type_: str, query: ListQuery
) -> tuple[list[RegistryObject], int]:
    stmt = select(RegistryObject).where(
        RegistryObject.sandbox_id == sandbox_id, RegistryObject.type == type_
    )
    return paginate(session, stmt, RegistryObject, query, RegistryObject.pk)


def titles_of_types(
    session: Session, sandbox_id: str, types: Sequence[str]
) -> list[tuple[int, str, str]]:
    """``(pk, type, title)`` of every object of these types: the least a title search needs."""
    rows = session.execute(
        select(RegistryObject.pk, RegistryObject.type, RegistryObject.title).where(
            RegistryObject.sandbox_id == sandbox_id, RegistryObject.type.in_(sorted(types))
        )
    )
    return [(pk, t, title) for pk, t, title in rows]


def ids_by_pks(session: Session, pks: Iterable[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for part in chunks(sorted(set(pks))):
        rows = session.execute(
            select(RegistryObject.pk, RegistryObject.object_id).where(RegistryObject.pk.in_(part))
        )
        out.update((pk, i) for pk, i in rows)
    return out


def definitions_by_pks(session: Session, pks: Iterable[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for part in chunks(sorted(set(pks))):
        rows = session.execute(
            select(RegistryObject.pk, RegistryObject.definition).where(RegistryObject.pk.in_(part))
        )
        out.update((pk, d) for pk, d in rows)
    return out


def with_titles(
    session: Session, sandbox_id: str, titles: Iterable[str]
) -> list[tuple[str, str, str]]:
    """``(type, object_id, title)`` of objects holding one of these titles, oldest first."""
    wanted = sorted(set(titles))
    out: list[tuple[str, str, str]] = []
    for part in chunks(wanted):
        rows = session.execute(
            select(RegistryObject.type, RegistryObject.object_id, RegistryObject.title)
            .where(RegistryObject.sandbox_id == sandbox_id, RegistryObject.title.in_(part))
            .order_by(RegistryObject.pk)
        )
        out.extend((t, i, title) for t, i, title in rows)
    return out


@dataclass(frozen=True, slots=True)
class ObjectState:
    """What an import plan reads of a target object: enough to notice any change to it."""

    pk: int
    type: str
    object_id: str
    title: str
    version: int
    modified_date: int


_STATE_COLUMNS = (
    RegistryObject.pk,
    RegistryObject.type,
    RegistryObject.object_id,
    RegistryObject.title,
    RegistryObject.version,
    RegistryObject.modified_date,
)


def states(
    session: Session, sandbox_id: str, *, titles: Iterable[str], ids: Iterable[str]
) -> list[ObjectState]:
    """The objects holding one of ``titles`` or one of ``ids`` (any type), oldest first.

    A sandbox holding fewer objects than the lookup names is read whole in one query (an
    import into an empty or small sandbox would otherwise send every title it brings)."""
    titles, ids = set(titles), set(ids)
    held = session.scalar(
        select(func.count())
        .select_from(RegistryObject)
        .where(RegistryObject.sandbox_id == sandbox_id)
    )
    if (held or 0) <= len(titles) + len(ids):
        rows = session.execute(
            select(*_STATE_COLUMNS)
            .where(RegistryObject.sandbox_id == sandbox_id)
            .order_by(RegistryObject.pk)
        )
        return [ObjectState(*r) for r in rows if r.title in titles or r.object_id in ids]
    found: dict[int, ObjectState] = {}
    for column, values in ((RegistryObject.title, titles), (RegistryObject.object_id, ids)):
        for part in chunks(sorted(values)):
            rows = session.execute(
                select(*_STATE_COLUMNS).where(
                    RegistryObject.sandbox_id == sandbox_id, column.in_(part)
                )
            )
            for row in rows:
                found.setdefault(row[0], ObjectState(*row))
    return [found[pk] for pk in sorted(found)]


def state_of(
    session: Session, sandbox_id: str, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, int, int]]:
    """``(type, id) -> (pk, version, modified_date)`` for the keys that exist."""
    wanted = set(keys)
    out: dict[tuple[str, str], tuple[int, int, int]] = {}
    for part in chunks(sorted({i for _t, i in wanted})):
        rows = session.execute(
            select(
                RegistryObject.type,
                RegistryObject.object_id,
                RegistryObject.pk,
                RegistryObject.version,
                RegistryObject.modified_date,
            ).where(RegistryObject.sandbox_id == sandbox_id, RegistryObject.object_id.in_(part))
        )
        for t, i, pk, version, modified in rows:
            if (t, i) in wanted:
                out[(t, i)] = (pk, version, modified)
    return out


def referrers_of_many(
    session: Session, sandbox_id: str, keys: Iterable[tuple[str, str]]
) -> list[tuple[str, str, str, str]]:
    """``(target_type, target_id, source_type, source_id)`` for references to these keys."""
    wanted = set(keys)
    out: list[tuple[str, str, str, str]] = []
    for part in chunks(sorted({i for _t, i in wanted})):
        stmt = (
            select(
                ObjectReference.target_type,
                ObjectReference.target_id,
                RegistryObject.type,
                RegistryObject.object_id,
            )
            .join(RegistryObject, RegistryObject.pk == ObjectReference.source_pk)
            .where(ObjectReference.sandbox_id == sandbox_id, ObjectReference.target_id.in_(part))
        )
        out.extend((a, b, c, d) for a, b, c, d in session.execute(stmt) if (a, b) in wanted)
    return out


def delete_pks(session: Session, pks: Sequence[int]) -> None:
    for part in chunks(list(pks)):
        session.execute(delete(RegistryObject).where(RegistryObject.pk.in_(part)))


def overwrite(session: Session, rows: list[dict[str, Any]], actor: str, now: int) -> None:
    """Replace definitions and titles by pk (``{pk, definition, title}``), version + 1."""
    table = Base.metadata.tables[RegistryObject.__tablename__]
    stmt = (
        update(table)
        .where(table.c.pk == bindparam("b_pk"))
        .values(
            definition=bindparam("b_definition"),
            title=bindparam("b_title"),
            version=table.c.version + 1,
            modified_date=now,
            modified_by=actor,
        )
    )
    for part in chunks(rows, 1_000):
        session.connection().execute(
            stmt,
            [
                {"b_pk": r["pk"], "b_definition": r["definition"], "b_title": r["title"]}
                for r in part
            ],
        )
    for part in chunks([r["pk"] for r in rows]):
        session.execute(delete(ObjectReference).where(ObjectReference.source_pk.in_(part)))


@dataclass(frozen=True, slots=True)
class ObjectSummary:
    """A registry object without its definition: what a table row shows."""

    type: str
    object_id: str
    title: str
    version: int
    modified_date: int
    modified_by: str


def search(
    session: Session, sandbox_id: str, type_: str, text: str, start: int, limit: int
) -> tuple[list[ObjectSummary], int]:
    """Objects of a type in title order; ``text``: an exact id, else a search in titles.
    Counted and sliced in the database on the (sandbox, type, title) index; a page past the
    middle is read from the end, so the last page costs what the first does."""
    columns = (
        RegistryObject.type,
        RegistryObject.object_id,
        RegistryObject.title,
        RegistryObject.version,
        RegistryObject.modified_date,
        RegistryObject.modified_by,
    )
    where = [RegistryObject.sandbox_id == sandbox_id, RegistryObject.type == type_]
    if text:
        exact = session.execute(
            select(*columns).where(*where, RegistryObject.object_id == text)
        ).first()
        if exact is not None:
            return ([ObjectSummary(*exact)] if start == 0 else []), 1
        where.append(contains(RegistryObject.title, text))
    total = session.scalar(select(func.count()).select_from(RegistryObject).where(*where)) or 0
    stmt = select(*columns).where(*where)
    if start >= total:
        return [], total
    if start > total // 2:
        # From the end: an offset of (total - start - limit) instead of start.
        take = min(limit, total - start)
        rows = session.execute(
            stmt.order_by(RegistryObject.title.desc(), RegistryObject.pk.desc())
            .offset(total - start - take)
            .limit(take)
        )
        return [ObjectSummary(*row) for row in reversed(list(rows))], total
    rows = session.execute(
        stmt.order_by(RegistryObject.title, RegistryObject.pk).offset(start).limit(limit)
    )
    return [ObjectSummary(*row) for row in rows], total


def counts_by_type(session: Session, sandbox_ids: Sequence[str]) -> dict[tuple[str, str], int]:
    """``(sandbox_id, type) -> number of objects`` (one grouped query)."""
    if not sandbox_ids:
        return {}
    rows = session.execute(
        select(RegistryObject.sandbox_id, RegistryObject.type, func.count())
        .where(RegistryObject.sandbox_id.in_(list(sandbox_ids)))
        .group_by(RegistryObject.sandbox_id, RegistryObject.type)
    )
    return {(s, t): n for s, t, n in rows}


def titles_by_ids(
    session: Session, sandbox_id: str, object_ids: Iterable[str]
) -> dict[tuple[str, str], str]:
    """``(type, id) -> title`` of the objects with these ids (no definitions loaded)."""
    out: dict[tuple[str, str], str] = {}
    for part in chunks(sorted(set(object_ids))):
        rows = session.execute(
            select(RegistryObject.type, RegistryObject.object_id, RegistryObject.title).where(
                RegistryObject.sandbox_id == sandbox_id, RegistryObject.object_id.in_(part)
            )
        )
        out.update(((t, i), title) for t, i, title in rows)
    return out
