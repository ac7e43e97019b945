"""Issue 9 §2-§4: no lost writes under concurrency, rollbacks need delete permissions, reads
are scoped to the sandboxes a user's roles cover, sharing reads need Package:share."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.runtime import Runtime
from tests import factories as f
from tests.helpers import ORG_A, Api, concurrently, make_api, package, run_import, sandbox

P = "/data/foundation/exim/packages"
OBJ = "/data/foundation/registry/objects"
SM = "/data/foundation/sandbox-management/sandboxes"
EXIM = "/data/foundation/exim"


def scoped_user(
    client: TestClient, state: Runtime, name: str, permissions: list[str], sandboxes: list[str]
) -> Api:
    with state.db.transaction() as s:
        identity_service.create_role(
            s, org_id=ORG_A, name=name, permissions=permissions, sandboxes=sandboxes
        )
    return make_api(
        client, state, ORG_A, "alpha", user_id=f"{name}@a", roles=(name,), create_org=False
    )


# -- §2: lost updates -------------------------------------------------------------------------
class TestConcurrentWriters:
    def datasets(self, api: Api, n: int) -> list[str]:
        schema = api.create("REGISTRY_SCHEMA", f.schema())
        return [api.create("CATALOG_DATASET", f.dataset(schema, f"ds{i}")) for i in range(n)]

    def draft(self, api: Api, first: str) -> dict[str, Any]:
        r = api.post(
            P,
            json={
                "name": "c",
                "packageType": "PARTIAL",
                "artifacts": [{"id": first, "type": "CATALOG_DATASET"}],
            },
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    def test_versioned_adds_apply_once_or_409(self, api: Api) -> None:
        ids = self.datasets(api, 9)
        pkg = self.draft(api, ids[0])

        def add(i: int) -> int:
            body = {
                "id": pkg["id"],
                "action": "ADD",
                "version": pkg["version"],
                "artifacts": [{"id": ids[i + 1], "type": "CATALOG_DATASET"}],
            }
            return int(api.put(P, json=body).status_code)

        codes = Counter(concurrently(8, add))
        assert codes == {200: 1, 409: 7}, codes
        got = api.get(f"{P}/{pkg['id']}").json()
        assert len(got["artifactsList"]) == 2 and got["version"] == pkg["version"] + 1

    def test_unversioned_adds_serialize_and_none_is_lost(self, api: Api) -> None:
        ids = self.datasets(api, 9)
        pkg = self.draft(api, ids[0])

        def add(i: int) -> int:
            body = {
                "id": pkg["id"],
                "action": "ADD",
                "artifacts": [{"id": ids[i + 1], "type": "CATALOG_DATASET"}],
            }
            return int(api.put(P, json=body).status_code)

        assert concurrently(8, add) == [200] * 8
        got = api.get(f"{P}/{pkg['id']}").json()
        assert sorted(a["id"] for a in got["artifactsList"]) == sorted(ids)
        assert got["version"] == pkg["version"] + 8

    def test_sandbox_title_changes_none_lost(self, api: Api) -> None:
        sandbox(api, "dev")
        codes = concurrently(
            8, lambda i: api.patch(f"{SM}/dev", json={"title": f"Dev {i}"}).status_code
        )
        assert codes == [200] * 8
        assert api.get(f"{SM}/dev").json()["eTag"] == 1 + 8

    def test_object_replacements_none_lost(self, api: Api) -> None:
        dt = api.create("REGISTRY_DATATYPE", f.datatype("T"))
        codes = concurrently(
            8,
            lambda i: (
                api.put(
                    f"{OBJ}/REGISTRY_DATATYPE/{dt.replace('/', '%2F')}",
                    json={**f.datatype(f"T{i}"), "$id": dt},
                ).status_code
            ),
        )
        assert codes == [200] * 8
        assert api.get(f"{OBJ}/REGISTRY_DATATYPE/{dt.replace('/', '%2F')}").json()["version"] == 9

    def test_concurrent_link_requests_make_one_link(self, api: Api, api_b: Api) -> None:
        body = {"targetIMSOrgIds": [api_b.org_id], "sourceIMSDetails": {"id": api.org_id}}
        results = concurrently(4, lambda i: api.post(f"{EXIM}/handshake/bulkCreate", json=body))
        assert [r.status_code for r in results] == [200] * 4
        made = sum(len(r.json()["successfulRequests"]) for r in results)
        assert made == 1
        links = api.get(f"{EXIM}/handshake/list").json()
        assert links["totalElements"] == 1

    def test_concurrent_approve_and_reject_decide_once(self, api: Api, api_b: Api) -> None:
        body = {"targetIMSOrgIds": [api_b.org_id], "sourceIMSDetails": {"id": api.org_id}}
        link = api.post(f"{EXIM}/handshake/bulkCreate", json=body).json()
        linking_id = link["successfulRequests"][api_b.org_id]["linkingId"]

        def act(i: int) -> int:
            return int(
                api_b.post(
                    f"{EXIM}/handshake/action",
                    json={
                        "linkingID": linking_id,
                        "status": "APPROVED" if i % 2 else "REJECTED",
                        "reason": str(i),
                        "targetIMSOrgDetails": {
                            "id": api_b.org_id,
                            "name": "Org bravo",
                            "region": "va7",
                        },
                    },
                ).status_code
            )

        assert Counter(concurrently(6, act)) == {200: 1, 409: 5}
        got = api_b.get(f"{EXIM}/handshake/list").json()["data"][0]
        assert got["version"] == 1 and got["statusHistory"].count('"action"') == 2

    def test_two_rollbacks_of_one_import_delete_once(self, api: Api) -> None:
        world = f.seed_world(api)
        sandbox(api, "dev")
        pid = package(api, [("CATALOG_DATASET", world["ds"])])
        job = run_import(api, pid)
        assert job["jobStatus"] == "SUCCESS"
        responses = concurrently(2, lambda i: api.post(f"{P}/jobs/{job['id']}/rollback"))
        ran = [api.wait_job(r.json()["id"]) for r in responses if r.status_code == 200]
        statuses = sorted(j["jobStatus"] for j in ran)
        assert statuses.count("SUCCESS") == 1, statuses
        winner = next(j for j in ran if j["jobStatus"] == "SUCCESS")
        assert len(winner["deletedObjects"]) == len(job["createdObjects"])
        again = api.get(f"{EXIM}/tools/job/{job['id']}").json()["object"]
        assert again["rolledBackBy"] == winner["id"]


# -- §3: rollback permissions -----------------------------------------------------------------
class TestRollbackPermissions:
    def test_rollback_needs_delete_on_every_type_it_deletes(
        self, api: Api, client: TestClient, state: Runtime
    ) -> None:
        world = f.seed_world(api)
        sandbox(api, "dev")
        pid = package(api, [("FLOW", world["flow"])])
        job = run_import(api, pid)
        assert job["jobStatus"] == "SUCCESS"
        created = {o["type"] for o in job["createdObjects"]}
        assert {"FLOW", "CATALOG_DATASET", "REGISTRY_SCHEMA"} <= created
        # Roles limited to the package's source and the import's target: the job is visible,
        # the user manages packages there and may delete schemas, but not datasets or flows.
        dev = scoped_user(
            client,
            state,
            "dev-schemas",
            ["Schema:read,write,delete", "Dataset:read,write", "Package:view,manage"],
            ["prod", "dev"],
        )
        before = api.get(f"{OBJ}/FLOW", sandbox="dev").json()["totalElements"]
        r = dev.post(f"{P}/jobs/{job['id']}/rollback")
        assert r.status_code == 403, r.text
        detail = r.json()["detail"]
        assert "Sources:delete" in detail and "Dataset:delete" in detail
        assert "Schema:delete" not in detail
        assert api.get(f"{OBJ}/FLOW", sandbox="dev").json()["totalElements"] == before
        r = api.post(f"{P}/jobs/{job['id']}/rollback")
        assert r.status_code == 200 and api.wait_job(r.json()["id"])["jobStatus"] == "SUCCESS"


# -- §4: reads scoped like writes -------------------------------------------------------------
class TestScopedReads:
    @pytest.fixture
    def setup(self, api: Api, api_b: Api, client: TestClient, state: Runtime) -> dict[str, Any]:
        world = f.seed_world(api)
        sandbox(api, "dev")
        prod_pkg = package(api, [("CATALOG_DATASET", world["ds"])], name="prod pkg")
        export_job = api.get(f"{P}/jobs").json()["data"][0]
        dev_world_schema = api.create("REGISTRY_SCHEMA", f.schema("Dev only"), sandbox="dev")
        dev_pkg = package(
            api, [("REGISTRY_SCHEMA", dev_world_schema)], name="dev pkg", source="dev"
        )
        link = api.post(
            f"{EXIM}/handshake/bulkCreate",
            json={"targetIMSOrgIds": [api_b.org_id], "sourceIMSDetails": {"id": api.org_id}},
        ).json()["successfulRequests"][api_b.org_id]
        dev = scoped_user(
            client,
            state,
            "dev-only",
            ["Schema:read,write,delete", "Dataset:read,write", "Package:view,manage"],
            ["dev"],
        )
        return {
            "prod_pkg": prod_pkg,
            "dev_pkg": dev_pkg,
            "export_job": export_job["id"],
            "dev": dev,
            "link": link,
        }

    def test_packages_of_other_sandboxes_are_invisible(self, setup: dict[str, Any]) -> None:
        dev: Api = setup["dev"]
        prod_pkg = setup["prod_pkg"]
        assert dev.get(f"{P}/{prod_pkg}").status_code == 404
        r = dev.post(f"{P}/{prod_pkg}/children", json=[])
        assert r.status_code == 404
        assert dev.get(f"{P}/preflight/{prod_pkg}?targetSandbox=dev").status_code == 404
        assert dev.get(f"{P}/{prod_pkg}/import?targetSandbox=dev").status_code == 404
        names = [p["name"] for p in dev.get(P).json()["data"]]
        assert names == ["dev pkg"]
        assert dev.get(f"{P}/{setup['dev_pkg']}").status_code == 200

    def test_jobs_of_other_sandboxes_are_invisible(self, setup: dict[str, Any]) -> None:
        dev: Api = setup["dev"]
        assert dev.get(f"{EXIM}/tools/job/{setup['export_job']}").status_code == 404
        jobs = dev.get(f"{P}/jobs").json()["data"]
        assert jobs and all(j["sourceSandBox"] == "dev" for j in jobs)

    def test_sharing_reads_need_share(self, setup: dict[str, Any], api: Api) -> None:
        dev: Api = setup["dev"]
        for path in (f"{EXIM}/transfer/list", f"{EXIM}/handshake/list"):
            r = dev.get(path)
            assert r.status_code == 403 and "Package:share" in r.json()["detail"], path
        transfers = api.post(
            f"{EXIM}/transfer",
            json={
                "packageId": setup["prod_pkg"],
                "targets": [{"imsOrgId": "B" * 24 + "@AdobeOrg"}],
            },
        ).json()
        r = dev.get(f"{EXIM}/transfer/{transfers[0]['id']}")
        assert r.status_code == 403 and "Package:share" in r.json()["detail"]
        assert api.get(f"{EXIM}/transfer/{transfers[0]['id']}").status_code == 200
