"""Benchmark: load N interdependent objects with one ``POST /registry/objects:batch``.

Usage:
  .venv/bin/python bench/batch_bench.py [--objects 10000] [--runs 3] [--format json|ndjson]
                                        [--database-url postgresql://user@host:port/db]

A real ``sbx serve`` runs in a child process on a free loopback port (SQLite under a temporary
directory unless ``--database-url`` names an empty PostgreSQL database). The payload is N/10
units of ten wired objects (two data types, two field groups, a class, two schemas, an
identity and a relationship descriptor, a dataset), with their ids given as a platform
inventory carries them, shuffled so that most objects come before what they need. Each run
posts the whole payload into a fresh, empty sandbox; timed: the request, from the first byte
sent to the answer read (HTTP, parsing, validation, ordering, reference checks, the inserts,
the commit). The server's peak resident memory (VmHWM) is read after the runs, with its
resident memory before the first run for comparison.

``--trace``: then, in this process, one more load of the same payload through the service
(no HTTP) under ``tracemalloc``: the peak of Python memory the load itself allocates (parsed
items, prepared definitions, the metadata kept per object), without the interpreter, the
SQLite page cache or the HTTP body buffer that the server's RSS includes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from sandbox_tooling.config import Settings
from sandbox_tooling.db import Database
from sandbox_tooling.identity import repository as identity_repository
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.migrate import upgrade

ORG = "BATCH00000000000000000000@AdobeOrg"
TENANT = "bench"
PROFILE = "https://ns.adobe.com/xdm/context/profile"
RECORD = "https://ns.adobe.com/xdm/data/record"


def xid(segment: str) -> str:
    return f"https://ns.adobe.com/{TENANT}/{segment}/{secrets.token_hex(24)}"


def unit(i: int) -> list[dict[str, Any]]:
    """Ten objects wired as on the platform (see the module docstring)."""
    dt1, dt2 = xid("datatypes"), xid("datatypes")
    fg1, fg2, cls = xid("mixins"), xid("mixins"), xid("classes")
    a, b = xid("schemas"), xid("schemas")

    def group(title: str, props: dict[str, Any]) -> dict[str, Any]:
        return {
            "title": title,
            "type": "object",
            "meta:intendedToExtend": [PROFILE],
            "definitions": {
                "main": {"properties": {f"_{TENANT}": {"type": "object", "properties": props}}}
            },
            "allOf": [{"$ref": "#/definitions/main"}],
        }

    return [
        {
            "type": "REGISTRY_DATATYPE",
            "definition": {
                "$id": dt1,
                "title": f"Address {i}",
                "type": "object",
                "properties": {k: {"type": "string"} for k in ("street", "city", "zip")},
            },
        },
        {
            "type": "REGISTRY_DATATYPE",
            "definition": {
                "$id": dt2,
                "title": f"Store location {i}",
                "type": "object",
                "properties": {"address": {"$ref": dt1}, "code": {"type": "string"}},
            },
        },
        {
            "type": "REGISTRY_MIXIN",
            "definition": {
                "$id": fg1,
                **group(f"Loyalty {i}", {"loyaltyId": {"type": "string"}, "home": {"$ref": dt2}}),
            },
        },
        {
            "type": "REGISTRY_MIXIN",
            "definition": {
                "$id": fg2,
                **group(f"Preferences {i}", {"channel": {"type": "string", "enum": ["a", "b"]}}),
            },
        },
        {
            "type": "REGISTRY_CLASS",
            "definition": {
                "$id": cls,
                "title": f"Store {i}",
                "type": "object",
                "meta:extends": [RECORD],
                "allOf": [{"$ref": RECORD}, {"$ref": "#/definitions/store"}],
                "definitions": {"store": {"properties": {"location": {"$ref": dt2}}}},
            },
        },
        {
            "type": "REGISTRY_SCHEMA",
            "definition": {
                "$id": b,
                "title": f"Stores {i}",
                "type": "object",
                "meta:class": cls,
                "allOf": [{"$ref": cls}],
                "meta:extends": [cls, RECORD],
            },
        },
        {
            "type": "REGISTRY_SCHEMA",
            "definition": {
                "$id": a,
                "title": f"Members {i}",
                "type": "object",
                "meta:class": PROFILE,
                "allOf": [{"$ref": PROFILE}, {"$ref": fg1}, {"$ref": fg2}],
                "meta:extends": [PROFILE, fg1, fg2],
                "meta:immutableTags": ["union"],
            },
        },
        {
            "type": "REGISTRY_DESCRIPTOR",
            "definition": {
                "@id": secrets.token_hex(20),
                "@type": "xdm:descriptorIdentity",
                "xdm:sourceSchema": a,
                "xdm:sourceVersion": 1,
                "xdm:sourceProperty": f"/_{TENANT}/loyaltyId",
                "xdm:namespace": "Email",
                "xdm:property": "xdm:code",
                "xdm:isPrimary": True,
            },
        },
        {
            "type": "REGISTRY_DESCRIPTOR",
            "definition": {
                "@id": secrets.token_hex(20),
                "@type": "xdm:descriptorOneToOne",
                "xdm:sourceSchema": a,
                "xdm:sourceVersion": 1,
                "xdm:sourceProperty": f"/_{TENANT}/home/code",
                "xdm:destinationSchema": b,
                "xdm:destinationProperty": "/code",
            },
        },
        {
            "type": "CATALOG_DATASET",
            "definition": {
                "id": secrets.token_hex(12),
                "name": f"Members dataset {i}",
                "schemaRef": {
                    "id": a,
                    "contentType": "application/vnd.adobe.xed-full+json;version=1",
                },
                "tags": {"adobe/pqs/table": [f"members_{i}"]},
            },
        },
    ]


def payload(objects: int, fmt: str) -> bytes:
    items = [item for i in range(objects // 10) for item in unit(i)]
    # Most objects before what they need: reversed, then lightly shuffled.
    items.reverse()
    rng = random.Random(10)
    for i in range(0, len(items) - 1, 2):
        if rng.random() < 0.3:
            items[i], items[i + 1] = items[i + 1], items[i]
    if fmt == "ndjson":
        return b"".join(json.dumps(i).encode() + b"\n" for i in items)
    return json.dumps(items).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def credentials(database_url: str) -> tuple[str, str]:
    """The bench org and an admin credential; returns ``(client_id, token)``."""
    upgrade(database_url)
    db = Database(database_url)
    with db.transaction() as s:
        identity_service.create_org(s, org_id=ORG, name="Bench", region="va7", tenant=TENANT)
        identity_service.create_user(s, org_id=ORG, user_id="bench", name=None, roles=["admin"])
        cred, _ = identity_service.create_credential(s, org_id=ORG, user_id="bench")
        row = identity_repository.get_credential(s, cred.client_id)
        assert row is not None
        token = identity_service.mint_token(s, row, 3600)
    db.dispose()
    return cred.client_id, token


def request(
    base: str, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, Any]:
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in KiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def traced_load(database_url: str, client_id: str, token: str, objects: int, fmt: str) -> float:
    """Peak Python memory (MiB) of one load through the service, measured by tracemalloc."""
    import tracemalloc

    from sandbox_tooling.batch import service as batch_service
    from sandbox_tooling.batch.endpoints import RawBatch
    from sandbox_tooling.runtime import build_runtime
    from sandbox_tooling.sandbox import service as sandbox_service

    rt = build_runtime(Settings(database_url=database_url))
    with rt.db.transaction() as s:
        org = identity_repository.get_org(s, ORG)
        assert org is not None
        sandbox_service.create_in_org(
            s, org, name="traced", title="traced", type_="development", actor="bench"
        )
    with rt.db.transaction() as s:
        principal = identity_service.authenticate(
            s, authorization=f"Bearer {token}", api_key=client_id, org_id=ORG
        )
        body = payload(objects, fmt)
        tracemalloc.start()
        raw = RawBatch(body, fmt == "ndjson")
        stored = batch_service.load(s, rt, principal, "traced", raw.items())
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert len(stored) == objects
    rt.db.dispose()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--format", choices=("json", "ndjson"), default="json")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--trace", action="store_true", help="also trace one in-process load")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=args.database_url)
        client_id, token = credentials(settings.resolved_database_url())
        port = free_port()
        env = {**os.environ, "SBX_DATA_DIR": tmp, "SBX_DATABASE_URL": args.database_url}
        sbx = Path(sys.executable).parent / "sbx"
        server = subprocess.Popen(
            [str(sbx), "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        headers = {
            "Authorization": f"Bearer {token}",
            "x-api-key": client_id,
            "x-gw-ims-org-id": ORG,
            "Content-Type": "application/json",
        }
        try:
            for _ in range(600):
                try:
                    request(base, "GET", "/data/foundation/sandbox-management/", headers)
                    break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.05)
            before = memory(server.pid)
            ctype = "application/x-ndjson" if args.format == "ndjson" else "application/json"
            times = []
            size = 0
            for run in range(args.runs):
                body = payload(args.objects, args.format)
                size = len(body)
                name = f"load{run}"
                status, _ = request(
                    base,
                    "POST",
                    "/data/foundation/sandbox-management/sandboxes",
                    headers,
                    json.dumps({"name": name, "title": name, "type": "development"}).encode(),
                )
                assert status == 201, status
                started = time.perf_counter()
                status, answer = request(
                    base,
                    "POST",
                    "/data/foundation/registry/objects:batch",
                    {**headers, "Content-Type": ctype, "x-sandbox-name": name},
                    body,
                )
                elapsed = time.perf_counter() - started
                assert status == 201, answer
                assert answer["count"] == args.objects, answer["count"]
                times.append(elapsed)
                print(f"run {run + 1}: {elapsed:.3f} s ({args.objects / elapsed:,.0f} objects/s)")
            after = memory(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        traced = None
        if args.trace:
            traced = traced_load(
                settings.resolved_database_url(), client_id, token, args.objects, args.format
            )
    best = min(times)
    print(
        json.dumps(
            {
                "objects": args.objects,
                "format": args.format,
                "database": "postgresql" if args.database_url else "sqlite",
                "body_bytes": size,
                "runs_s": [round(t, 3) for t in times],
                "best_s": round(best, 3),
                "objects_per_s": round(args.objects / best),
                "server_rss_before_mib": round(before["VmRSS"] / 1024, 1),
                "server_peak_rss_mib": round(after["VmHWM"] / 1024, 1),
                "load_python_peak_mib": round(traced, 1) if traced is not None else None,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
