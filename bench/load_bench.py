"""Benchmark: reads under load, idle and during imports, and a burst of connections (issue 9 §1).

Usage:
  .venv/bin/python bench/load_bench.py [--database-url postgresql://…/<empty db>]
      [--rps 200] [--seconds 20] [--clients 100] [--objects 10000] [--connections 500]
      [--api-workers N --job-workers M] [--job-processes] [--job-nice K]

By default one ``sbx serve`` runs the API and (in-process runner) the imports. With
``--job-workers M`` (PostgreSQL), the layout of docs/deployment.md: ``sbx serve --workers
N`` (``--api-workers``) for the API and M ``sbx worker`` processes (Procrastinate) for jobs.
``--job-processes``: the single server runs each job in a job process of its own
(``SBX_JOB_PROCESSES``); ``--job-nice K``: job processes and workers at nice K.

Set-up (not timed): a source sandbox of ``--objects`` wired objects published as one package
(``import_bench.prepare``), and a small draft package of one dataset to read. Then
``sbx serve`` is started as a subprocess (the defaults of every setting but the package size
limits, its JSON log on a file) and measured with ``loadgen``:

(a) idle: ``--rps`` requests per second of ``GET /packages/{id}`` for ``--seconds`` from
    ``--clients`` keep-alive connections (open loop: latency from each request's due time);
(b) the same while the big package is imported again and again, each time into a new
    sandbox (created, imported, polled on its jobs-list item every 0.1 s, by a client thread),
    so that an import runs during the whole window;
(c) ``--connections`` connections opened at once, one request each: every one answered (200
    or 503 with Retry-After), none after 30 s; then one request, which must be a 200.

Goals: no error (anything but 200) in (a) and (b), p99 < 50 ms in (a) and < 250 ms in (b);
(c) as stated. Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from cluster import Cluster
from common import P, headers_for
from import_bench import _settings, prepare
from loadgen import run_burst, run_rate

from sandbox_tooling.kit import logs
from sandbox_tooling.runtime import build_runtime

SM = "/data/foundation/sandbox-management/sandboxes"
OBJ = "/data/foundation/registry/objects"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data_dir: Path, database_url: str) -> dict[str, str]:
    return {
        "SBX_DATA_DIR": str(data_dir),
        "SBX_DATABASE_URL": database_url,
        "SBX_MAX_PACKAGE_ARTIFACTS": "1000000",
        "SBX_MAX_CLOSURE_SIZE": "2000000",
    }


def start_server(
    data_dir: Path, database_url: str, port: int, log: Path, **extra: str
) -> subprocess.Popen[bytes]:
    """One ``sbx serve`` running the API and the jobs (the in-process runner)."""
    env = {
        **os.environ,
        **server_env(data_dir, database_url),
        "SBX_JOB_BACKEND": "inprocess",
        **extra,
    }
    sbx = Path(sys.executable).parent / "sbx"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(sbx), "serve", "--port", str(port)], env=env, stdout=out, stderr=out
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, log.read_text()[-2000:]
        time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("the server did not start")


class Importer(threading.Thread):
    """Imports the package into new sandboxes, one after the other, until stopped."""

    def __init__(self, base: str, headers: dict[str, str], package_id: str, first: str) -> None:
        super().__init__(name="bench-importer", daemon=True)
        self.base, self.headers, self.package_id, self.first = base, headers, package_id, first
        self.stop = threading.Event()
        self.started_one = threading.Event()
        self.runs: list[dict[str, Any]] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=120) as c:
            n = 0
            while not self.stop.is_set():
                name = self.first if n == 0 else f"load{n}"
                if n:
                    r = c.post(SM, json={"name": name, "title": name, "type": "development"})
                    r.raise_for_status()
                start = time.monotonic()
                r = c.post(
                    f"{P}/import",
                    json={"id": self.package_id, "destinationSandbox": {"name": name}},
                )
                r.raise_for_status()
                job_id = r.json()["jobId"]
                self.started_one.set()
                while True:
                    item = c.get(f"{P}/jobs", params={"property": f"id=={job_id}"}).json()
                    status = item["data"][0]["jobStatus"]
                    if status in ("SUCCESS", "FAILED"):
                        break
                    time.sleep(0.1)
                self.runs.append(
                    {
                        "sandbox": name,
                        "status": status,
                        "seconds": round(time.monotonic() - start, 2),
                    }
                )
                n += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rps", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--api-workers", type=int, default=1, help="sbx serve --workers")
    parser.add_argument(
        "--job-workers", type=int, default=0, help="sbx worker processes (0: in-process runner)"
    )
    parser.add_argument(
        "--job-processes",
        action="store_true",
        help="single server: SBX_JOB_PROCESSES=true (jobs in job processes of their own)",
    )
    parser.add_argument(
        "--job-nice", type=int, default=0, help="SBX_JOB_NICE (job processes, sbx worker)"
    )
    args = parser.parse_args()
    if (args.job_workers or args.api_workers > 1) and not args.database_url:
        parser.error("--api-workers and --job-workers need --database-url (PostgreSQL)")
    logs.configure("WARNING")  # the set-up's requests: standard output is the JSON result

    data_dir = Path(tempfile.mkdtemp(prefix="sbx-load-bench-"))
    prepared = prepare(data_dir, args.database_url, [args.objects])
    big = prepared["packages"][args.objects]
    state = build_runtime(_settings(data_dir, args.database_url))
    headers = headers_for(state, prepared["client_id"])
    state.db.dispose()
    del headers["Content-Type"]

    cluster: Cluster | None = None
    server: subprocess.Popen[bytes] | None = None
    if args.job_workers:
        cluster = Cluster(server_env(data_dir, args.database_url), data_dir / "cluster")
        cluster.migrate()  # Procrastinate's schema
        base = cluster.start_api(workers=args.api_workers)
        for _ in range(args.job_workers):
            cluster.start_worker(concurrency=1, nice=args.job_nice)
        cluster.wait_workers_registered(args.database_url, args.job_workers)
    else:
        port = free_port()
        extra = {"SBX_JOB_NICE": str(args.job_nice)}
        if args.job_processes:
            extra["SBX_JOB_PROCESSES"] = "true"
        server = start_server(data_dir, args.database_url, port, data_dir / "server.log", **extra)
        base = f"http://127.0.0.1:{port}"
    out: dict[str, Any] = {
        "benchmark": "load",
        "database": "PostgreSQL" if args.database_url else "SQLite",
        "machine": f"{os.cpu_count()} CPU, Python {platform.python_version()}",
        "rps": args.rps,
        "seconds": args.seconds,
        "clients": args.clients,
        "api_processes": args.api_workers,
        "job_workers": args.job_workers or "in-process",
        "job_processes": args.job_processes,
        "job_nice": args.job_nice,
    }
    try:
        src = f"src{args.objects}"
        with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
            r = c.get(
                f"{OBJ}/CATALOG_DATASET", params={"limit": 1}, headers={"x-sandbox-name": src}
            )
            r.raise_for_status()
            root = r.json()["data"][0]["id"]
            r = c.post(
                P,
                json={
                    "name": "probe",
                    "packageType": "PARTIAL",
                    "sourceSandbox": {"name": src},
                    "artifacts": [{"id": root, "type": "CATALOG_DATASET"}],
                },
            )
            r.raise_for_status()
            url = f"{base}{P}/{r.json()['id']}"
        run_rate(url, 50, 2, 20, headers)  # warm-up, not reported

        idle = run_rate(url, args.rps, args.seconds, args.clients, headers)
        out["idle"] = idle.summary()
        print("idle:", idle.format(), file=sys.stderr)

        importer = Importer(base, {**headers, "x-sandbox-name": "prod"}, big, f"dst{args.objects}")
        importer.start()
        assert importer.started_one.wait(60), "the first import was not submitted"
        busy = run_rate(url, args.rps, args.seconds, args.clients, headers)
        importer.stop.set()
        importer.join(300)
        out["during_import"] = {**busy.summary(), "imports": importer.runs}
        print("during import:", busy.format(), importer.runs, file=sys.stderr)

        burst, retry_after = run_burst(url, args.connections, headers)
        started = time.monotonic()
        after = httpx.get(url, headers=headers, timeout=60)
        out["burst"] = {
            **burst.summary(),
            "connections": args.connections,
            "with_retry_after": retry_after,
            "next_request": {
                "status": after.status_code,
                "seconds": round(time.monotonic() - started, 3),
            },
        }
        print("burst:", burst.format(), retry_after, file=sys.stderr)

        a, b = out["idle"], out["during_import"]
        answered = set(burst.statuses) <= {200, 503}
        out["goals"] = {
            "idle: 0 errors, p99 < 50 ms": a["error_count"] == 0 and a["p99_ms"] < 50,
            "during import: 0 errors, p99 < 250 ms": b["error_count"] == 0 and b["p99_ms"] < 250,
            "burst: all answered 200/503 (503 with Retry-After), none after 30 s": (
                answered
                and not burst.errors
                and burst.late == 0
                and retry_after.get(503, 0) == burst.statuses.get(503, 0)
            ),
            "burst: the next request is a 200": after.status_code == 200,
        }
        out["imports_failed"] = [r for r in importer.runs if r["status"] != "SUCCESS"]
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        if cluster is not None:
            cluster.stop()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
