"""Dependency closures: transitive, cycle-safe, a bounded number of queries per level."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from sandbox_tooling.artifact_type.spec import TypeContext
from sandbox_tooling.db import Database
from sandbox_tooling.registry import closure
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.runtime import Runtime as AppState
from sandbox_tooling.sandbox import repository as sandbox_repository
from tests import factories as f
from tests.helpers import Api


@contextmanager
def count_queries(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []
    me = threading.get_ident()  # the job runner's sweep queries from its own thread

    def on_execute(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and threading.get_ident() == me:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)


def _closure(state: AppState, api: Api, roots: list[tuple[str, str]]) -> closure.Closure:
    with state.db.transaction(write=False) as s:
        sandbox = sandbox_repository.live(s, api.org_id, "prod")
        assert sandbox is not None
        return closure.closure(s, state.types, sandbox.id, roots, max_size=1_000_000)


def test_transitive(api: Api, state: AppState) -> None:
    w = f.seed_world(api)
    cl = _closure(state, api, [("JOURNEY", w["journey"])])
    got = {i for _t, i in cl.nodes}
    assert got == {w[k] for k in f.JOURNEY_CLOSURE}
    assert not cl.missing


def test_relationship_cycle(api: Api, state: AppState) -> None:
    a = api.create("REGISTRY_SCHEMA", f.schema("A"))
    b = api.create("REGISTRY_SCHEMA", f.schema("B"))
    ra = api.create("REGISTRY_DESCRIPTOR", f.relationship(a, b))
    rb = api.create("REGISTRY_DESCRIPTOR", f.relationship(b, a))
    cl = _closure(state, api, [("REGISTRY_SCHEMA", a)])
    assert {i for _t, i in cl.nodes} == {a, b, ra, rb}
    order = [i for _t, i in cl.order()]
    assert len(order) == 4 and order.index(a) < order.index(ra) and order.index(b) < order.index(rb)
    assert set(cl.children(("REGISTRY_SCHEMA", a))) == {("REGISTRY_DESCRIPTOR", ra)}
    assert set(cl.children(("REGISTRY_DESCRIPTOR", ra))) == {("REGISTRY_SCHEMA", b)}


def test_queries_bounded_per_level(api: Api, state: AppState) -> None:
    """A 3-level graph of 600 objects costs the same number of queries as one of 6."""
    with state.db.transaction() as s:
        sandbox = sandbox_repository.live(s, api.org_id, "prod")
        assert sandbox is not None
        ctx = TypeContext(org_id=api.org_id, tenant=api.tenant)
        reg = state.types

        def build(n: int, tag: str) -> list[tuple[str, str]]:
            prepared = []
            roots = []
            for i in range(n):
                sch = registry_service.prepare(
                    reg.get("REGISTRY_SCHEMA"), f.schema(f"{tag}{i}"), ctx
                )
                desc = registry_service.prepare(
                    reg.get("REGISTRY_DESCRIPTOR"), f.identity_descriptor(sch.object_id), ctx
                )
                ds = registry_service.prepare(
                    reg.get("CATALOG_DATASET"), f.dataset(sch.object_id, f"{tag}ds{i}"), ctx
                )
                prepared += [sch, desc, ds]
                roots.append(("CATALOG_DATASET", ds.object_id))
            registry_service.create_objects(s, sandbox, ctx, prepared, "t")
            return roots

        small, large = build(2, "s"), build(200, "l")
    counts = []
    for roots in (small, large):
        with count_queries(state.db) as seen:
            cl = _closure(state, api, roots)
        counts.append(len(seen))
        assert len(cl.nodes) == 3 * len(roots)
    assert counts[0] == counts[1] <= 8


def test_missing_roots_reported(api: Api, state: AppState) -> None:
    gone = ("REGISTRY_SCHEMA", f"https://ns.adobe.com/{api.tenant}/schemas/gone")
    cl = _closure(state, api, [gone])
    assert cl.missing == [gone] and not cl.nodes
