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
from typing import Any

from fastapi.testclient import TestClient

from sandbox_tooling.api.app import build_state, create_app
from sandbox_tooling.artifact_type.spec import TypeContext
from sandbox_tooling.config import Settings
from sandbox_tooling.identity import repository as identity_repository
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.migrate import upgrade
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.sandbox import repository as sandbox_repository

ORG = "BENCH000000000000000000@AdobeOrg"
PROFILE = "https://ns.adobe.com/xdm/context/profile"
UNIT = 10  # objects per unit, see build_unit


def build_unit(i: int) -> list[tuple[str, dict[str, Any], str]]:
    """Ten objects wired as on the platform; the dataset is the package root.

    dt1 <- dt2 <- fg1; fg2; cls <- schemaB; schemaA -> fg1, fg2; identity descriptor on A;
    relationship descriptor A -> B; dataset -> A.
    """
    return [
        (
            "REGISTRY_DATATYPE",
            {"title": f"dt1-{i}", "type": "object", "properties": {"a": {"type": "string"}}},
            "dt1",
        ),
        (
            "REGISTRY_DATATYPE",
            {"title": f"dt2-{i}", "type": "object", "properties": {"b": {"$ref": "@dt1"}}},
            "dt2",
        ),
        (
            "REGISTRY_MIXIN",
            {
                "title": f"fg1-{i}",
                "meta:intendedToExtend": [PROFILE],
                "properties": {"c": {"$ref": "@dt2"}},
            },
            "fg1",
        ),
        (
            "REGISTRY_MIXIN",
            {
                "title": f"fg2-{i}",
                "meta:intendedToExtend": [PROFILE],
                "properties": {"d": {"type": "string"}},
            },
            "fg2",
        ),
        (
            "REGISTRY_CLASS",
            {"title": f"cls-{i}", "allOf": [{"$ref": "https://ns.adobe.com/xdm/data/record"}]},
            "cls",
        ),
        (
            "REGISTRY_SCHEMA",
            {"title": f"B-{i}", "meta:class": "@cls", "allOf": [{"$ref": "@cls"}]},
            "B",
        ),
        (
            "REGISTRY_SCHEMA",
            {
                "title": f"A-{i}",
                "meta:class": PROFILE,
                "allOf": [{"$ref": PROFILE}, {"$ref": "@fg1"}, {"$ref": "@fg2"}],
            },
            "A",
        ),
        (
            "REGISTRY_DESCRIPTOR",
            {
                "@type": "xdm:descriptorIdentity",
                "xdm:sourceSchema": "@A",
                "xdm:sourceProperty": "/email",
                "xdm:namespace": "Email",
            },
            "idd",
        ),
        (
            "REGISTRY_DESCRIPTOR",
            {
                "@type": "xdm:descriptorOneToOne",
                "xdm:sourceSchema": "@A",
                "xdm:sourceProperty": "/store",
                "xdm:destinationSchema": "@B",
            },
            "rel",
        ),
        ("CATALOG_DATASET", {"name": f"ds-{i}", "schemaRef": {"id": "@A"}}, "ds"),
    ]


def _resolve(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        return ids[value[1:]]
    if isinstance(value, dict):
        return {k: _resolve(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, ids) for v in value]
    return value


def seed(state: Any, units: int, sandbox_name: str) -> list[str]:
    roots = []
    with state.db.transaction() as s:
        org = identity_repository.get_org(s, ORG)
        assert org is not None
        from sandbox_tooling.sandbox import service as sandbox_service

        sandbox = sandbox_service.create(
            s, org, name=sandbox_name, title=sandbox_name, type_="development", actor="bench"
        )
        ctx = TypeContext(org_id=ORG, tenant=org.tenant_id)
        batch: list[registry_service.Prepared] = []
        for i in range(units):
            ids: dict[str, str] = {}
            for type_name, definition, key in build_unit(i):
                atype = state.registry.get(type_name)
                p = registry_service.prepare(atype, _resolve(definition, ids), ctx)
                ids[key] = p.object_id
                batch.append(p)
            roots.append(ids["ds"])
        registry_service.create_objects(s, sandbox, ctx, batch, "bench")
        assert sandbox_repository.live(s, ORG, sandbox_name) is not None
    return roots


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--database-url", default="")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sbx-bench-"))
    settings = Settings(data_dir=tmp, database_url=args.database_url, max_package_artifacts=100_000)
    upgrade(settings.resolved_database_url())
    state = build_state(settings)
    with state.db.transaction() as s:
        identity_service.create_org(s, org_id=ORG, name="Bench", region="va7", tenant="bench")
        identity_service.create_user(s, org_id=ORG, user_id="bench", name=None, roles=["admin"])
        cred, _ = identity_service.create_credential(s, org_id=ORG, user_id="bench")
        row = identity_repository.get_credential(s, cred.client_id)
        assert row is not None
        token = identity_service.mint_token(s, row, 3600)
    headers = {
        "Authorization": f"Bearer {token}",
        "x-api-key": cred.client_id,
        "x-gw-ims-org-id": ORG,
        "Content-Type": "application/json",
    }
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
