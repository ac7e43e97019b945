"""The transfer job end to end across three orgs: private transfers, public pulls,
cross-tenant imports of the copies, and what a third org can and cannot see."""

from __future__ import annotations

import json

from sandbox_tooling.runtime import Runtime as AppState
from tests import factories as f
from tests.helpers import ORG_A, ORG_B, Api, objects, package, refs_resolve_in
from tests.sharing.helpers import ORG_C, H, P, T, link, wait_transfer


class TestThreeOrgs:
    def test_private_transfer_public_pull_and_isolation(
        self, api: Api, api_b: Api, api_c: Api, state: AppState
    ) -> None:
        a, b, c = api, api_b, api_c
        world = f.seed_world(a)
        link_ab = link(a, b)
        private = package(a, [("JOURNEY", world["journey"])], name="private pkg")

        # A transfers to B and C; C has no link
        r = a.post(
            T, json={"packageId": private, "targets": [{"imsOrgId": ORG_B}, {"imsOrgId": ORG_C}]}
        )
        assert r.status_code == 200, r.text
        transfers = {t["targetIMSOrgId"]: t for t in r.json()}
        assert all(
            t["status"] == "PENDING" and t["requestType"] == "PRIVATE" for t in transfers.values()
        )
        to_b = wait_transfer(a, transfers[ORG_B]["id"])
        assert to_b["status"] == "COMPLETED" and to_b["completedTime"]
        assert to_b["transferDetails"]["messages"][-1] == "Finished with status: COMPLETED"
        to_c = wait_transfer(a, transfers[ORG_C]["id"])
        assert to_c["status"] == "FAILED" and "approved link" in to_c["failureReason"]

        # B has its own published copy; it checks conflicts, runs the preflight, imports
        copy_id = to_b["targetPackageId"]
        copy = b.get(f"{P}/{copy_id}").json()
        assert copy["imsOrgId"] == ORG_B and copy["status"] == "PUBLISHED"
        assert copy["name"] == "private pkg"
        assert b.get(f"{P}/{copy_id}/import?targetSandbox=prod").status_code == 200
        pre = b.get(f"{P}/preflight/{copy_id}?targetSandbox=prod").json()
        assert all(e["creationAllowed"] for e in pre["permissionResponse"])
        r = b.post(f"{P}/import", json={"id": copy_id, "destinationSandbox": {"name": "prod"}})
        assert r.status_code == 200, r.text
        job = b.wait_job(r.json()["jobId"])
        assert job["jobStatus"] == "SUCCESS", job
        target = objects(b, "prod")
        assert len(target) == 12
        refs_resolve_in(b, state, target)
        text = json.dumps(list(target.values()))
        assert "alpha" not in text  # A's tenant is gone everywhere...
        schema = next(
            o for k, o in target.items() if k[0] == "REGISTRY_SCHEMA" and o["title"] == "Members"
        )
        assert schema["id"].startswith("https://ns.adobe.com/bravo/schemas/")
        assert schema["definition"]["meta:altId"].startswith("_bravo.schemas.")
        fg = next(o for k, o in target.items() if k[0] == "REGISTRY_MIXIN")
        assert "_bravo" in fg["definition"]["definitions"]["main"]["properties"]
        desc = next(
            o
            for k, o in target.items()
            if k[0] == "REGISTRY_DESCRIPTOR"
            and o["definition"]["@type"] == "xdm:descriptorIdentity"
        )
        assert desc["definition"]["xdm:sourceSchema"] == schema["id"]
        # ...and B can change the imported objects: they are valid in B's org
        r = b.put(
            f"/data/foundation/registry/objects/REGISTRY_SCHEMA/{schema['id']}",
            json={**schema["definition"], "description": "mine now"},
        )
        assert r.status_code == 200, r.text

        # A makes another package public; C pulls it and imports it
        public = package(
            a,
            [("DULE_CONSENT_POLICY", world["policy"]), ("CATALOG_DATASET", world["ds"])],
            name="public pkg",
        )
        assert (
            a.put(
                P, json={"id": public, "action": "UPDATE", "packageVisibility": "PUBLIC"}
            ).status_code
            == 200
        )
        payload = a.get(f"{P}/payload/{public}").json()
        assert payload == {"imsOrgId": ORG_A, "packageId": public}
        r = c.post(f"{T}/pullRequest", json=payload)
        assert r.status_code == 200, r.text
        pulled = r.json()
        assert pulled["requestType"] == "PUBLIC" and pulled["pipelineMessageId"]
        assert pulled["targetIMSOrgId"] == ORG_C and pulled["status"] == "PENDING"
        done = wait_transfer(c, pulled["id"])
        assert done["status"] == "COMPLETED"
        r = c.post(
            f"{P}/import",
            json={"id": done["targetPackageId"], "destinationSandbox": {"name": "prod"}},
        )
        assert c.wait_job(r.json()["jobId"])["jobStatus"] == "SUCCESS"
        c_objects = objects(c, "prod")
        assert {k[0] for k in c_objects} >= {"CATALOG_DATASET", "DULE_CONSENT_POLICY"}
        assert all("alpha" not in json.dumps(o) for o in c_objects.values())

        # C sees neither the A<->B link nor the private transfers; its private pull fails
        assert c.get(f"{H}/list").json()["totalElements"] == 0
        assert c.get(f"{T}/{transfers[ORG_B]['id']}").status_code == 404
        listed = c.get(f"{T}/list").json()
        # C sees its pull; neither the one to B nor the one refused to it (no link with A)
        assert {t["id"] for t in listed["data"]} == {pulled["id"]}
        r = c.post(f"{T}/pullRequest", json={"imsOrgId": ORG_A, "packageId": private})
        assert r.status_code == 404 and private in r.json()["detail"]
        assert c.get(f"{P}/{private}").status_code == 404
        # B sees the link and its transfer, not C's pull
        assert [h["linkingId"] for h in b.get(f"{H}/list").json()["data"]] == [link_ab["linkingId"]]
        assert {t["id"] for t in b.get(f"{T}/list").json()["data"]} == {transfers[ORG_B]["id"]}
        # A sees all three, and filters by request type without regard to case
        assert a.get(f"{T}/list").json()["totalElements"] == 3
        assert [t["id"] for t in a.get(f"{T}/list?requestType=public").json()["data"]] == [
            pulled["id"]
        ]
        assert (
            a.get(
                f"{T}/list?requestType=Private&property=status==COMPLETED&orderBy=-createdDate"
            ).json()["totalElements"]
            == 1
        )
