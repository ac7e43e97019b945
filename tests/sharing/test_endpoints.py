"""Sharing over HTTP: handshakes (links between orgs, both spellings of ``linkingId``) and
the rules of transfers."""

from __future__ import annotations

import json

import pytest

from sandbox_tooling.runtime import Runtime as AppState
from tests import factories as f
from tests.helpers import ORG_A, ORG_B, Api, make_api, package
from tests.sharing.helpers import ORG_C, H, P, T, link, wait_transfer


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


class TestHandshakeLinkingId:
    @pytest.mark.parametrize("spelling", ["linkingID", "linkingId"])
    def test_both_spellings(self, api: Api, api_b: Api, spelling: str) -> None:
        created = link(api, api_b, approve=False)
        r = api_b.post(
            f"{H}/action",
            json={
                spelling: created["linkingId"],
                "status": "APPROVED",
                "reason": "ok",
                "targetIMSOrgDetails": {"id": ORG_B, "name": "Org bravo", "region": "va7"},
            },
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "APPROVED"

    def test_both_at_once_is_400(self, api: Api, api_b: Api) -> None:
        created = link(api, api_b, approve=False)
        r = api_b.post(
            f"{H}/action",
            json={
                "linkingID": created["linkingId"],
                "linkingId": created["linkingId"],
                "status": "APPROVED",
                "reason": "ok",
                "targetIMSOrgDetails": {"id": ORG_B, "name": "Org bravo", "region": "va7"},
            },
        )
        assert r.status_code == 400 and r.json()["detail"].startswith("linkingId")
