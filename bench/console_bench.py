"""Benchmark: the console with big data.

Usage:
  .venv/bin/python bench/console_bench.py [--packages 10000] [--objects 100000]
                                          [--graph 1000] [--runs 7]
                                          [--database-url postgresql://user@host:port/db]

In one process, on SQLite under a temporary directory (or an empty PostgreSQL database):

* **Server-side render time** of console pages through the real app (in-process ASGI client,
  signed in, so the time is the server's: routing, session, services, queries, templates):
  the package list with ``--packages`` packages (first page, a name search, the last page, a
  status filter), and an object table of a sandbox holding ``--objects`` data types (first
  page, a title search, the last page). Median and worst of ``--runs`` after one warm-up.
* **The graph in Chromium**: a published package whose closure holds ``--graph`` objects
  (units of ten wired objects, datasets as roots); the package page is opened in Debian's
  chromium (Playwright) against a real server on a free loopback port. Timed in the page with
  ``performance.now()``: from navigation start until the first layout has been painted (above
  300 objects the graph starts collapsed by type), then expanding every type and laying out
  all the objects with dagre until painted.

On PostgreSQL the tables are analyzed after seeding (as autovacuum does soon after a bulk
load), so the planner knows the new rows.
"""

from __future__ import annotations

import argparse
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ORG, make_org, publish, seed
from fastapi.testclient import TestClient

from sandbox_tooling.api.app import create_app
from sandbox_tooling.config import Settings
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.kit.clock import DAY_MS, now_ms
from sandbox_tooling.migrate import upgrade
from sandbox_tooling.package import service as package_service
from sandbox_tooling.runtime import build_runtime

PASSWORD = "bench password"
#: In the page: wait for the graph's first layout to be painted; ms since navigation start.
FIRST_PAINT = """async () => {
  await new Promise((r) => { const w = () => (window.sbxGraph ? r() : setTimeout(w, 5)); w(); });
  const t = await window.sbxGraph.ready;
  return {...t, sinceNavigation: performance.now()};
}"""
#: In the page: expand every type, lay out every object, wait for the paint.
EXPAND_ALL = """async () => {
  const t0 = performance.now();
  const t = await window.sbxGraph.expandAll();
  return {...t, wall: performance.now() - t0};
}"""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


STRING = {"type": "string"}


def datatype_unit(i: int) -> list[tuple[str, dict[str, Any], str]]:
    return [
        (
            "REGISTRY_DATATYPE",
            {
                "title": f"Data type {i:06d}",
                "type": "object",
                "properties": {"a": {"type": "string"}},
            },
            "dt",
        )
    ]


def seed_packages(state: Any, n: int) -> None:
    statuses = ("DRAFT", "PUBLISHED", "DRAFT", "PUBLISH_FAILED")
    with state.db.transaction() as s:
        org = identity_service.require_org(s, ORG)
        for i in range(n):
            pkg = package_service.new_package(
                s,
                org_id=ORG,
                name=f"Package {i:05d}",
                description=f"Bench package number {i}",
                package_type="PARTIAL",
                source_sandbox_name="prod",
                source_org_id=ORG,
                tenant_id=org.tenant_id,
                client_id="bench",
                actor="bench",
                expiry=now_ms() + 90 * DAY_MS,
                artifacts=[],
            )
            pkg.status = statuses[i % len(statuses)]


