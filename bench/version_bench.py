"""Benchmark: compare and update of a 10,000-object package (issue 4).

Usage: .venv/bin/python bench/version_bench.py [--units 1000] [--database-url URL]

Set-up (not timed): a source sandbox of ``units`` XDM units of ten objects (roots: one schema
per unit, so the package is VERSIONABLE), published and imported into an empty target; then
in the source, every unit's second field group gains a field and its schema a description
(2 changed objects per unit). Timed, each from submit to SUCCESS through HTTP:
``POST /version/compare`` against the target, and ``PATCH /packages/{id}/import`` (the update)
after a version is saved. A second compare must then find no change.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from common import ORG, P, build_xdm_unit, make_org, publish, seed, wait_job
from fastapi.testclient import TestClient

from sandbox_tooling.api.app import create_app
from sandbox_tooling.artifact_type.spec import TypeContext
from sandbox_tooling.config import Settings
from sandbox_tooling.identity import repository as identity_repository
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.migrate import upgrade
from sandbox_tooling.registry import repository as registry_repository
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.runtime import build_runtime
from sandbox_tooling.sandbox import repository as sandbox_repository


def change_source(state: Any, units: int) -> int:
    """Add a field to every fg2 and a description to every schema A (not timed)."""
    with state.db.transaction() as s:
        org = identity_repository.get_org(s, ORG)
        assert org is not None
        sandbox = sandbox_repository.live(s, ORG, "src")
        assert sandbox is not None
        ctx = TypeContext(org_id=ORG, tenant=org.tenant_id)
        principal = identity_service.principal_for(s, ORG, "bench", client_id="bench")
        changed = 0
        rows = registry_repository.titles_of_types(
            s, sandbox.id, ["REGISTRY_MIXIN", "REGISTRY_SCHEMA"]
        )
        wanted = [(pk, t) for pk, t, title in rows if title.startswith(("fg2-", "A-"))]
        ids = registry_repository.ids_by_pks(s, [pk for pk, _t in wanted])
        for pk, type_name in wanted:
            object_id = ids[pk]
            obj = registry_service.require(s, sandbox, type_name, object_id)
            definition = dict(obj.definition)
            if type_name == "REGISTRY_MIXIN":
                definition["properties"] = {**definition["properties"], "x": {"type": "string"}}
            else:
                definition["description"] = "changed"
            access = registry_service.Access(state.types.get(type_name), sandbox, ctx, principal)
            registry_service.replace(s, access, object_id, definition, "bench")
            changed += 1
    assert changed == 2 * units, changed
    return changed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="sbx-version-bench-"))
    settings = Settings(
        data_dir=data_dir,
        database_url=args.database_url,
        max_package_artifacts=100_000,
        job_backend="inprocess",
    )
    upgrade(settings.resolved_database_url())
    state = build_runtime(settings)
    headers = make_org(state)
    roots = seed(state, args.units, "src", build_xdm_unit, root="A")
    out: dict[str, Any] = {"benchmark": "versions", "objects": args.units * 10}
    with TestClient(create_app(settings, state)) as client:
        r = client.post(
            "/data/foundation/sandbox-management/sandboxes",
            headers=headers,
            json={"name": "dst", "title": "dst", "type": "development"},
        )
        r.raise_for_status()
        pid, _job = publish(client, headers, "versions", "src", roots, "REGISTRY_SCHEMA")
        job = wait_job(
            client,
            headers,
            client.post(
                f"{P}/import",
                headers=headers,
                json={"id": pid, "destinationSandbox": {"name": "dst"}},
            ).json()["jobId"],
        )
        assert len(job["createdObjects"]) == args.units * 10
        change_source(state, args.units)

        start = time.perf_counter()
        r = client.post(
            f"{P}/{pid}/version/compare",
            headers=headers,
            json={"triggerNew": True, "targetSandbox": "dst"},
        )
        job = wait_job(client, headers, r.json()["object"]["id"])
        out["compare_seconds"] = round(time.perf_counter() - start, 3)
        deltas = job["deltaPackageVersion"]["eximGraphDelta"]["pluginDeltas"]
        out["compare_changed_objects"] = len(deltas)
        assert len(deltas) == 2 * args.units

        wait_job(
            client, headers, client.post(f"{P}/{pid}/version/save", headers=headers).json()["id"]
        )
        start = time.perf_counter()
        r = client.patch(
            f"{P}/{pid}/import",
            headers=headers,
            json={"name": "update", "destinationSandbox": {"name": "dst"}},
        )
        job = wait_job(client, headers, r.json()["id"])
        out["update_seconds"] = round(time.perf_counter() - start, 3)
        out["updated_objects"] = len(job["updatedObjects"])
        assert len(job["updatedObjects"]) == 2 * args.units

        r = client.post(
            f"{P}/{pid}/version/compare",
            headers=headers,
            json={"triggerNew": True, "targetSandbox": "dst"},
        )
        job = wait_job(client, headers, r.json()["object"]["id"])
        assert job["deltaPackageVersion"]["eximGraphDelta"]["pluginDeltas"] == []
        out["second_compare_changes"] = 0
    out.update(
        {
            "database": state.db.engine.dialect.name,
            "python": platform.python_version(),
            "machine": platform.machine(),
        }
    )
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
