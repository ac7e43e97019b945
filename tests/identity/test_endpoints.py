"""The IMS token endpoint: client credentials, refusals, hashed storage."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sandbox_tooling.models import AccessToken, Credential
from sandbox_tooling.runtime import Runtime as AppState
from tests.helpers import ORG_A

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
