"""Express copy: one COPY job packages, publishes and imports; its plan comes first, and a
copy given the plan's id is held to it (source and target)."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories as f
from tests.helpers import Api, objects, sandbox

P = "/data/foundation/exim/packages"
OBJ = "/data/foundation/registry/objects"


@pytest.fixture
def world(api: Api) -> dict[str, str]:
    ids = f.seed_world(api)
    sandbox(api, "dev")
    return ids


def body(roots: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    return {
        "sourceSandbox": {"name": "prod"},
        "destinationSandbox": {"name": "dev"},
        "artifacts": [{"id": i, "type": t} for t, i in roots],
        **extra,
    }


def copy(api: Api, roots: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    r = api.post(f"{P}/express", json=body(roots, **extra))
    assert r.status_code == 200, r.text
    assert r.json()["requestType"] == "COPY" and r.json()["jobType"] == "NEW"
    return api.wait_job(r.json()["id"])


class TestExpress:
    def test_plan_then_copy_exactly_it(self, api: Api, world: dict[str, str]) -> None:
        roots = [("FLOW", world["flow"])]
        r = api.post(f"{P}/express/plan", json=body(roots))
        assert r.status_code == 200, r.text
        plan = r.json()
        assert plan["kind"] == "EXPRESS" and "packageId" not in plan
        assert plan["sourceSandbox"]["name"] == "prod" and plan["changes"] is True
        assert objects(api, "dev") == {}
        job = copy(api, roots, planId=plan["planId"], name="flow copy")
        assert job["jobStatus"] == "SUCCESS", job
        planned = {s["sourceId"]: s.get("targetId") for s in plan["steps"]}
        assert job["importReplacementMap"] == {k: v for k, v in planned.items() if v}
        assert job["snapshot"]["packageVersion"] == 0
        assert job["summary"]["create"] == len(objects(api, "dev"))
        pkg = api.get(f"{P}/{job['packageId']}").json()
        assert pkg["name"] == "flow copy" and pkg["status"] == "PUBLISHED"
        # An express copy rolls back like an import.
        r = api.post(f"{P}/jobs/{job['id']}/rollback")
        assert r.status_code == 200, r.text
        assert api.wait_job(r.json()["id"])["jobStatus"] == "SUCCESS"
        assert objects(api, "dev") == {}

    def test_existing_dependencies_are_reused(self, api: Api, world: dict[str, str]) -> None:
        first = copy(api, [("CATALOG_DATASET", world["ds"])])
        assert first["jobStatus"] == "SUCCESS", first
        ds_copy = first["importReplacementMap"][world["ds"]]
        count = len(objects(api, "dev"))
        plan = api.post(f"{P}/express/plan", json=body([("FLOW", world["flow"])])).json()
        steps = {s["sourceId"]: s for s in plan["steps"]}
        assert steps[world["ds"]]["action"] == "REUSE"
        assert steps[world["ds"]]["targetId"] == ds_copy
        assert steps[world["flow"]]["action"] == "CREATE"
        job = copy(api, [("FLOW", world["flow"])])
        assert job["jobStatus"] == "SUCCESS", job
        assert job["importReplacementMap"][world["ds"]] == ds_copy
        assert len(objects(api, "dev")) == count + 2  # the flow and its mapping set

    def test_source_drift_is_refused(self, api: Api, world: dict[str, str]) -> None:
        roots = [("CATALOG_DATASET", world["ds"])]
        plan = api.post(f"{P}/express/plan", json=body(roots)).json()
        ds = api.get(f"{OBJ}/CATALOG_DATASET/{world['ds']}").json()["definition"]
        ds["description"] = "edited after the plan"
        assert api.put(f"{OBJ}/CATALOG_DATASET/{world['ds']}", json=ds).status_code == 200
        job = copy(api, roots, planId=plan["planId"])
        assert job["jobStatus"] == "FAILED"
        assert job["driftedObjects"] == [
            {
                "sandbox": "prod",
                "type": "CATALOG_DATASET",
                "id": world["ds"],
                "title": "Members Dataset",
                "change": "modified",
            }
        ]
        assert objects(api, "dev") == {}
        # The package was published; only the import was refused.
        assert api.get(f"{P}/{job['packageId']}").json()["status"] == "PUBLISHED"

    def test_plan_must_fit_the_copy(self, api: Api, world: dict[str, str]) -> None:
        plan = api.post(f"{P}/express/plan", json=body([("CATALOG_DATASET", world["ds"])]))
        r = api.post(
            f"{P}/express", json=body([("FLOW", world["flow"])], planId=plan.json()["planId"])
        )
        assert r.status_code == 400 and r.json()["error"] == "PlanMismatch"

    def test_bad_requests(self, api: Api, world: dict[str, str]) -> None:
        r = api.post(f"{P}/express", json=body([("CATALOG_DATASET", "nope")]))
        assert r.status_code == 400 and r.json()["error"] == "ArtifactsNotFound"
        r = api.post(f"{P}/express/plan", json={**body([]), "artifacts": []})
        assert r.status_code == 400
        bad = body([("CATALOG_DATASET", world["ds"])])
        bad["destinationSandbox"] = {"name": "nowhere"}
        r = api.post(f"{P}/express/plan", json=bad)
        assert r.status_code == 400 and r.json()["error"] == "TargetSandboxNotFound"

    def test_the_copy_is_audited(self, api: Api, world: dict[str, str]) -> None:
        job = copy(api, [("CATALOG_DATASET", world["ds"])])
        assert job["jobStatus"] == "SUCCESS", job
        r = api.get(
            "/data/foundation/audit/events",
            params={"property": "action==copy.submit,copy.finish,package.create", "limit": 100},
        )
        assert r.status_code == 200, r.text
        seen = {(e["action"], e.get("sandboxName")) for e in r.json()["data"]}
        assert {("copy.submit", "dev"), ("copy.finish", "dev"), ("package.create", "prod")} <= seen
