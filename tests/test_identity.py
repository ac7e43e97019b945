"""Tokens, gateway header checks, admin CLI commands and permission checks."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from typer.testing import CliRunner

from sandbox_tooling.cli.main import app as cli
from sandbox_tooling.config import get_settings
from sandbox_tooling.models import AccessToken, Credential
from sandbox_tooling.runtime import Runtime as AppState
from tests.conftest import ORG_A, Api, make_api

TOKEN = "/ims/token/v3"
PKGS = "/data/foundation/exim/packages"


@pytest.fixture
def credential(state: AppState) -> tuple[str, str]:
    from sandbox_tooling.identity import service

    with state.db.transaction() as s:
        service.create_org(s, org_id=ORG_A, name="A", region="va7", tenant="alpha")
        service.create_user(s, org_id=ORG_A, user_id="u@a", name=None, roles=["admin"])
        cred, secret = service.create_credential(s, org_id=ORG_A, user_id="u@a")
    return cred.client_id, secret


class TestToken:
    def test_client_credentials(self, client: TestClient, credential: tuple[str, str]) -> None:
        cid, secret = credential
        r = client.post(
            TOKEN,
            data={
                "grant_type": "client_credentials",
                "client_id": cid,
                "client_secret": secret,
                "scope": "openid",
            },
        )
        assert r.status_code == 200
        body = r.json()
        assert body["token_type"] == "bearer" and body["expires_in"] == 86400
        r = client.get(
            PKGS,
            headers={
                "Authorization": f"Bearer {body['access_token']}",
                "x-api-key": cid,
                "x-gw-ims-org-id": ORG_A,
            },
        )
        assert r.status_code == 200

    @pytest.mark.parametrize(
        ("form", "status", "word"),
        [
            ({"grant_type": "password"}, 400, "grant_type"),
            ({"grant_type": "client_credentials"}, 400, "client_id"),
            ({"grant_type": "client_credentials", "client_id": "x"}, 400, "client_secret"),
            (
                {"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"},
                401,
                "client",
            ),
        ],
    )
    def test_bad_token_requests(
        self, client: TestClient, credential: tuple[str, str], form: dict, status: int, word: str
    ) -> None:
        r = client.post(TOKEN, data=form)
        assert r.status_code == status
        assert word in r.json()["error_description"]

    def test_wrong_secret_is_401(self, client: TestClient, credential: tuple[str, str]) -> None:
        r = client.post(
            TOKEN,
            data={
                "grant_type": "client_credentials",
                "client_id": credential[0],
                "client_secret": "nope",
            },
        )
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"

    def test_secrets_and_tokens_stored_hashed(
        self, client: TestClient, state: AppState, credential: tuple[str, str]
    ) -> None:
        cid, secret = credential
        token = client.post(
            TOKEN,
            data={"grant_type": "client_credentials", "client_id": cid, "client_secret": secret},
        ).json()["access_token"]
        with state.db.transaction(write=False) as s:
            stored = s.scalars(select(Credential.secret_hash)).all()
            hashes = s.scalars(select(AccessToken.token_hash)).all()
        assert secret not in stored and token not in hashes
        assert all(len(h) == 64 for h in [*stored, *hashes])


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


class TestAdminCli:
    def test_commands_print_json(self, state: AppState, settings, monkeypatch) -> None:
        monkeypatch.setenv("SBX_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("SBX_DATA_DIR", str(settings.data_dir))
        get_settings.cache_clear()
        try:
            runner = CliRunner()
            r = runner.invoke(
                cli,
                [
                    "admin",
                    "create-org",
                    "--id",
                    "CCCC@AdobeOrg",
                    "--name",
                    "Cyan Co",
                    "--region",
                    "va7",
                    "--tenant",
                    "cyan",
                ],
            )
            assert r.exit_code == 0, r.output
            assert json.loads(r.stdout)["sandboxes"] == ["prod"]
            r = runner.invoke(
                cli,
                [
                    "admin",
                    "create-role",
                    "--org",
                    "CCCC@AdobeOrg",
                    "--name",
                    "schemas",
                    "--permission",
                    "Schema:read,write",
                    "--sandbox",
                    "prod",
                ],
            )
            assert r.exit_code == 0, r.output
            assert json.loads(r.stdout)["permissions"] == [
                {"resource": "Schema", "actions": ["read", "write"]}
            ]
            r = runner.invoke(
                cli,
                [
                    "admin",
                    "create-user",
                    "--org",
                    "CCCC@AdobeOrg",
                    "--id",
                    "jo@cyan",
                    "--role",
                    "admin",
                ],
            )
            assert r.exit_code == 0 and json.loads(r.stdout)["roles"] == ["admin"]
            r = runner.invoke(
                cli,
                [
                    "admin",
                    "assign-role",
                    "--org",
                    "CCCC@AdobeOrg",
                    "--user",
                    "jo@cyan",
                    "--role",
                    "schemas",
                ],
            )
            assert r.exit_code == 0, r.output
            r = runner.invoke(
                cli, ["admin", "create-credential", "--org", "CCCC@AdobeOrg", "--user", "jo@cyan"]
            )
            cred = json.loads(r.stdout)
            assert set(cred) == {"client_id", "client_secret"}
            r = runner.invoke(
                cli,
                [
                    "admin",
                    "create-org",
                    "--id",
                    "CCCC@AdobeOrg",
                    "--name",
                    "dup",
                    "--region",
                    "va7",
                ],
            )
            assert r.exit_code == 1 and "already exists" in r.stderr
            r = runner.invoke(
                cli,
                [
                    "admin",
                    "create-role",
                    "--org",
                    "CCCC@AdobeOrg",
                    "--name",
                    "x",
                    "--permission",
                    "Schema:fly",
                ],
            )
            assert r.exit_code == 1 and "fly" in r.stderr
        finally:
            get_settings.cache_clear()
