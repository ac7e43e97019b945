"""Test fixtures: a real database built by ``alembic upgrade head``, the real app and runner.

``SBX_TEST_DATABASE_URL`` selects PostgreSQL: a ``postgresql://user@host:port/db`` URL of a
server on which a throw-away database is created for the run. Unset: SQLite in a temp dir.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from sandbox_tooling.api.app import create_app
from sandbox_tooling.config import Settings
from sandbox_tooling.db import Base, Database, normalize_url
from sandbox_tooling.identity import repository as identity_repository
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.migrate import upgrade
from sandbox_tooling.runtime import Runtime as AppState
from sandbox_tooling.runtime import build_runtime

ORG_A = "AAAA1111AAAA1111AAAA1111@AdobeOrg"
ORG_B = "BBBB2222BBBB2222BBBB2222@AdobeOrg"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = os.environ.get("SBX_TEST_DATABASE_URL", "")
    if not server:
        path = tmp_path_factory.mktemp("db") / "test.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url
        return
    name = f"sbx_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalize_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def _truncate(db: Database) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.is_sqlite:
            for name in tables:
                conn.execute(text(f'DELETE FROM "{name}"'))
        else:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in tables) + " CASCADE"))


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        blob_dir=tmp_path / "blobs",
        job_sweep_seconds=0.2,
        max_body_bytes=2 * 1024 * 1024,
    )


@pytest.fixture
def state(settings: Settings, db: Database) -> AppState:
    _truncate(db)
    return build_runtime(settings, db=db)


@pytest.fixture
def client(settings: Settings, state: AppState) -> Iterator[TestClient]:
    with TestClient(create_app(settings, state), raise_server_exceptions=False) as c:
        yield c


class Api:
    """An authenticated caller: one org, one user, its token and API key."""

    def __init__(
        self, client: TestClient, org_id: str, user_id: str, client_id: str, token: str, tenant: str
    ) -> None:
        self.client, self.org_id, self.user_id = client, org_id, user_id
        self.client_id, self.token, self.tenant = client_id, token, tenant

    def headers(self, sandbox: str | None = "prod", **extra: str) -> dict[str, str]:
        h = {
            "Authorization": f"Bearer {self.token}",
            "x-api-key": self.client_id,
            "x-gw-ims-org-id": self.org_id,
        }
        if sandbox:
            h["x-sandbox-name"] = sandbox
        h.update(extra)
        return h

    def request(
        self, method: str, path: str, *, sandbox: str | None = "prod", **kwargs: Any
    ) -> Any:
        headers = {**self.headers(sandbox), **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.request("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> Any:
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)

    # -- shortcuts ----------------------------------------------------------------------------
    def create(self, type_name: str, definition: dict[str, Any], sandbox: str = "prod") -> str:
        r = self.post(
            f"/data/foundation/registry/objects/{type_name}", json=definition, sandbox=sandbox
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def wait_job(self, job_id: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.get(f"/data/foundation/exim/tools/job/{job_id}")
            assert r.status_code == 200, r.text
            job: dict[str, Any] = r.json()["object"]
            if job["jobStatus"] in ("SUCCESS", "FAILED", "CANCELLED"):
                return job
            time.sleep(0.02)
        raise AssertionError(f"job {job_id} did not finish in {timeout}s")

    def publish(self, package_id: str) -> dict[str, Any]:
        r = self.get(f"/data/foundation/exim/packages/{package_id}/export")
        assert r.status_code == 200, r.text
        return self.wait_job(r.json()["jobId"])


def make_api(
    client: TestClient,
    state: AppState,
    org_id: str,
    tenant: str,
    user_id: str = "admin@example.com",
    roles: tuple[str, ...] = ("admin",),
    create_org: bool = True,
) -> Api:
    with state.db.transaction() as session:
        if create_org:
            identity_service.create_org(
                session, org_id=org_id, name=f"Org {tenant}", region="va7", tenant=tenant
            )
        identity_service.create_user(
            session, org_id=org_id, user_id=user_id, name=None, roles=list(roles)
        )
        cred, _secret = identity_service.create_credential(session, org_id=org_id, user_id=user_id)
        row = identity_repository.get_credential(session, cred.client_id)
        assert row is not None
        token = identity_service.mint_token(session, row, 3600)
    return Api(client, org_id, user_id, cred.client_id, token, tenant)


@pytest.fixture
def api(client: TestClient, state: AppState) -> Api:
    return make_api(client, state, ORG_A, "alpha")


@pytest.fixture
def api_b(client: TestClient, state: AppState) -> Api:
    return make_api(client, state, ORG_B, "bravo")
