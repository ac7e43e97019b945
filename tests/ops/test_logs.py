"""A real `sbx serve`: JSON log lines, the request id on a request's lines, the job id on a
job's lines, and no token or secret anywhere in the log."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(base: str, method: str, path: str, headers: dict[str, str], body: object = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=10) as r:
        return dict(json.loads(r.read()))


def test_structured_logs(tmp_path: Path) -> None:
    port, base = _free_port(), ""
    env = {**os.environ, "SBX_DATA_DIR": str(tmp_path), "SBX_DATABASE_URL": ""}
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("w") as o, err.open("w") as e:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "sbx"), "serve", "--demo", "--port", str(port)],
            env=env,
            stdout=o,
            stderr=e,
        )
    try:
        deadline = time.monotonic() + 60
        while "export TOKEN=" not in out.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        announced = out.read_text()
        token, api_key, org = re.search(
            r"export TOKEN='([^']+)' API_KEY='([^']+)' ORG='([^']+)'", announced
        ).groups()  # type: ignore[union-attr]
        secrets = [token, *re.findall(r"client_secret:\s+(\S+)", announced)]
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.05)
        headers = {
            "Authorization": f"Bearer {token}",
            "x-api-key": api_key,
            "x-gw-ims-org-id": org,
            "x-request-id": "trace-me-42",
            "Content-Type": "application/json",
        }
        packages = _call(base, "GET", "/data/foundation/exim/packages", headers)["data"]
        draft = next(p for p in packages if p["status"] == "DRAFT")
        job_id = _call(
            base, "GET", f"/data/foundation/exim/packages/{draft['id']}/export", headers
        )["jobId"]
        for _ in range(200):
            job = _call(base, "GET", f"/data/foundation/exim/tools/job/{job_id}", headers)
            if job["object"]["jobStatus"] in ("SUCCESS", "FAILED"):
                break
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    text = err.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert lines, "no log lines"
    traced = [x for x in lines if x.get("request_id") == "trace-me-42"]
    assert any(x.get("event") == "request" and x.get("status") == 200 for x in traced)
    assert any(x.get("job_id") == job_id and "job finished" in x["event"] for x in lines)
    for secret in secrets:
        assert secret not in text, "a token or secret reached the log"
