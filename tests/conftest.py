"""Test fixtures: a real database built by ``alembic upgrade head``, the real app and runner.

``SBX_TEST_DATABASE_URL`` selects PostgreSQL: a ``postgresql://user@host:port/db`` URL of a
server on which a throw-away database is created for the run. Unset: SQLite in a temp dir.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from moto.server import ThreadedMotoServer
from sqlalchemy import create_engine, text

from sandbox_tooling.api.app import create_app
from sandbox_tooling.config import Settings
from sandbox_tooling.db import Base, Database, normalize_url
from sandbox_tooling.migrate import upgrade
from sandbox_tooling.runtime import Runtime as AppState
from sandbox_tooling.runtime import build_runtime
from tests.helpers import ORG_A, ORG_B, Api, Credential, credential, live_server, make_api

# Tests run jobs in-process on both databases, also where they build their own Settings or
# start sbx subprocesses; the procrastinate backend's tests choose it explicitly.
os.environ.setdefault("SBX_JOB_BACKEND", "inprocess")


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
        # The in-process runner on both databases (the procrastinate backend, PostgreSQL's
        # default, is tested with worker processes: tests/job/test_queue.py, test_cluster.py).
        job_backend="inprocess",
        job_sweep_seconds=0.2,
        max_body_bytes=2 * 1024 * 1024,
        # Webhooks reach only the loopback servers the tests start (tests/webhook/conftest.py),
        # and retry fast.
        webhook_allowed_hosts=["127.0.0.1"],
        webhook_allow_loopback=True,
        webhook_max_attempts=3,
        webhook_retry_base_seconds=0.05,
        webhook_retry_max_seconds=1.0,
        webhook_timeout_seconds=5.0,
    )


@pytest.fixture
def state(settings: Settings, db: Database) -> AppState:
    _truncate(db)
    return build_runtime(settings, db=db)


@pytest.fixture
def client(settings: Settings, state: AppState) -> Iterator[TestClient]:
    with TestClient(create_app(settings, state), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def api(client: TestClient, state: AppState) -> Api:
    return make_api(client, state, ORG_A, "alpha")


@pytest.fixture
def api_b(client: TestClient, state: AppState) -> Api:
    return make_api(client, state, ORG_B, "bravo")


@pytest.fixture
def live_url(settings: Settings, state: AppState) -> Iterator[str]:
    """The app served over HTTP on a free port (for the SDK and the CLI)."""
    with live_server(create_app(settings, state)) as url:
        yield url


@pytest.fixture
def cred_a(state: AppState) -> Credential:
    """An admin credential of org A (tenant ``alpha``), with its secret."""
    return credential(state, ORG_A, "alpha")


@pytest.fixture
def cred_b(state: AppState) -> Credential:
    """An admin credential of org B (tenant ``bravo``), with its secret."""
    return credential(state, ORG_B, "bravo")


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A local S3 server for the whole run; credentials are moto's dummies."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        yield f"http://127.0.0.1:{port}"
    server.stop()
