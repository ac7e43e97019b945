"""Benchmark: import packages of N objects (submit to SUCCESS) and the conflict check.

Usage:
  .venv/bin/python bench/import_bench.py import [--sizes 1000 10000 100000] [--database-url URL]
  .venv/bin/python bench/import_bench.py conflicts [--artifacts 1000] [--target 100000]

``import``: for each size, a source sandbox of wired objects is seeded and published (not
timed); then a fresh process starts the app, submits ``POST /packages/import`` into an empty
sandbox and polls ``GET /tools/job/{id}`` until SUCCESS. That process reports the elapsed time
and its peak resident memory (VmHWM), so the figure is the import's alone.

``conflicts``: a package of N roots (each a field group) is checked against a target holding
M objects of the same type, among them earlier imported copies (``_<epochMs>`` suffixes) and
near-misses; timed: ``GET /packages/{id}/import?targetSandbox=...``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import ORG, UNIT, P, headers_for, make_org, publish, seed, wait_status
from fastapi.testclient import TestClient

from sandbox_tooling.api.app import create_app
from sandbox_tooling.artifact_type.spec import TypeContext
from sandbox_tooling.config import Settings
from sandbox_tooling.identity import repository as identity_repository
from sandbox_tooling.migrate import upgrade
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.runtime import build_runtime
from sandbox_tooling.sandbox import service as sandbox_service


def _settings(data_dir: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        max_package_artifacts=1_000_000,
        max_closure_size=2_000_000,
        job_backend="inprocess",  # jobs run in the benchmark's process, on any database
    )


def prepare(data_dir: Path, database_url: str, sizes: list[int]) -> dict[str, Any]:
    """Seed and publish one package per size; return what the import runs need."""
    settings = _settings(data_dir, database_url)
    upgrade(settings.resolved_database_url())
    state = build_runtime(settings)
    headers = make_org(state)
    packages = {}
    with TestClient(create_app(settings, state)) as client:
        for size in sizes:
            roots = seed(state, size // UNIT, f"src{size}")
            pid, job = publish(
                client, headers, f"bench-{size}", f"src{size}", roots, "CATALOG_DATASET"
            )
            assert job["snapshot"]["artifactCount"] == size
            r = client.post(
                "/data/foundation/sandbox-management/sandboxes",
                headers=headers,
                json={"name": f"dst{size}", "title": "target", "type": "development"},
            )
            r.raise_for_status()
            packages[size] = pid
    client_id = headers["x-api-key"]
    state.db.dispose()
    return {"packages": packages, "client_id": client_id}


def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would carry the parent's over
    fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(
    data_dir: Path, database_url: str, size: int, package_id: str, client_id: str
) -> dict[str, Any]:
    """In a fresh process: submit the import and wait for it; report time and peak RSS."""
    settings = _settings(data_dir, database_url)
    state = build_runtime(settings)
    headers = headers_for(state, client_id)
    with TestClient(create_app(settings, state)) as client:
        start = time.perf_counter()
        r = client.post(
            f"{P}/import",
            headers=headers,
            json={"id": package_id, "destinationSandbox": {"name": f"dst{size}"}},
        )
        r.raise_for_status()
        job_id = r.json()["jobId"]
        status = wait_status(client, headers, job_id)
        elapsed = time.perf_counter() - start
        # Peak memory of the import itself, before the (large) job details are fetched.
        peak = peak_rss_mib()
        job = client.get(f"/data/foundation/exim/tools/job/{job_id}", headers=headers).json()
    assert status == "SUCCESS", job["object"].get("errorMessage")
    created = len(job["object"]["createdObjects"])
    assert created == size, (created, size)
    return {
        "objects": size,
        "created": created,
        "seconds": round(elapsed, 3),
        "peak_rss_mib": round(peak, 1),
    }


def bench_import(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="sbx-import-bench-"))
    prepared = prepare(data_dir, args.database_url, args.sizes)
    results = []
    for size in args.sizes:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "_one",
                str(data_dir),
                args.database_url,
                str(size),
                prepared["packages"][size],
                prepared["client_id"],
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    for a, b in itertools.pairwise(results):
        b["seconds_per_1000_vs_previous"] = round(
            (b["seconds"] / b["objects"]) / (a["seconds"] / a["objects"]), 2
        )
    return {"benchmark": "import", "results": results}


def bench_conflicts(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="sbx-conflict-bench-"))
    settings = _settings(data_dir, args.database_url)
    upgrade(settings.resolved_database_url())
    state = build_runtime(settings)
    headers = make_org(state)
    words = [
        "loyalty",
        "purchase",
        "store",
        "member",
        "order",
        "profile",
        "consent",
        "email",
        "web",
        "mobile",
        "campaign",
        "product",
        "return",
        "visit",
        "cart",
        "offer",
    ]

    def title(i: int) -> str:
        return f"{words[i % 16]} {words[(i // 16) % 16]} details {i}"

    with state.db.transaction() as s:
        org = identity_repository.get_org(s, ORG)
        assert org is not None
        ctx = TypeContext(org_id=ORG, tenant=org.tenant_id)
        mixin = state.types.get("REGISTRY_MIXIN")
        for name, count, titles in (
            ("src", args.artifacts, lambda i: title(i)),
            (
                "dst",
                args.target,
                lambda i: (
                    f"{title(i % args.artifacts)}_{1_700_000_000_000 + i}"
                    if i % 10 == 0
                    else title(i + 7)
                ),
            ),
        ):
            sandbox = sandbox_service.create_in_org(
                s, org, name=name, title=name, type_="development", actor="bench"
            )
            batch = [
                registry_service.prepare(
                    mixin,
                    {
                        "title": titles(i),
                        "type": "object",
                        "properties": {f"f{i % 7}": {"type": "string"}, "id": {"type": "string"}},
                    },
                    ctx,
                )
                for i in range(count)
            ]
            registry_service.insert_prepared(s, sandbox, batch, "bench")
            if name == "src":
                roots = [p.object_id for p in batch]
    timings = []
    with TestClient(create_app(settings, state)) as client:
        pid, _job = publish(client, headers, "conflicts", "src", roots, "REGISTRY_MIXIN")
        for _ in range(args.repeat):
            start = time.perf_counter()
            r = client.get(f"{P}/{pid}/import?targetSandbox=dst", headers=headers)
            timings.append(time.perf_counter() - start)
            r.raise_for_status()
        entries = r.json()
    return {
        "benchmark": "conflicts",
        "artifacts": args.artifacts,
        "target_objects": args.target,
        "entries": len(entries),
        "suggestions": sum(len(e["suggestionList"]) for e in entries),
        "seconds": [round(t, 3) for t in timings],
        "best": round(min(timings), 3),
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_one":
        _, _, data_dir, url, size, pid, client_id = sys.argv
        print(json.dumps(run_one(Path(data_dir), url, int(size), pid, client_id)))
        return
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    imp = sub.add_parser("import")
    imp.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    imp.add_argument("--database-url", default="")
    con = sub.add_parser("conflicts")
    con.add_argument("--artifacts", type=int, default=1000)
    con.add_argument("--target", type=int, default=100_000)
    con.add_argument("--repeat", type=int, default=3)
    con.add_argument("--database-url", default="")
    args = ap.parse_args()
    out = bench_import(args) if args.cmd == "import" else bench_conflicts(args)
    out.update({"python": platform.python_version(), "machine": platform.machine()})
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
