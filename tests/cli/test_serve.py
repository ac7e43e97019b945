"""`sbx serve --demo` (the README's start command) boots, seeds, prints a working token."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, headers: dict[str, str]) -> dict:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
        assert r.status == 200
        return json.loads(r.read())


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
        while "Console: " not in out and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            out += line
        match = re.search(r"export TOKEN='([^']+)' API_KEY='([^']+)' ORG='([^']+)'", out)
        assert match, out
        token, api_key, org = match.groups()
        headers = {"Authorization": f"Bearer {token}", "x-api-key": api_key, "x-gw-ims-org-id": org}
        base = f"http://127.0.0.1:{port}"
        body = None
        for _ in range(200):
            try:
                body = _get(f"{base}/data/foundation/exim/packages", headers)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        assert body is not None
        names = {p["name"] for p in body["data"]}
        assert names == {"Loyalty starter kit", "Loyalty schemas"}
        schemas = _get(
            f"{base}/data/foundation/registry/objects/REGISTRY_SCHEMA",
            {**headers, "x-sandbox-name": "prod"},
        )
        assert schemas["totalElements"] == 3
        console = re.search(r"Console: (http://\S+/)  user (\S+)  password (\S+)", out)
        assert console, out
        url, user, password = console.groups()
        assert url == f"{base}/" and user == "admin@acme.example"
        _sign_in(url, user, password)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    # A restart on the same data directory prints the same, still valid, password.
    port = _free_port()
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
        while "Console: " not in out and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            out += line
        again = re.search(r"Console: (http://\S+/)  user (\S+)  password (\S+)", out)
        assert again and again.group(3) == password, out
        _sign_in(again.group(1), user, password)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _sign_in(url: str, user: str, password: str) -> None:
    """Sign in to the console with the printed password (cookie jar, CSRF token, redirect)."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    for _ in range(200):
        try:
            form = opener.open(url, timeout=10).read().decode()
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, form
    data = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "user": user, "password": password, "next": ""}
    ).encode()
    with opener.open(url + "console/sign-in", data=data, timeout=10) as r:
        page = r.read().decode()
        assert r.status == 200 and r.url.endswith("/console/sandboxes"), r.url
    assert "Sign out" in page and user in page


def test_serve_workers_refused_with_the_in_process_runner(tmp_path: Path) -> None:
    """Several API processes need the procrastinate backend: on SQLite the in-process runner
    runs jobs inside the one serving process."""
    env = {**os.environ, "SBX_DATA_DIR": str(tmp_path), "SBX_DATABASE_URL": ""}
    sbx = Path(sys.executable).parent / "sbx"
    for args in (["serve", "--workers", "2"], ["worker"]):
        proc = subprocess.run(
            [str(sbx), *args], env=env, capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 2, proc.stderr
        assert "procrastinate" in proc.stderr and "PostgreSQL" in proc.stderr


def test_serve_workers_on_postgresql(tmp_path: Path, database_url: str) -> None:
    """`sbx serve --workers 2` (procrastinate backend): two API processes answer on one port,
    and /metrics of either counts the requests of both (a shared multiprocess directory)."""
    import pytest

    if database_url.startswith("sqlite"):
        pytest.skip("several API processes need PostgreSQL")
    port = _free_port()
    env = {
        **os.environ,
        "SBX_DATA_DIR": str(tmp_path),
        "SBX_DATABASE_URL": database_url,
        "SBX_JOB_BACKEND": "procrastinate",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    sbx = Path(sys.executable).parent / "sbx"
    proc = subprocess.Popen(
        [str(sbx), "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert _get(f"{base}/readyz", {})["status"] == "ready"
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        for _ in range(40):
            _get(f"{base}/healthz", {})
        with urllib.request.urlopen(f"{base}/metrics", timeout=10) as r:
            metrics = r.read().decode()
        counted = sum(
            float(line.rsplit(" ", 1)[1])
            for line in metrics.splitlines()
            if line.startswith("sbx_http_requests_total{") and 'route="/healthz"' in line
        )
        assert counted == 40  # whichever process answered each
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert "2 API processes" in out and "jobs: in `sbx worker` processes" in out
