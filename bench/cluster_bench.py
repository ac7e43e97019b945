"""Benchmark: import throughput of the scale-out layout with 1 worker and with 2 workers.

Usage:
  .venv/bin/python bench/cluster_bench.py [--imports 12] [--objects 1000] [--runs 2]
      [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

A fresh PostgreSQL database is created on the server (and dropped at the end). A source
sandbox of ``--objects`` wired objects (bench/common.py units) is seeded and published (not
timed), with ``--imports`` empty target sandboxes per run. Then, for 1 and for 2 workers
(``sbx worker --concurrency 1``: one job at a time per worker process) beside one API process
(``sbx serve``; local blob directory), all imports are submitted at once, each into its own
target, and the time from the first submission to the last SUCCESS is measured; each import
is checked to have created exactly ``--objects`` objects. Reported: imports per minute per
run, the best run of each, and the ratio 2 workers / 1 worker.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from cluster import Cluster
from common import ORG, UNIT, P, make_org, publish, seed, wait_status
from sqlalchemy import create_engine, text

from sandbox_tooling.config import Settings
from sandbox_tooling.db import normalize_url
from sandbox_tooling.identity import repository as identity_repository
from sandbox_tooling.migrate import upgrade
from sandbox_tooling.runtime import build_runtime
from sandbox_tooling.sandbox import service as sandbox_service


def run(url: str, headers: dict[str, str], pid: str, targets: list[str], size: int) -> float:
    """Submit one import per target at once; seconds until the last one succeeded."""
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        start = time.perf_counter()
        jobs = []
        for target in targets:
            r = client.post(f"{P}/import", json={"id": pid, "destinationSandbox": {"name": target}})
            r.raise_for_status()
            jobs.append(r.json()["jobId"])
        for job_id in jobs:
            assert wait_status(client, headers, job_id, 0.05) == "SUCCESS"
        elapsed = time.perf_counter() - start
        for job_id in jobs:
            job = client.get(f"/data/foundation/exim/tools/job/{job_id}").json()["object"]
            assert len(job["createdObjects"]) == size, job.get("errorMessage")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--imports", type=int, default=12)
    parser.add_argument("--objects", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    if 2 * args.imports * args.runs + 1 > 75:  # sandbox_service.MAX_SANDBOXES, one org
        parser.error("2 x --imports x --runs + 1 source must stay within 75 sandboxes")

    name = f"sbx_cluster_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalize_url(args.postgres), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = args.postgres.rsplit("/", 1)[0] + "/" + name
    data_dir = Path(tempfile.mkdtemp(prefix="sbx-cluster-bench-"))
    try:
        upgrade(database_url)
        settings = Settings(data_dir=data_dir, database_url=database_url)
        state = build_runtime(settings)
        headers = make_org(state)
        roots = seed(state, args.objects // UNIT, "src")
        plan = {
            w: [[f"w{w}r{r}t{i}" for i in range(args.imports)] for r in range(args.runs)]
            for w in (1, 2)
        }
        with state.db.transaction() as s:
            org = identity_repository.get_org(s, ORG)
            assert org is not None
            for runs in plan.values():
                for targets in runs:
                    for t in targets:
                        sandbox_service.create_in_org(
                            s, org, name=t, title=t, type_="development", actor="bench"
                        )
        state.db.dispose()
        env = {
            "SBX_DATABASE_URL": database_url,
            "SBX_DATA_DIR": str(data_dir),
            "SBX_SECRET_KEY": "bench",
            "SBX_LOG_LEVEL": "WARNING",
        }
        results: dict[int, list[float]] = {}
        pid = ""
        for workers in (1, 2):
            with Cluster(env, data_dir / f"logs-{workers}") as cluster:
                url = cluster.start_api()
                for _ in range(workers):
                    cluster.start_worker(concurrency=1)
                cluster.wait_workers_registered(database_url, workers)
                if not pid:
                    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
                        pid, job = publish(
                            client, headers, "bench", "src", roots, "CATALOG_DATASET"
                        )
                    assert job["snapshot"]["artifactCount"] == args.objects
                for targets in plan[workers]:
                    seconds = run(url, headers, pid, targets, args.objects)
                    results.setdefault(workers, []).append(seconds)
        per_minute = {
            w: [round(args.imports * 60 / s, 1) for s in secs] for w, secs in results.items()
        }
        best = {w: max(v) for w, v in per_minute.items()}
        out: dict[str, Any] = {
            "benchmark": "cluster imports",
            "python": platform.python_version(),
            "objects_per_import": args.objects,
            "imports_per_run": args.imports,
            "seconds": {w: [round(s, 2) for s in v] for w, v in results.items()},
            "imports_per_minute": per_minute,
            "best_imports_per_minute": best,
            "ratio_2_to_1": round(best[2] / best[1], 2),
        }
        print(json.dumps(out, indent=2))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        subprocess.run(["rm", "-rf", str(data_dir)], check=False)


if __name__ == "__main__":
    main()
