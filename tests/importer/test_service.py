"""The conflict check (similar objects in the target, ranked) and rollback of imports."""

from __future__ import annotations

from tests import factories as f
from tests.helpers import ORG_A, Api, objects, package, run_import

P = "/data/foundation/exim/packages"
OBJ = "/data/foundation/registry/objects"


class TestConflicts:
    def test_ranking(self, api: Api, world: dict[str, str]) -> None:
        ids = {}
        for title in ("Unrelated thing", "Members v2", "Members_1686403052050", "Members"):
            ids[title] = api.create("REGISTRY_SCHEMA", f.schema(title), sandbox="dev")
        pid = package(api, [("REGISTRY_SCHEMA", world["schema"])])
        r = api.get(f"{P}/{pid}/import?targetSandbox=dev")
        assert r.status_code == 200, r.text
        entry = next(e for e in r.json() if e["artifact"]["id"] == world["schema"])
        assert [s["title"] for s in entry["suggestionList"]] == [
            "Members",
            "Members_1686403052050",
            "Members v2",
        ]
        assert entry["artifact"]["messages"] == [
            {"status": "FOUND", "attempt": 1, "message": f"Found object with ID: {world['schema']}"}
        ]
        assert entry["parentID"] == f"{ORG_A}::prod::REGISTRY_SCHEMA::{world['schema']}"
        assert all(s["type"] == "REGISTRY_SCHEMA" for s in entry["suggestionList"])

    def test_structure_breaks_ties(self, api: Api, world: dict[str, str]) -> None:
        # Same tier and score (the title once the suffix is dropped); by title alone "1600..."
        # would come first, but "1700..." has the source schema's structure.
        unlike = api.create(
            "REGISTRY_SCHEMA",
            {
                **f.schema("Members_1600000000000"),
                "description": "x",
                "meta:abstract": True,
                "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
            },
            sandbox="dev",
        )
        alike = api.create("REGISTRY_SCHEMA", f.schema("Members_1700000000000"), sandbox="dev")
        pid = package(api, [("REGISTRY_SCHEMA", world["schema"])])
        entry = next(
            e
            for e in api.get(f"{P}/{pid}/import?targetSandbox=dev").json()
            if e["artifact"]["id"] == world["schema"]
        )
        assert [s["id"] for s in entry["suggestionList"]] == [alike, unlike]

    def test_no_similar_objects_no_entry(self, api: Api, world: dict[str, str]) -> None:
        pid = package(api, [("DULE_CONSENT_POLICY", world["policy"])])
        assert api.get(f"{P}/{pid}/import?targetSandbox=dev").json() == []
        assert api.get(f"{P}/{pid}/import").status_code == 400
        assert api.get(f"{P}/{pid}/import?targetSandbox=nope").status_code == 400

    def test_at_most_ten(self, api: Api, world: dict[str, str]) -> None:
        for i in range(15):
            api.create(
                "DULE_CONSENT_POLICY",
                f.consent_policy(f"Email consent_{1600000000000 + i}"),
                sandbox="dev",
            )
        pid = package(api, [("DULE_CONSENT_POLICY", world["policy"])])
        entry = api.get(f"{P}/{pid}/import?targetSandbox=dev").json()[0]
        assert len(entry["suggestionList"]) == 10


class TestRollback:
    def test_rollback_restores_target(self, api: Api, world: dict[str, str]) -> None:
        existing = api.create("REGISTRY_SCHEMA", f.schema("Members"), sandbox="dev")
        before = objects(api, "dev")
        pid = package(api, [("JOURNEY", world["journey"])])
        job = run_import(api, pid)
        assert len(objects(api, "dev")) > len(before)
        r = api.post(f"{P}/jobs/{job['id']}/rollback")
        assert r.status_code == 200, r.text
        rb = api.wait_job(r.json()["id"])
        assert rb["jobStatus"] == "SUCCESS" and rb["jobType"] == "ROLLBACK"
        after = objects(api, "dev")
        assert after.keys() == before.keys()  # the reused schema stays
        assert ("REGISTRY_SCHEMA", existing) in after
        assert api.post(f"{P}/jobs/{job['id']}/rollback").status_code == 409
        assert (
            api.get(f"/data/foundation/exim/tools/job/{job['id']}").json()["object"]["rolledBackBy"]
            == rb["id"]
        )

    def test_rollback_refused_when_modified_or_referenced(
        self, api: Api, world: dict[str, str]
    ) -> None:
        pid = package(api, [("CATALOG_DATASET", world["ds"])])
        job = run_import(api, pid)
        m = job["importReplacementMap"]
        new_schema = m[world["schema"]]
        later = api.create("CATALOG_DATASET", f.dataset(new_schema, "later"), sandbox="dev")
        r = api.post(f"{P}/jobs/{job['id']}/rollback")
        assert r.status_code == 409 and later in r.json()["detail"]
        api.delete(f"{OBJ}/CATALOG_DATASET/{later}", sandbox="dev")
        new_ds = m[world["ds"]]
        api.put(
            f"{OBJ}/CATALOG_DATASET/{new_ds}", sandbox="dev", json=f.dataset(new_schema, "renamed")
        )
        r = api.post(f"{P}/jobs/{job['id']}/rollback")
        assert r.status_code == 409 and new_ds in r.json()["detail"]
        assert "modified" in r.json()["detail"]

    def test_only_successful_imports_roll_back(self, api: Api, world: dict[str, str]) -> None:
        pid = package(api, [("DULE_CONSENT_POLICY", world["policy"])])
        export_job = api.get(f"{P}/jobs?property=requestType==EXPORT").json()["data"][0]
        assert api.post(f"{P}/jobs/{export_job['id']}/rollback").status_code == 409
        assert api.post(f"{P}/jobs/{'a' * 32}/rollback").status_code == 404
        assert pid
