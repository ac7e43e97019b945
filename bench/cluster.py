"""A local sbx cluster of processes: API processes (``sbx serve``) and workers (``sbx worker``)
on one PostgreSQL database, for the cluster test (tests/job/test_cluster.py) and the cluster
benchmark (bench/cluster_bench.py). ``scripts/run-cluster.sh`` starts the same layout from
the shell.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import httpx

SBX = [str(Path(sys.executable).parent / "sbx")]  # the venv's entry point


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """Processes sharing ``env`` (``SBX_DATABASE_URL``, blobs...); their output goes to files
    under ``log_dir``. ``stop`` ends every process it started (SIGTERM, then SIGKILL)."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = {**os.environ, **env, "SBX_JOB_BACKEND": "procrastinate"}
        self.log_dir = log_dir
        log_dir.mkdir(parents=True, exist_ok=True)
        self.apis: list[tuple[subprocess.Popen[bytes], str]] = []
        self.workers: list[subprocess.Popen[bytes]] = []
        self._logs: list[IO[bytes]] = []

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        out = (self.log_dir / f"{name}.log").open("ab")
        self._logs.append(out)
        return subprocess.Popen(
            [*SBX, *args], env=self.env, stdout=out, stderr=subprocess.STDOUT, close_fds=True
        )

    def migrate(self) -> None:
        subprocess.run([*SBX, "migrate"], env=self.env, check=True, capture_output=True)

    def start_api(self, workers: int = 1) -> str:
        port = free_port()
        n = len(self.apis)
        proc = self._spawn(f"api{n}", ["serve", "--port", str(port), "--workers", str(workers)])
        url = f"http://127.0.0.1:{port}"
        self.apis.append((proc, url))
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"API process {n} exited: see {self.log_dir}/api{n}.log"
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    return url
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"API process {n} did not become ready"
            time.sleep(0.1)

    def start_worker(self, concurrency: int = 2, nice: int = 0) -> subprocess.Popen[bytes]:
        n = len(self.workers)
        args = ["worker", "--concurrency", str(concurrency), "--nice", str(nice)]
        proc = self._spawn(f"worker{n}", args)
        self.workers.append(proc)
        return proc

    def wait_workers_registered(self, db_url: str, count: int, timeout: float = 60) -> None:
        """Until ``count`` workers have registered with the queue (heartbeats)."""
        import psycopg

        deadline = time.monotonic() + timeout
        plain = db_url.replace("postgresql+psycopg://", "postgresql://")
        while True:
            for i, w in enumerate(self.workers):
                assert w.poll() is None, f"worker {i} exited: see {self.log_dir}/worker{i}.log"
            with psycopg.connect(plain) as conn:
                row = conn.execute("SELECT count(*) FROM procrastinate_workers").fetchone()
            if row is not None and row[0] >= count:
                return
            assert time.monotonic() < deadline, "the workers did not register"
            time.sleep(0.1)

    def stop(self) -> None:
        procs = [p for p, _ in self.apis] + self.workers
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for f in self._logs:
            f.close()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop()
