"""Authentication (gateway header checks answered in the gateway's shape) and permission
checks of roles, for all sandboxes or named ones."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from sandbox_tooling.runtime import Runtime as AppState
from tests.helpers import ORG_A, Api, make_api

PKGS = "/data/foundation/exim/packages"


class TestGateway:
    def test_missing_token(self, api: Api) -> None:
        r = api.client.get(PKGS, headers={"x-api-key": api.client_id, "x-gw-ims-org-id": ORG_A})
        assert r.status_code == 403 and r.json() == {
            "error_code": "403010",
            "message": "Oauth token is missing.",
        }

    @pytest.mark.parametrize("auth", ["Bearer nope", "Basic abc", "Bearer "])
    def test_invalid_token(self, api: Api, auth: str) -> None:
        r = api.client.get(PKGS, headers={**api.headers(), "Authorization": auth})
        assert r.status_code == 401 and r.json()["error_code"] == "401013"

    def test_expired_token(self, api: Api, state: AppState) -> None:
        with state.db.transaction() as s:
            s.execute(text("UPDATE access_tokens SET expires_at = 1"))
        r = api.get(PKGS)
        assert r.status_code == 401 and r.json()["error_code"] == "401013"

    def test_api_key(self, api: Api) -> None:
        h = api.headers()
        del h["x-api-key"]
        r = api.client.get(PKGS, headers=h)
        assert r.status_code == 403 and r.json()["error_code"] == "403000"
        r = api.client.get(PKGS, headers={**api.headers(), "x-api-key": "other"})
        assert r.status_code == 403 and r.json()["error_code"] == "403003"

    def test_org_header(self, api: Api) -> None:
        h = api.headers()
        del h["x-gw-ims-org-id"]
        r = api.client.get(PKGS, headers=h)
        assert r.status_code == 400 and r.json()["error_code"] == "400003"
        r = api.client.get(PKGS, headers={**api.headers(), "x-gw-ims-org-id": "X@AdobeOrg"})
        assert r.status_code == 403 and r.json()["error_code"] == "403025"


class TestPermissions:
    def test_user_without_roles_is_403(self, api: Api, client: TestClient, state: AppState) -> None:
        nobody = make_api(
            client, state, ORG_A, "alpha", user_id="nobody@a", roles=(), create_org=False
        )
        r = nobody.get(PKGS)
        assert r.status_code == 403 and "Package:view" in r.json()["detail"]
        r = nobody.post(
            "/data/foundation/registry/objects/ID_NAMESPACE",
            json={"code": "c", "name": "n", "idType": "EMAIL"},
        )
        assert r.status_code == 403 and "Identity:write" in r.json()["detail"]

    def test_scoped_role(self, api: Api, client: TestClient, state: AppState) -> None:
        from sandbox_tooling.identity import service

        api.post(
            "/data/foundation/sandbox-management/sandboxes",
            json={"name": "dev", "title": "Dev", "type": "development"},
        )
        with state.db.transaction() as s:
            service.create_role(
                s,
                org_id=ORG_A,
                name="dev-identity",
                permissions=["Identity:read,write"],
                sandboxes=["dev"],
            )
        dev = make_api(
            client,
            state,
            ORG_A,
            "alpha",
            user_id="dev@a",
            roles=("dev-identity",),
            create_org=False,
        )
        body = {"code": "c1", "name": "n", "idType": "EMAIL"}
        assert (
            dev.post(
                "/data/foundation/registry/objects/ID_NAMESPACE", json=body, sandbox="dev"
            ).status_code
            == 201
        )
        assert (
            dev.post(
                "/data/foundation/registry/objects/ID_NAMESPACE", json=body, sandbox="prod"
            ).status_code
            == 403
        )
        r = dev.get("/data/foundation/sandbox-management/")
        assert [s["name"] for s in r.json()["sandboxes"]] == ["dev"]
