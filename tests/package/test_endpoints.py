"""Packages over HTTP: create, update actions, publish requests, capabilities, lookup, list,
children, payload, delete; the job endpoints."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from tests.helpers import Api
from tests.package.helpers import SPEC_3_1_FIELDS, P, make_package


class TestCreate:
    def test_partial_package(self, api: Api, pkg: dict, world: dict[str, str]) -> None:
        assert set(pkg) >= SPEC_3_1_FIELDS
        assert pkg["status"] == "DRAFT" and pkg["version"] == 0
        assert len(pkg["id"]) == 32
        assert pkg["sourceSandbox"] == {"name": "prod", "imsOrgId": api.org_id}
        assert pkg["artifactsList"][0] == {
            "id": world["journey"],
            "type": "JOURNEY",
            "title": "Welcome",
            "found": False,
            "count": 0,
        }
        assert pkg["expiry"] > pkg["createdDate"] + 89 * 86_400_000

    def test_source_sandbox_defaults_to_header(self, api: Api, world: dict[str, str]) -> None:
        r = api.post(
            P,
            json={
                "name": "n",
                "packageType": "PARTIAL",
                "artifacts": [{"id": world["ds"], "type": "CATALOG_DATASET"}],
            },
        )
        assert r.status_code == 200 and r.json()["sourceSandbox"]["name"] == "prod"

    def test_artifacts_deduplicated(self, api: Api, world: dict[str, str]) -> None:
        art = {"id": world["ds"], "type": "CATALOG_DATASET"}
        assert len(make_package(api, [art, art])["artifactsList"]) == 1

    def test_explicit_expiry(self, api: Api, world: dict[str, str]) -> None:
        p = make_package(api, [], expiry="2099-05-20T20:05:10Z")
        expected = datetime(2099, 5, 20, 20, 5, 10, tzinfo=UTC).timestamp() * 1000
        assert p["expiry"] == int(expected)

    def test_missing_root_is_400_naming_it(self, api: Api) -> None:
        gone = f"https://ns.adobe.com/{api.tenant}/schemas/gone"
        r = api.post(
            P,
            json={
                "name": "n",
                "packageType": "PARTIAL",
                "artifacts": [{"id": gone, "type": "REGISTRY_SCHEMA"}],
            },
        )
        assert r.status_code == 400 and gone in r.json()["detail"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"packageType": "PARTIAL"}, "name"),
            ({"name": "x"}, "packageType"),
            ({"name": "x", "packageType": "HALF"}, "packageType"),
            (
                {"name": "x", "packageType": "PARTIAL", "artifacts": [{"id": "a", "type": "NOPE"}]},
                "artifacts[0].type",
            ),
            (
                {
                    "name": "x",
                    "packageType": "PARTIAL",
                    "artifacts": [{"id": "a", "type": "MAPPING_SET"}],
                },
                "artifacts[0].type",
            ),
            (
                {"name": "x", "packageType": "PARTIAL", "artifacts": [{"type": "JOURNEY"}]},
                "artifacts[0].id",
            ),
            ({"name": "x", "packageType": "PARTIAL", "artifacts": "nope"}, "artifacts"),
            ({"name": "x", "packageType": "PARTIAL", "expiry": "tomorrow"}, "expiry"),
            ({"name": "x", "packageType": "PARTIAL", "expiry": "2001-01-01T00:00:00Z"}, "expiry"),
            ({"name": "x", "packageType": "PARTIAL", "bogus": 1}, "bogus"),
            (
                {"name": "x", "packageType": "PARTIAL", "sourceSandbox": {"name": "nowhere"}},
                "sourceSandbox.name",
            ),
            (
                {
                    "name": "x",
                    "packageType": "PARTIAL",
                    "sourceSandbox": {"name": "prod", "imsOrgId": "X@AdobeOrg"},
                },
                "sourceSandbox.imsOrgId",
            ),
            (
                {"name": "x", "packageType": "FULL", "artifacts": [{"id": "a", "type": "JOURNEY"}]},
                "artifacts",
            ),
        ],
    )
    def test_bad_create_is_400_naming_field(self, api: Api, body: dict, field: str) -> None:
        r = api.post(P, json=body)
        assert r.status_code == 400, r.text
        assert r.json()["detail"].startswith(field), r.json()

    def test_duplicate_name_is_409(self, api: Api, pkg: dict) -> None:
        r = api.post(P, json={"name": "pkg", "packageType": "FULL"})
        assert r.status_code == 409 and "name" in r.json()["detail"]


class TestUpdate:
    def test_add_delete_update(self, api: Api, pkg: dict, world: dict[str, str]) -> None:
        r = api.put(
            P,
            json={
                "id": pkg["id"],
                "action": "ADD",
                "artifacts": [{"id": world["policy"], "type": "DULE_CONSENT_POLICY"}],
            },
        )
        assert r.status_code == 200 and r.json()["version"] == 1
        assert len(r.json()["artifactsList"]) == 3
        r = api.put(
            P,
            json={
                "id": pkg["id"],
                "action": "DELETE",
                "artifacts": [{"id": world["journey"], "type": "JOURNEY"}],
            },
        )
        assert r.status_code == 200 and r.json()["version"] == 2
        assert {a["type"] for a in r.json()["artifactsList"]} == {
            "CATALOG_DATASET",
            "DULE_CONSENT_POLICY",
        }
        r = api.put(
            P,
            json={
                "id": pkg["id"],
                "action": "UPDATE",
                "name": "renamed",
                "description": "new",
                "sourceSandbox": {"name": "prod", "imsOrgId": api.org_id},
            },
        )
        assert r.status_code == 200
        assert r.json()["name"] == "renamed" and r.json()["description"] == "new"
        assert r.json()["version"] == 3

    def test_put_update_alias_path(self, api: Api, pkg: dict) -> None:
        r = api.put(f"{P}/update", json={"id": pkg["id"], "action": "UPDATE", "name": "x2"})
        assert r.status_code == 200 and r.json()["name"] == "x2"

    def test_stale_version_is_409(self, api: Api, pkg: dict) -> None:
        r = api.put(P, json={"id": pkg["id"], "action": "UPDATE", "name": "a", "version": 0})
        assert r.status_code == 200
        r = api.put(P, json={"id": pkg["id"], "action": "UPDATE", "name": "b", "version": 0})
        assert r.status_code == 409 and "version" in r.json()["detail"]

    def test_add_missing_artifact_is_400(self, api: Api, pkg: dict) -> None:
        r = api.put(
            P,
            json={
                "id": pkg["id"],
                "action": "ADD",
                "artifacts": [{"id": "000000000000000000000000", "type": "CATALOG_DATASET"}],
            },
        )
        assert r.status_code == 400 and "000000000000000000000000" in r.json()["detail"]

    def test_delete_absent_artifact_is_400(self, api: Api, pkg: dict, world: dict) -> None:
        r = api.put(
            P,
            json={
                "id": pkg["id"],
                "action": "DELETE",
                "artifacts": [{"id": world["policy"], "type": "DULE_CONSENT_POLICY"}],
            },
        )
        assert r.status_code == 400

    def test_rename_to_taken_name_is_409(self, api: Api, pkg: dict) -> None:
        make_package(api, [], name="other")
        r = api.put(P, json={"id": pkg["id"], "action": "UPDATE", "name": "other"})
        assert r.status_code == 409

    def test_update_without_name_is_400(self, api: Api, pkg: dict) -> None:
        r = api.put(P, json={"id": pkg["id"], "action": "UPDATE"})
        assert r.status_code == 400 and r.json()["detail"].startswith("name")

    def test_unknown_action_is_400(self, api: Api, pkg: dict) -> None:
        r = api.put(P, json={"id": pkg["id"], "action": "MERGE"})
        assert r.status_code == 400 and r.json()["detail"].startswith("action")

    def test_full_package_has_no_artifact_actions(self, api: Api) -> None:
        full = api.post(P, json={"name": "full", "packageType": "FULL"}).json()
        r = api.put(
            P,
            json={"id": full["id"], "action": "ADD", "artifacts": [{"id": "x", "type": "JOURNEY"}]},
        )
        assert r.status_code == 400

    def test_edits_after_publish_are_409(self, api: Api, pkg: dict, world: dict) -> None:
        assert api.publish(pkg["id"])["jobStatus"] == "SUCCESS"
        for body in (
            {
                "id": pkg["id"],
                "action": "ADD",
                "artifacts": [{"id": world["policy"], "type": "DULE_CONSENT_POLICY"}],
            },
            {"id": pkg["id"], "action": "UPDATE", "name": "changed"},
        ):
            r = api.put(P, json=body)
            assert r.status_code == 409, r.text
        r = api.get(f"{P}/{pkg['id']}/export")
        assert r.status_code == 409

    def test_visibility_public_is_irreversible(self, api: Api, pkg: dict) -> None:
        r = api.put(P, json={"id": pkg["id"], "action": "UPDATE", "packageVisibility": "PUBLIC"})
        assert r.status_code == 409  # not published yet
        api.publish(pkg["id"])
        r = api.put(P, json={"id": pkg["id"], "action": "UPDATE", "packageVisibility": "PUBLIC"})
        assert r.status_code == 200 and r.json()["packageVisibility"] == "PUBLIC"
        assert r.json()["status"] == "PUBLISHED"
        r = api.put(P, json={"id": pkg["id"], "action": "UPDATE", "packageVisibility": "PRIVATE"})
        assert r.status_code == 409
        assert api.get(f"{P}/payload/{pkg['id']}").json() == {
            "imsOrgId": api.org_id,
            "packageId": pkg["id"],
        }

    def test_payload_of_private_package_is_409(self, api: Api, pkg: dict) -> None:
        assert api.get(f"{P}/payload/{pkg['id']}").status_code == 409


class TestPublishRequest:
    def test_publish_empty_partial_is_400(self, api: Api) -> None:
        p = make_package(api, [])
        assert api.get(f"{P}/{p['id']}/export").status_code == 400

    @pytest.mark.parametrize("period", ["-1", "abc"])
    def test_bad_expiry_period_is_400(self, api: Api, pkg: dict, period: str) -> None:
        r = api.get(f"{P}/{pkg['id']}/export?expiryPeriod={period}")
        assert r.status_code == 400 and "expiryPeriod" in r.json()["detail"]


class TestCapabilities:
    def test_capabilities(self, api: Api, pkg: dict, world: dict[str, str]) -> None:
        r = api.get(f"{P}/{pkg['id']}?getCapabilities=true").json()
        assert r["packageCapabilities"] == {"capabilities": []}
        xdm = make_package(
            api,
            [
                {"id": world["schema"], "type": "REGISTRY_SCHEMA"},
                {"id": world["fg"], "type": "REGISTRY_MIXIN"},
            ],
            name="xdm",
        )
        r = api.get(f"{P}/{xdm['id']}?getCapabilities=true").json()
        assert r["packageCapabilities"] == {"capabilities": ["VERSIONABLE"]}
        assert "packageCapabilities" not in api.get(f"{P}/{xdm['id']}").json()
        assert api.get(f"{P}/{xdm['id']}?getCapabilities=maybe").status_code == 400


class TestChildren:
    @pytest.mark.parametrize("published", [False, True])
    def test_direct_children(
        self, api: Api, pkg: dict, world: dict[str, str], published: bool
    ) -> None:
        if published:
            api.publish(pkg["id"])
        body = [
            {"id": world["journey"], "type": "JOURNEY"},
            {"id": world["schema"], "type": "REGISTRY_SCHEMA"},
            {"id": world["cls"], "type": "REGISTRY_CLASS"},
        ]
        r = api.post(f"{P}/{pkg['id']}/children", json=body)
        assert r.status_code == 200, r.text
        out = {e["id"]: e for e in r.json()}
        assert {c["id"] for c in out[world["journey"]]["children"]} == {
            world["aud"],
            world["schema"],
        }
        assert {c["id"] for c in out[world["schema"]]["children"]} == {
            world["fg"],
            world["desc"],
            world["rel"],
        }
        assert out[world["cls"]]["children"] == [
            {"id": world["dt"], "title": "Tier", "type": "REGISTRY_DATATYPE"}
        ]
        assert out[world["schema"]]["title"] == "Members"

    def test_artifact_outside_package_is_400(self, api: Api, pkg: dict, world: dict) -> None:
        r = api.post(f"{P}/{pkg['id']}/children", json=[{"id": world["flow"], "type": "FLOW"}])
        assert r.status_code == 400 and world["flow"] in r.json()["detail"]

    def test_body_must_be_a_list(self, api: Api, pkg: dict) -> None:
        assert api.post(f"{P}/{pkg['id']}/children", json={"id": "x"}).status_code == 400


class TestListAndDelete:
    def test_list_grammar(self, api: Api, world: dict[str, str]) -> None:
        ids = [make_package(api, [], name=f"p{i}")["id"] for i in range(5)]
        full = api.post(P, json={"name": "zfull", "packageType": "FULL"}).json()
        api.publish(full["id"])
        r = api.get(f"{P}?property=status==PUBLISHED").json()
        assert [p["id"] for p in r["data"]] == [full["id"]]
        r = api.get(
            f"{P}?property=status%3D%3DDRAFT%2CPUBLISHED&orderby=name&start=2&limit=2"
        ).json()
        assert r["totalElements"] == 6 and r["totalPages"] == 3 and r["currentPage"] == 1
        assert [p["name"] for p in r["data"]] == ["p2", "p3"]
        assert r["hasPreviousPage"] and r["hasNextPage"]
        assert r["nextPage"] is None and r["pageSize"] is None
        r = api.get(f"{P}?orderby=-createdDate&limit=1").json()
        assert r["data"][0]["id"] == full["id"]
        r = api.get(
            f"{P}?property=createdDate>=2000-01-01T00:00:00Z"
            "&property=createdDate<=2999-01-01T00:00:00.000Z"
        ).json()
        assert r["totalElements"] == 6
        assert ids

    @pytest.mark.parametrize(
        ("query", "word"),
        [
            ("property=colour==red", "colour"),
            ("property=status==SHINY", "status"),
            ("property=createdDate>=yesterday", "createdDate"),
            ("property=status", "property"),
            ("start=-1", "start"),
            ("limit=-5", "limit"),
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("limit=ten", "limit"),
            ("orderby=colour", "orderby"),
            ("colour=red", "colour"),
        ],
    )
    def test_bad_list_query_is_400(self, api: Api, query: str, word: str) -> None:
        r = api.get(f"{P}?{query}")
        assert r.status_code == 400, r.text
        assert word in r.json()["detail"]

    def test_delete(self, api: Api, pkg: dict) -> None:
        r = api.delete(f"{P}/{pkg['id']}")
        assert r.status_code == 200 and r.json() == {"reason": f"Package {pkg['id']} deleted"}
        assert api.get(f"{P}/{pkg['id']}").status_code == 404
        assert api.delete(f"{P}/{pkg['id']}").status_code == 404

    def test_unknown_package_is_404(self, api: Api) -> None:
        for method, path in (
            ("GET", f"{P}/{'0' * 32}"),
            ("GET", f"{P}/{'0' * 32}/export"),
            ("DELETE", f"{P}/{'0' * 32}"),
            ("GET", f"{P}/payload/{'0' * 32}"),
        ):
            assert api.request(method, path).status_code == 404


def test_job_unknown_is_404(api: Api) -> None:
    assert api.get(f"/data/foundation/exim/tools/job/{'f' * 32}").status_code == 404


def test_jobs_list(api: Api, pkg: dict) -> None:
    api.publish(pkg["id"])
    r = api.get(
        f"{P}/jobs?property=requestType==EXPORT&property=jobStatus==SUCCESS"
        "&orderby=createdDate&start=0&limit=5"
    )
    assert r.status_code == 200
    item = r.json()["data"][0]
    assert {
        "id",
        "name",
        "updated",
        "created",
        "jobType",
        "packageType",
        "description",
        "jobStatus",
        "visibility",
        "sourceSandBox",
        "targetSandbox",
        "createdBy",
    } <= set(item)
    assert item["sourceSandBox"] == "prod"
    assert api.get(f"{P}/jobs?property=jobStatus==DONE").status_code == 400


def test_percent_encoded_ids_in_children(api: Api, pkg: dict, world: dict) -> None:
    # the package id is plain, the artifact ids travel in the body: nothing to encode
    assert quote(world["schema"], safe="") != world["schema"]
