"""`sbx serve --demo` (the README's start command) boots, seeds, prints a working token."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_demo_prints_a_working_token(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "SBX_DATA_DIR": str(tmp_path), "SBX_DATABASE_URL": ""}
    sbx = Path(sys.executable).parent / "sbx"
    proc = subprocess.Popen(
        [str(sbx), "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        out = ""
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        while "export TOKEN=" not in out and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            out += line
        match = re.search(r"export TOKEN='([^']+)' API_KEY='([^']+)' ORG='([^']+)'", out)
        assert match, out
        token, api_key, org = match.groups()
        headers = {"Authorization": f"Bearer {token}", "x-api-key": api_key, "x-gw-ims-org-id": org}
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                r = httpx.get(f"{base}/data/foundation/exim/packages", headers=headers)
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        assert r.status_code == 200
        names = {p["name"] for p in r.json()["data"]}
        assert names == {"Loyalty starter kit", "Loyalty schemas"}
        r = httpx.get(
            f"{base}/data/foundation/registry/objects/REGISTRY_SCHEMA",
            headers={**headers, "x-sandbox-name": "prod"},
        )
        assert r.json()["totalElements"] == 3
    finally:
        proc.terminate()
        proc.wait(timeout=20)
