"""The cache of recent callers (identity/cache.py): a change made in this process applies to
the next request; one made elsewhere within SBX_AUTH_CACHE_SECONDS; expiry on every request."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.models import Role, UserRole
from sandbox_tooling.runtime import Runtime
from tests import factories as f
from tests.helpers import ORG_A, Api, make_api, package, sandbox

P = "/data/foundation/exim/packages"


def dev_only(client: TestClient, state: Runtime) -> Api:
    with state.db.transaction() as s:
        identity_service.create_role(
            s, org_id=ORG_A, name="dev-only", permissions=["Package:view"], sandboxes=["dev"]
        )
    return make_api(
        client, state, ORG_A, "alpha", user_id="dev@a", roles=("dev-only",), create_org=False
    )


def prod_package(api: Api) -> str:
    world = f.seed_world(api)
    sandbox(api, "dev")
    return package(api, [("CATALOG_DATASET", world["ds"])], name="prod pkg")


def test_a_role_granted_in_this_process_applies_to_the_next_request(
    api: Api, client: TestClient, state: Runtime
) -> None:
    pid = prod_package(api)
    dev = dev_only(client, state)
    assert dev.get(f"{P}/{pid}").status_code == 404  # cached now
    assert len(state.callers._entries) >= 1
    with state.db.transaction() as s:
        identity_service.assign_role(s, org_id=ORG_A, user_id="dev@a", role="admin")
    assert dev.get(f"{P}/{pid}").status_code == 200


def test_a_role_revoked_elsewhere_applies_within_the_cache_time(
    api: Api, client: TestClient, state: Runtime
) -> None:
    pid = prod_package(api)
    dev = dev_only(client, state)
    with state.db.transaction() as s:
        identity_service.assign_role(s, org_id=ORG_A, user_id="dev@a", role="admin")
    state.callers.seconds = 1.0
    assert dev.get(f"{P}/{pid}").status_code == 200
    # Another process revokes it: plain SQL on a connection of its own (no ORM session of
    # this process sees the change).
    with state.db.engine.begin() as conn:
        admin = conn.execute(Role.__table__.select().where(Role.name == "admin")).first()
        assert admin is not None
        conn.execute(delete(UserRole).where(UserRole.role_pk == admin.pk))
    assert dev.get(f"{P}/{pid}").status_code == 200  # still the cached caller
    time.sleep(1.1)
    assert dev.get(f"{P}/{pid}").status_code == 404


def test_an_expired_token_is_refused_though_cached(
    api: Api, monkeypatch: pytest.MonkeyPatch, state: Runtime
) -> None:
    assert api.get(P).status_code == 200
    assert state.callers._entries
    later = identity_service.now_ms() + 2 * 3600 * 1000
    monkeypatch.setattr(identity_service, "now_ms", lambda: later)
    r = api.get(P)
    assert r.status_code == 401, r.text


def test_wrong_headers_are_refused_on_a_cached_token(api: Api) -> None:
    assert api.get(P).status_code == 200
    r = api.get(P, headers={**api.headers(), "x-api-key": "not-the-client"})
    assert r.status_code in (401, 403), r.text
    r = api.get(P, headers={**api.headers(), "x-gw-ims-org-id": "other@AdobeOrg"})
    assert r.status_code in (401, 403), r.text
    assert api.get(P).status_code == 200


def test_zero_seconds_keeps_nothing(api: Api, state: Runtime) -> None:
    state.callers.seconds = 0
    assert api.get(P).status_code == 200
    assert not state.callers._entries
