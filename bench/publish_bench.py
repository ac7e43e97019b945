"""Benchmark: publish packages whose closures hold N objects (submit to PUBLISHED), over HTTP.

Usage: .venv/bin/python bench/publish_bench.py [--sizes 1000 10000] [--database-url URL]

The source sandbox is filled through the registry service in batches (the set-up is not
timed); the timed part is ``GET /packages/{id}/export`` until the package reads PUBLISHED,
through the real app, job runner, database and blob store.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

from common import UNIT, make_org, seed
from fastapi.testclient import TestClient

from sandbox_tooling.api.app import create_app
from sandbox_tooling.config import Settings
from sandbox_tooling.migrate import upgrade
from sandbox_tooling.runtime import build_runtime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--database-url", default="")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sbx-bench-"))
    settings = Settings(
        data_dir=tmp,
        database_url=args.database_url,
        max_package_artifacts=100_000,
        job_backend="inprocess",
    )
    upgrade(settings.resolved_database_url())
    state = build_runtime(settings)
    headers = make_org(state)
    results = []
    with TestClient(create_app(settings, state)) as client:
        for size in args.sizes:
            units = size // UNIT
            sandbox_name = f"src{size}"
            t0 = time.perf_counter()
            roots = seed(state, units, sandbox_name)
            seed_s = time.perf_counter() - t0
            timings = []
            for rep in range(args.repeat):
                body = {
                    "name": f"bench-{size}-{rep}",
                    "packageType": "PARTIAL",
                    "sourceSandbox": {"name": sandbox_name},
                    "artifacts": [{"id": r, "type": "CATALOG_DATASET"} for r in roots],
                }
                r = client.post("/data/foundation/exim/packages", json=body, headers=headers)
                r.raise_for_status()
                pid = r.json()["id"]
                start = time.perf_counter()
                r = client.get(f"/data/foundation/exim/packages/{pid}/export", headers=headers)
                r.raise_for_status()
                while True:
                    status = client.get(
                        f"/data/foundation/exim/packages/{pid}", headers=headers
                    ).json()["status"]
                    if status != "PUBLISH_IN_PROGRESS":
                        break
                    time.sleep(0.005)
                timings.append(time.perf_counter() - start)
                assert status == "PUBLISHED", status
            job = client.get("/data/foundation/exim/packages/jobs?limit=1", headers=headers).json()[
                "data"
            ][0]
            detail = client.get(
                f"/data/foundation/exim/tools/job/{job['id']}", headers=headers
            ).json()["object"]
            count = detail["snapshot"]["artifactCount"]
            assert count == size, (count, size)
            results.append(
                {
                    "objects_in_closure": count,
                    "roots": len(roots),
                    "seed_seconds": round(seed_s, 2),
                    "publish_seconds": [round(t, 3) for t in timings],
                    "best": round(min(timings), 3),
                }
            )
    print(
        json.dumps(
            {
                "database": state.db.engine.dialect.name,
                "python": platform.python_version(),
                "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
                "results": results,
            },
            indent=2,
        )
    )
    state.db.dispose()


if __name__ == "__main__":
    main()
