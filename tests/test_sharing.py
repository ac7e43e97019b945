"""Sharing across orgs: handshakes, private transfers, public packages, cross-tenant imports,
and what a third org can and cannot see."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sandbox_tooling.runtime import Runtime as AppState
from tests import factories as f
from tests.conftest import ORG_A, ORG_B, Api, make_api
from tests.test_import import objects, package, refs_resolve_in

ORG_C = "CCCC3333CCCC3333CCCC3333@AdobeOrg"
H = "/data/foundation/exim/handshake"
T = "/data/foundation/exim/transfer"
P = "/data/foundation/exim/packages"


@pytest.fixture
def api_c(client: TestClient, state: AppState) -> Api:
    return make_api(client, state, ORG_C, "charlie")


def link(a: Api, b: Api, *, approve: bool = True) -> dict[str, Any]:
    r = a.post(
        f"{H}/bulkCreate",
        json={"targetIMSOrgIds": [b.org_id], "sourceIMSDetails": {"id": a.org_id, "name": "A"}},
    )
    assert r.status_code == 200, r.text
    created = r.json()["successfulRequests"][b.org_id]
    if approve:
        r = b.post(
            f"{H}/action",
            json={
                "linkingID": created["linkingId"],
                "status": "APPROVED",
                "reason": "partners",
                "targetIMSOrgDetails": {"id": b.org_id, "name": f"Org {b.tenant}", "region": "va7"},
            },
        )
        assert r.status_code == 200, r.text
        return dict(r.json())
    return dict(created)


def wait_transfer(api: Api, transfer_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        t = api.get(f"{T}/{transfer_id}").json()
        if t["status"] in ("COMPLETED", "FAILED"):
            return dict(t)
        time.sleep(0.02)
    raise AssertionError("transfer did not finish")


class TestHandshakes:
    def test_create_approve_list(self, api: Api, api_b: Api) -> None:
        r = api.post(
            f"{H}/bulkCreate",
            json={
                "targetIMSOrgIds": [ORG_B, "NOPE@AdobeOrg", ORG_A],
                "sourceIMSDetails": {"id": ORG_A, "name": "Org alpha"},
            },
        )
        assert r.status_code == 200
        body = r.json()
        created = body["successfulRequests"][ORG_B]
        assert created["status"] == "APPROVAL_PENDING" and created["version"] == 0
        assert created["sourceIMSOrgName"] == "Org alpha" and "sourceOrgName" not in created
        assert len(created["id"]) == 32 and len(created["linkingId"]) == 36
        history = json.loads(created["statusHistory"])
        assert [h["action"] for h in history] == ["INITIATED"]
        assert set(body["failedRequests"]) == {"NOPE@AdobeOrg", ORG_A}
        assert "does not exist" in body["failedRequests"]["NOPE@AdobeOrg"]["reason"]
        # pending already: a second request fails for that target
        again = api.post(
            f"{H}/bulkCreate", json={"targetIMSOrgIds": [ORG_B], "sourceIMSDetails": {"id": ORG_A}}
        ).json()
        assert "APPROVAL_PENDING" in again["failedRequests"][ORG_B]["reason"]
        # the reverse direction too
        rev = api_b.post(
            f"{H}/bulkCreate", json={"targetIMSOrgIds": [ORG_A], "sourceIMSDetails": {"id": ORG_B}}
        ).json()
        assert ORG_A in rev["failedRequests"]
        # B approves, with a 32-hex linkingID as the documents' sample sends it
        r = api_b.post(
            f"{H}/action",
            json={
                "linkingID": created["linkingId"].replace("-", ""),
                "status": "APPROVED",
                "reason": "Done",
                "targetIMSOrgDetails": {"id": ORG_B, "name": "Org bravo", "region": "va7"},
            },
        )
        assert r.status_code == 200, r.text
        done = r.json()
        assert done["status"] == "APPROVED" and done["version"] == 1
        assert done["targetRegion"] == "va7" and done["targetOrgName"] == "Org bravo"
        assert done["sourceOrgName"] == "Org alpha"
        assert [h["action"] for h in json.loads(done["statusHistory"])] == ["INITIATED", "APPROVED"]
        assert json.loads(done["statusHistory"])[1]["reason"] == "Done"
        incoming = api_b.get(f"{H}/list?property=status%3D%3DAPPROVED&requestType=INCOMING").json()
        assert [h["id"] for h in incoming["data"]] == [created["id"]]
        assert api_b.get(f"{H}/list?requestType=OUTGOING").json()["totalElements"] == 0
        assert api.get(f"{H}/list?requestType=outgoing").json()["totalElements"] == 1
        assert api.get(f"{H}/list?property=status==IN_PROGRESS").json()["totalElements"] == 0

    def test_action_rules(self, api: Api, api_b: Api, client, state: AppState) -> None:
        api_c = make_api(client, state, ORG_C, "charlie")
        created = link(api, api_b, approve=False)
        body = {
            "linkingID": created["linkingId"],
            "status": "APPROVED",
            "reason": "ok",
            "targetIMSOrgDetails": {"id": ORG_B, "name": "Org bravo", "region": "va7"},
        }
        r = api.post(f"{H}/action", json=body)  # the source org cannot approve
        assert r.status_code == 403
        assert api_c.post(f"{H}/action", json=body).status_code == 404
        for field, value in (("id", ORG_C), ("name", "Someone else"), ("region", "nld2")):
            bad = {**body, "targetIMSOrgDetails": {**body["targetIMSOrgDetails"], field: value}}
            r = api_b.post(f"{H}/action", json=bad)
            assert r.status_code == 400 and f"targetIMSOrgDetails.{field}" in r.json()["detail"]
        for missing in ("linkingID", "status", "reason", "targetIMSOrgDetails"):
            partial = {k: v for k, v in body.items() if k != missing}
            assert api_b.post(f"{H}/action", json=partial).status_code == 400
        assert api_b.post(f"{H}/action", json={**body, "status": "MAYBE"}).status_code == 400
        assert api_b.post(f"{H}/action", json={**body, "status": "REJECTED"}).status_code == 200
        r = api_b.post(f"{H}/action", json=body)  # final
        assert r.status_code == 409
        # after a rejection a new request may be sent
        assert (
            ORG_B
            in api.post(
                f"{H}/bulkCreate",
                json={"targetIMSOrgIds": [ORG_B], "sourceIMSDetails": {"id": ORG_A}},
            ).json()["successfulRequests"]
        )

    def test_bad_requests(self, api: Api) -> None:
        r = api.post(
            f"{H}/bulkCreate", json={"targetIMSOrgIds": [ORG_B], "sourceIMSDetails": {"id": ORG_B}}
        )
        assert r.status_code == 400 and "sourceIMSDetails.id" in r.json()["detail"]
        assert api.post(f"{H}/bulkCreate", json={"targetIMSOrgIds": []}).status_code == 400
        assert api.get(f"{H}/list?requestType=SIDEWAYS").status_code == 400
        assert api.get(f"{H}/list?property=status==LOST").status_code == 400


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


class TestTransferRules:
    def test_refusals(self, api: Api, api_b: Api) -> None:
        world = f.seed_world(api)
        draft = api.post(
            P,
            json={
                "name": "draft",
                "packageType": "PARTIAL",
                "artifacts": [{"id": world["policy"], "type": "DULE_CONSENT_POLICY"}],
            },
        ).json()
        r = api.post(T, json={"packageId": draft["id"], "targets": [{"imsOrgId": ORG_B}]})
        assert r.status_code == 409
        pid = package(api, [("DULE_CONSENT_POLICY", world["policy"])])
        r = api.post(T, json={"packageId": pid, "targets": [{"imsOrgId": ORG_A}]})
        assert r.status_code == 400 and "targets[0].imsOrgId" in r.json()["detail"]
        assert api.post(T, json={"packageId": pid, "targets": []}).status_code == 400
        assert (
            api_b.post(T, json={"packageId": pid, "targets": [{"imsOrgId": ORG_A}]}).status_code
            == 404
        )
        assert api.get(f"{T}/{'0' * 32}").status_code == 404
        assert api.get(f"{T}/list?requestType=SECRET").status_code == 400
        r = api.post(f"{T}/pullRequest", json={"imsOrgId": ORG_A, "packageId": pid})
        assert r.status_code == 404  # private, even for its own org's call
        api.put(P, json={"id": pid, "action": "UPDATE", "packageVisibility": "PUBLIC"})
        r = api.post(f"{T}/pullRequest", json={"imsOrgId": ORG_A, "packageId": pid})
        assert r.status_code == 400 and "own" in r.json()["detail"]
        r = api_b.post(f"{T}/pullRequest", json={"imsOrgId": ORG_B, "packageId": pid})
        assert r.status_code == 404  # wrong org named

    def test_shared_copy_is_not_versionable_and_names_do_not_clash(
        self, api: Api, api_b: Api
    ) -> None:
        world = f.seed_world(api)
        link(api, api_b)
        pid = package(api, [("REGISTRY_SCHEMA", world["schema"])], name="schemas")
        api_b.post(P, json={"name": "schemas", "packageType": "FULL"})
        t = api.post(T, json={"packageId": pid, "targets": [{"imsOrgId": ORG_B}]}).json()[0]
        done = wait_transfer(api, t["id"])
        copy = api_b.get(f"{P}/{done['targetPackageId']}?getCapabilities=true").json()
        assert copy["name"].startswith("schemas_")
        assert copy["packageCapabilities"] == {"capabilities": []}
        assert api.get(f"{P}/{pid}?getCapabilities=true").json()["packageCapabilities"] == {
            "capabilities": ["VERSIONABLE"]
        }
