"""Import plans: the plan endpoint answers what the import job will do, writes nothing to the
target, and an import given its ``planId`` does exactly that plan, or refuses (naming the
objects) when the target changed since."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from sandbox_tooling.importer.planning import DriftedObject, TargetObject, diff, digest
from sandbox_tooling.runtime import Runtime as AppState
from tests import factories as f
from tests.helpers import Api, objects, package, sandbox, submit

P = "/data/foundation/exim/packages"
OBJ = "/data/foundation/registry/objects"


def plan(api: Api, pid: str, target: str = "dev", **body: Any) -> Any:
    return api.post(f"{P}/{pid}/import/plan", json={"destinationSandbox": {"name": target}, **body})


def apply(api: Api, pid: str, plan_id: str, target: str = "dev", **extra: Any) -> dict:
    r = submit(api, pid, target, planId=plan_id, **extra)
    assert r.status_code == 200, r.text
    return api.wait_job(r.json()["jobId"])


def by_source(steps: list[dict]) -> dict[str, dict]:
    return {s["sourceId"]: s for s in steps}


class TestPlan:
    def test_plan_lists_every_artifact_and_writes_nothing(
        self, api: Api, world: dict[str, str]
    ) -> None:
        pid = package(api, [("JOURNEY", world["journey"])])
        before = objects(api, "dev")
        r = plan(api, pid)
        assert r.status_code == 200, r.text
        body = r.json()
        assert objects(api, "dev") == before  # nothing written
        assert body["kind"] == "IMPORT" and body["packageId"] == pid
        assert body["packageVersion"] == 0 and body["changes"] is True
        assert body["destinationSandbox"]["name"] == "dev"
        assert body["targetStateHash"].startswith("sha256:")
        steps = by_source(body["steps"])
        assert set(steps) == {world[k] for k in f.JOURNEY_CLOSURE}
        assert all(s["action"] == "CREATE" for s in steps.values())
        assert steps["loyaltyId"]["targetId"] == "loyaltyId"  # codes are kept
        assert body["summary"]["CREATE"] == len(steps)
        assert body["creationAllowed"] is True
        assert {p["artifactID"] for p in body["preflight"]["permissionResponse"]} == set(steps)

    def test_reuse_exists_and_rename_come_with_reasons(
        self, api: Api, world: dict[str, str]
    ) -> None:
        # The target already has the namespace, the field group (reused by title) and a
        # dataset of the same name (a dataset is not reused: renamed).
        api.create("ID_NAMESPACE", f.namespace(), "dev")
        fg = api.create("REGISTRY_MIXIN", f.field_group(api.tenant), "dev")
        other = api.create("REGISTRY_SCHEMA", f.schema(title="Other"), "dev")
        api.create("CATALOG_DATASET", f.dataset(other), "dev")
        pid = package(api, [("CATALOG_DATASET", world["ds"])])
        body = plan(api, pid).json()
        steps = by_source(body["steps"])
        assert steps[world["fg"]]["action"] == "REUSE"
        assert steps[world["fg"]]["targetId"] == fg
        assert "titled 'Loyalty'" in steps[world["fg"]]["reason"]
        ds = steps[world["ds"]]
        assert ds["action"] == "RENAME"
        assert ds["newTitle"].startswith("Members Dataset_")
        assert "taken" in ds["reason"]
        read = {(o["type"], o["id"]) for o in body["targetObjects"]}
        assert ("REGISTRY_MIXIN", fg) in read and ("ID_NAMESPACE", "loyaltyId") in read

    def test_plan_of_a_missing_package_target_or_bad_mapping(
        self, api: Api, world: dict[str, str]
    ) -> None:
        pid = package(api, [("CATALOG_DATASET", world["ds"])])
        r = plan(api, "f" * 32)
        assert r.status_code == 404 and r.json()["error"] == "PackageNotFound"
        r = plan(api, pid, "nowhere")
        assert r.status_code == 400 and r.json()["detail"].startswith("destinationSandbox.name")
        r = plan(api, pid, alternatives={world["ds"]: {"id": "nope", "type": "CATALOG_DATASET"}})
        assert r.status_code == 400 and r.json()["error"] == "InvalidMapping"
        same = {world["ds"]: {"id": world["ds"], "type": "CATALOG_DATASET"}}
        r = plan(api, pid, overwriteMappings=same)
        assert r.status_code == 400 and r.json()["detail"].startswith("overwriteMappings")
        r = plan(api, pid, packageVersion=7)
        assert r.status_code == 400 and r.json()["error"] == "NoSuchVersion"
        r = plan(api, pid, unknown=1)
        assert r.status_code == 400


class TestApply:
    def test_apply_does_exactly_the_plan(self, api: Api, world: dict[str, str]) -> None:
        other = api.create("REGISTRY_SCHEMA", f.schema(title="Other"), "dev")
        api.create("CATALOG_DATASET", f.dataset(other), "dev")
        pid = package(api, [("JOURNEY", world["journey"])])
        body = plan(api, pid).json()
        job = apply(api, pid, body["planId"])
        assert job["jobStatus"] == "SUCCESS", job
        steps = by_source(body["steps"])
        mapping = job["importReplacementMap"]
        assert mapping == {s: st["targetId"] for s, st in steps.items() if "targetId" in st}
        target = objects(api, "dev")
        renamed = steps[world["ds"]]
        assert target[("CATALOG_DATASET", renamed["targetId"])]["title"] == renamed["newTitle"]
        assert job["summary"]["create"] == body["summary"]["CREATE"] + body["summary"]["RENAME"]

    def test_drift_is_refused_naming_the_objects_and_nothing_is_written(
        self, api: Api, world: dict[str, str]
    ) -> None:
        pid = package(api, [("JOURNEY", world["journey"])])
        body = plan(api, pid).json()
        # Meanwhile the target gets a field group titled like the package's (an import would
        # now reuse it) and a namespace of the package's code.
        fg = api.create("REGISTRY_MIXIN", f.field_group(api.tenant), "dev")
        api.create("ID_NAMESPACE", f.namespace(), "dev")
        before = objects(api, "dev")
        job = apply(api, pid, body["planId"])
        assert job["jobStatus"] == "FAILED"
        assert job["errorMessage"].startswith("target changed since the plan: 2 objects")
        assert fg in job["errorMessage"]
        drifted = {(d["type"], d["id"], d["change"]) for d in job["driftedObjects"]}
        assert drifted == {("REGISTRY_MIXIN", fg, "added"), ("ID_NAMESPACE", "loyaltyId", "added")}
        assert objects(api, "dev") == before  # nothing written

    def test_a_modified_object_the_plan_read_is_drift(
        self, api: Api, world: dict[str, str]
    ) -> None:
        fg = api.create("REGISTRY_MIXIN", f.field_group(api.tenant), "dev")
        pid = package(api, [("REGISTRY_SCHEMA", world["schema"])])
        body = plan(api, pid).json()
        assert by_source(body["steps"])[world["fg"]]["action"] == "REUSE"
        current = api.get(f"{OBJ}/REGISTRY_MIXIN/{fg}", sandbox="dev").json()["definition"]
        current["description"] = "changed"
        r = api.put(f"{OBJ}/REGISTRY_MIXIN/{fg}", json=current, sandbox="dev")
        assert r.status_code == 200, r.text
        job = apply(api, pid, body["planId"])
        assert job["jobStatus"] == "FAILED"
        assert job["driftedObjects"] == [
            {
                "sandbox": "dev",
                "type": "REGISTRY_MIXIN",
                "id": fg,
                "title": "Loyalty",
                "change": "modified",
            }
        ]

    def test_unchanged_target_with_other_sandboxes_changing_applies(
        self, api: Api, world: dict[str, str]
    ) -> None:
        pid = package(api, [("CATALOG_DATASET", world["ds"])])
        body = plan(api, pid).json()
        api.create("REGISTRY_MIXIN", f.field_group(api.tenant, title="Other"), "dev")
        api.create("REGISTRY_MIXIN", f.field_group(api.tenant), "prod")  # not the target
        job = apply(api, pid, body["planId"])
        assert job["jobStatus"] == "SUCCESS", job

    def test_plan_id_must_fit_the_request(
        self, api: Api, state: AppState, world: dict[str, str]
    ) -> None:
        pid = package(api, [("CATALOG_DATASET", world["ds"])])
        other = package(api, [("REGISTRY_SCHEMA", world["store_schema"])], name="other")
        sandbox(api, "stage")
        plan_id = plan(api, pid).json()["planId"]
        r = submit(api, other, "dev", planId=plan_id)
        assert r.status_code == 400 and r.json()["error"] == "PlanMismatch"
        r = submit(api, pid, "stage", planId=plan_id)
        assert r.status_code == 400 and r.json()["error"] == "PlanMismatch"
        alt = {world["schema"]: {"id": world["schema"], "type": "REGISTRY_SCHEMA"}}
        r = submit(api, pid, "dev", planId=plan_id, alternatives=alt)
        assert r.status_code == 400 and r.json()["detail"].startswith("alternatives")
        r = submit(api, pid, "dev", planId="0" * 32)
        assert r.status_code == 404 and r.json()["error"] == "PlanNotFound"
        r = api.patch(
            f"{P}/{pid}/import", json={"destinationSandbox": {"name": "dev"}, "planId": plan_id}
        )
        assert r.status_code in (400, 409)  # not versionable, or an IMPORT plan
        with state.db.transaction() as session:
            session.execute(text("UPDATE import_plans SET expiry = 1"))
        r = submit(api, pid, "dev", planId=plan_id)
        assert r.status_code == 409 and r.json()["error"] == "PlanExpired"

    def test_another_orgs_plan_is_not_found(
        self, api: Api, api_b: Api, world: dict[str, str]
    ) -> None:
        pid = package(api, [("CATALOG_DATASET", world["ds"])])
        plan_id = plan(api, pid).json()["planId"]
        r = submit(api_b, pid, "prod", planId=plan_id)
        assert r.status_code == 404

    def test_a_plan_of_an_earlier_version_imports_that_version(
        self, api: Api, world: dict[str, str]
    ) -> None:
        pid = package(api, [("REGISTRY_SCHEMA", world["store_schema"])])
        r = api.post(f"{P}/{pid}/version/save")
        assert api.wait_job(r.json()["id"])["jobStatus"] == "SUCCESS"
        body = plan(api, pid, packageVersion=0).json()
        assert body["packageVersion"] == 0
        job = apply(api, pid, body["planId"])
        assert job["jobStatus"] == "SUCCESS" and job["packageVersion"] == 0


class TestUpdatePlan:
    def test_update_plan_names_updates_and_applies(self, api: Api, world: dict[str, str]) -> None:
        pid = package(api, [("REGISTRY_MIXIN", world["fg"])])
        job = apply(api, pid, plan(api, pid).json()["planId"])
        assert job["jobStatus"] == "SUCCESS", job
        new_fg = job["importReplacementMap"][world["fg"]]
        # Change the source field group (a new field), save version 1.
        src = api.get(f"{OBJ}/REGISTRY_MIXIN/{world['fg']}").json()["definition"]
        fields = src["definitions"]["main"]["properties"][f"_{api.tenant}"]["properties"]
        fields["tier"] = {"type": "string"}
        assert api.put(f"{OBJ}/REGISTRY_MIXIN/{world['fg']}", json=src).status_code == 200
        r = api.post(f"{P}/{pid}/version/save")
        assert api.wait_job(r.json()["id"])["jobStatus"] == "SUCCESS"
        body = plan(api, pid, update=True).json()
        assert body["kind"] == "UPDATE" and body["packageVersion"] == 1
        steps = by_source(body["steps"])
        assert steps[world["fg"]]["action"] == "UPDATE"
        assert steps[world["fg"]]["targetId"] == new_fg
        assert steps[world["dt"]]["action"] == "NO_CHANGE"
        assert body["changes"] is True
        r = api.patch(
            f"{P}/{pid}/import",
            json={"destinationSandbox": {"name": "dev"}, "planId": body["planId"]},
        )
        assert r.status_code == 200, r.text
        done = api.wait_job(r.json()["id"])
        assert done["jobStatus"] == "SUCCESS", done
        assert done["updatedObjects"] == [{"type": "REGISTRY_MIXIN", "id": new_fg}]
        # Planned again, nothing changes.
        again = plan(api, pid, update=True).json()
        assert again["changes"] is False
        assert {s["action"] for s in again["steps"]} <= {"NO_CHANGE", "SUBSTITUTE", "SKIP"}
        # An import plan cannot be applied as an update.
        r = api.patch(
            f"{P}/{pid}/import",
            json={"destinationSandbox": {"name": "dev"}, "planId": plan(api, pid).json()["planId"]},
        )
        assert r.status_code == 400 and r.json()["error"] == "PlanMismatch"


class TestDigest:
    def test_digest_is_order_free_and_sees_every_field(self) -> None:
        a = TargetObject("REGISTRY_MIXIN", "x", "Loyalty", 1, 10)
        b = TargetObject("ID_NAMESPACE", "loyaltyId", "Loyalty ID", 1, 11)
        assert digest([a, b]) == digest([b, a])
        assert digest([a]) != digest([TargetObject("REGISTRY_MIXIN", "x", "Loyalty", 2, 10)])
        assert digest([a]) != digest([TargetObject("REGISTRY_MIXIN", "x", "Loyalty", 1, 12)])
        assert digest([]) != digest([a])

    def test_diff_names_added_removed_and_modified(self) -> None:
        then = [["T", "a", "A", 1, 1], ["T", "b", "B", 1, 1]]
        now = [["T", "a", "A", 2, 5], ["T", "c", "C", 1, 1]]
        assert diff("dev", then, now) == [
            DriftedObject("dev", "T", "a", "A", "modified"),
            DriftedObject("dev", "T", "b", "B", "removed"),
            DriftedObject("dev", "T", "c", "C", "added"),
        ]
        assert diff("dev", then, then) == []
