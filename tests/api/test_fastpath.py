"""api/fastpath.py: the short way through FastAPI answers exactly as FastAPI's own way."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sandbox_tooling.api import fastpath
from sandbox_tooling.api.routing import ReadRoute
from tests import factories as f
from tests.helpers import Api, package

P = "/data/foundation/exim/packages"


def _slow_way(app: FastAPI) -> None:
    """Any dependency override sends every route FastAPI's way."""

    def unused() -> None:  # pragma: no cover - never called
        return None

    app.dependency_overrides[unused] = unused


def _answers(api: Api, requests: list[tuple[str, dict[str, Any]]]) -> list[tuple[int, Any]]:
    out = []
    for path, kw in requests:
        r = api.get(path, **kw)
        out.append((r.status_code, r.json(), r.headers.get("content-type")))
    return out


def test_qualifying_routes(client: TestClient) -> None:
    app: Any = client.app
    planned = {}
    for route in app.router.routes:
        for ctx in getattr(route, "effective_route_contexts", list)():
            original = ctx.original_route
            if isinstance(original, ReadRoute):
                planned[(original.path, tuple(sorted(original.methods)))] = (
                    fastpath.plan_for(ctx) is not None
                )
    assert planned[(f"{P}/{{package_id}}", ("GET",))]
    assert planned[("/data/foundation/sandbox-management/sandboxTypes", ("GET",))]
    assert not planned[(P, ("POST",))]  # a body: FastAPI's way
    assert sum(planned.values()) >= 15


@pytest.fixture
def requests(api: Api) -> list[tuple[str, dict[str, Any]]]:
    world = f.seed_world(api)
    pid = package(api, [("CATALOG_DATASET", world["ds"])])
    bare = {"headers": {"Authorization": ""}}
    return [
        (f"{P}/{pid}", {}),
        (f"{P}/{pid}?getCapabilities=true", {}),
        (f"{P}/{pid}?getCapabilities=maybe", {}),  # parameter validation: 400
        (f"{P}/{pid}?nope=1", {}),  # unknown parameter: 400
        (f"{P}/no-such-package", {}),  # 404
        (f"{P}/{pid}", bare),  # no token: 403 (the gateway's answer)
        (f"{P}/{pid}", {"headers": {"Authorization": "Bearer nope"}}),
        (f"{P}/{pid}", {"headers": {"x-api-key": "wrong"}}),
        (P, {}),
        (f"{P}?limit=0", {}),
        ("/data/foundation/sandbox-management/sandboxTypes", {}),
        ("/data/foundation/sandbox-management/sandboxes/prod", {}),
        ("/data/foundation/sandbox-management/sandboxes/absent", {}),
        (f"{P}/jobs", {}),
    ]


def test_both_ways_answer_alike(
    api: Api, client: TestClient, requests: list[tuple[str, dict[str, Any]]]
) -> None:
    short = _answers(api, requests)
    _slow_way(client.app)  # type: ignore[arg-type]
    long = _answers(api, requests)
    assert short == long
    statuses = [s for s, _b, _c in short]
    assert {200, 400, 403, 404} <= set(statuses), statuses


def test_the_short_way_is_taken(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    handle = fastpath.Plan.handle

    async def counted(self: fastpath.Plan, request: Any) -> Any:
        calls.append(request.url.path)
        return await handle(self, request)

    monkeypatch.setattr(fastpath.Plan, "handle", counted)
    assert api.get(P).status_code == 200
    assert calls == [P]
