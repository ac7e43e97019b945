"""The typed contract, checked by schemathesis against a real `sbx serve --demo`: every check
(no 5xx, every status and body as declared, schema-valid requests accepted, invalid ones
refused, Allow headers, stateful use-after-free...), authenticated, with the exceptions the
documents require listed in schemathesis.toml. A bounded run; docs/contract.md records the
large one."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sandbox_tooling.db import normalize_url

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server_database(tmp_path: Path) -> Iterator[str]:
    """An empty database of the kind under test: SQLite in a temp dir, or a throw-away
    PostgreSQL database beside the suite's own."""
    server = os.environ.get("SBX_TEST_DATABASE_URL", "")
    if not server:
        yield ""
        return
    name = f"sbx_contract_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalize_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_openapi_contract_holds(tmp_path: Path, server_database: str) -> None:
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    assert st, "schemathesis is a dev dependency (pyproject.toml)"
    port = _free_port()
    env = {
        **os.environ,
        "SBX_DATA_DIR": str(tmp_path),
        "SBX_DATABASE_URL": server_database,
        # Generated webhooks may name any host: deliveries go to the loopback address only
        # (connections refused there), never out of this machine.
        "SBX_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "SBX_WEBHOOK_ALLOW_LOOPBACK": "true",
        "SBX_WEBHOOK_MAX_ATTEMPTS": "1",
    }
    log = tmp_path / "server.log"
    # The server logs every request: to a file, never to a pipe nobody drains.
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "sbx"), "serve", "--demo", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        out = ""
        deadline = time.monotonic() + 60
        while "export TOKEN=" not in out and time.monotonic() < deadline:
            time.sleep(0.1)
            out = log.read_text()
        match = re.search(r"export TOKEN='([^']+)' API_KEY='([^']+)' ORG='([^']+)'", out)
        assert match, out
        token, api_key, org = match.groups()
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/openapi.json", timeout=5).close()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        run = subprocess.run(
            [
                st,
                "--config-file",
                str(ROOT / "schemathesis.toml"),
                "run",
                f"{base}/openapi.json",
                "--checks",
                "all",
                "-H",
                f"Authorization: Bearer {token}",
                "-H",
                f"x-api-key: {api_key}",
                "-H",
                f"x-gw-ims-org-id: {org}",
                "-H",
                "x-sandbox-name: prod",
                "--max-examples",
                "8",
                "--workers",
                "1",
                "--seed",
                "20261123",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
        )
        report = run.stdout + run.stderr
        assert run.returncode == 0, report[-6000:]
        generated = re.search(r"(\d+) generated", report)
        assert generated and int(generated.group(1)) > 500, report[-2000:]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