def sign_in(client: Any) -> None:
    import re

    page = client.get("/console/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = client.post(
        "/console/sign-in",
        data={"csrf_token": token, "user": "bench", "password": PASSWORD, "next": ""},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def timed(client: Any, path: str, runs: int, expect: str) -> tuple[float, float]:
    r = client.get(path)  # warm-up
    assert r.status_code == 200 and expect in r.text, (path, r.status_code, r.text[:300])
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = client.get(path)
        times.append(time.perf_counter() - t0)
        assert r.status_code == 200
    return statistics.median(times) * 1000, max(times) * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def graph_in_chromium(settings: Settings, state: Any, package_id: str) -> dict[str, float]:
    import uvicorn
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, state), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    base = f"http://127.0.0.1:{port}"
    out: dict[str, float] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1360, "height": 900})
            page.set_default_timeout(120_000)
            page.goto(base + "/console/sign-in")
            page.get_by_label("User").fill("bench")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in", exact=True).click()
            page.wait_for_url("**/console/sandboxes")
            for run in range(3):
                page.goto(f"{base}/console/packages/{package_id}")
                first = page.evaluate(FIRST_PAINT)
                full = page.evaluate(EXPAND_ALL)
                print(
                    f"  run {run + 1}: first paint {first['sinceNavigation']:.0f} ms"
                    f" ({first['drawn']} nodes drawn, layout {first['layoutMs']:.0f} ms);"
                    f" expand all: {full['drawn']} nodes, layout+paint {full['wall']:.0f} ms",
                    flush=True,
                )
                for key, value in (
                    ("first", first["sinceNavigation"]),
                    ("expanded", full["wall"]),
                    ("nodes", full["drawn"]),
                ):
                    out[key] = min(out.get(key, value), value)
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=20)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=10_000)
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--graph", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sbx-console-bench-"))
    settings = Settings(
        data_dir=tmp,
        database_url=args.database_url,
        job_sweep_seconds=0.5,
        job_backend="inprocess",
    )
    url = settings.resolved_database_url()
    upgrade(url)
    state = build_runtime(settings)
    print(
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"{state.db.engine.dialect.name}",
        flush=True,
    )
    headers = make_org(state)
    with state.db.transaction() as s:
        identity_service.set_password(s, org_id=ORG, user_id="bench", password=PASSWORD)

    t0 = time.perf_counter()
    seed(state, args.objects, "big", unit=datatype_unit, root="dt")
    print(f"seeded {args.objects:,} data types in {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    seed_packages(state, args.packages)
    print(f"seeded {args.packages:,} packages in {time.perf_counter() - t0:.1f} s", flush=True)
    if not state.db.is_sqlite:
        # What autovacuum does soon after a bulk load: planner statistics for the new rows.
        with state.db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")

    with TestClient(create_app(settings, state)) as client:
        roots = seed(state, args.graph // 10, "graph")
        package_id, job = publish(client, headers, "Graph bench", "graph", roots, "CATALOG_DATASET")
        count = job["snapshot"]["artifactCount"]
        assert count == args.graph, count
        sign_in(client)
        last_pkg = (args.packages - 1) // 25 * 25
        last_obj = (args.objects - 1) // 50 * 50
        objects = "/console/objects?sandbox=big&type=REGISTRY_DATATYPE"
        rows = [
            ("package list, first page", "/console/packages", "Package "),
            ("package list, name search", "/console/packages?q=package 002", "Package 002"),
            ("package list, status filter", "/console/packages?status=PUBLISH_FAILED", "Package "),
            (
                "package list, last page",
                f"/console/packages?start={last_pkg}&sort=name",
                "Package ",
            ),
            ("object table, first page", objects, "Data type 000000"),
            ("object table, title search", f"{objects}&q=type 0009", "Data type 0009"),
            ("object table, last page", f"{objects}&start={last_obj}", "Data type "),
            (
                f"package page ({count:,}-object closure)",
                f"/console/packages/{package_id}",
                "Graph",
            ),
        ]
        print(f"\nserver-side render time, median / worst of {args.runs} (ms):", flush=True)
        for label, path, expect in rows:
            median, worst = timed(client, path, args.runs, expect)
            print(f"  {label:<40} {median:7.1f} / {worst:7.1f}", flush=True)

    print(f"\ngraph of the {args.graph:,}-object closure in Chromium:", flush=True)
    best = graph_in_chromium(settings, state, package_id)
    print(
        f"  best: first paint {best['first']:.0f} ms after navigation; all {best['nodes']:.0f}"
        f" objects laid out and painted in {best['expanded']:.0f} ms",
        flush=True,
    )
    state.db.dispose()


if __name__ == "__main__":
    main()
