"""Package versions: save, history, compare (with and without a target), updates of
existing objects, unsupported changes, capabilities and refusals."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from sandbox_tooling.models import PackageVersion
from sandbox_tooling.package import snapshot
from sandbox_tooling.runtime import Runtime as AppState
from tests import factories as f
from tests.conftest import ORG_A, Api, make_api
from tests.test_import import objects, package, run_import, sandbox

P = "/data/foundation/exim/packages"
OBJ = "/data/foundation/registry/objects"
FIELD = "/definitions/main/properties/_alpha/properties"


def url(type_name: str, object_id: str) -> str:
    return f"{OBJ}/{type_name}/{quote(object_id, safe='')}"


@pytest.fixture
def world(api: Api) -> dict[str, str]:
    ids = f.seed_world(api)
    sandbox(api, "dev")
    ids["pkg"] = package(api, [("REGISTRY_SCHEMA", ids["schema"]), ("REGISTRY_MIXIN", ids["fg"])])
    return ids


def change_source(api: Api, world: dict[str, str]) -> None:
    """Add a field to the field group and give the schema a description, in the source."""
    fg = api.get(url("REGISTRY_MIXIN", world["fg"])).json()["definition"]
    fg["definitions"]["main"]["properties"]["_alpha"]["properties"]["points"] = {"type": "integer"}
    assert api.put(url("REGISTRY_MIXIN", world["fg"]), json=fg).status_code == 200
    schema = api.get(url("REGISTRY_SCHEMA", world["schema"])).json()["definition"]
    assert (
        api.put(
            url("REGISTRY_SCHEMA", world["schema"]),
            json={**schema, "description": "Members, now with points"},
        ).status_code
        == 200
    )


def compare(api: Api, pid: str, **body: Any) -> dict[str, Any]:
    r = api.post(f"{P}/{pid}/version/compare", json=body)
    assert r.status_code == 200, r.text
    env = r.json()
    assert env["status"] == "OK" and env["ajo"] is False
    assert env["message"] == f"Job with ID: {env['object']['id']}"
    job = env["object"]
    if job["jobStatus"] not in ("SUCCESS", "FAILED"):
        job = api.wait_job(job["id"])
    assert job["jobStatus"] == "SUCCESS", job
    assert job["requestType"] == "VERSION" and job["jobType"] == "COMPUTE"
    return job


def save(api: Api, pid: str, method: str = "POST") -> dict[str, Any]:
    r = api.request(method, f"{P}/{pid}/version/save")
    assert r.status_code == 200, r.text
    assert r.json()["jobType"] == "UPGRADE" and r.json()["requestType"] == "VERSION"
    return api.wait_job(r.json()["id"])


def update(api: Api, pid: str, target: str = "dev", **extra: Any) -> dict[str, Any]:
    r = api.patch(
        f"{P}/{pid}/import",
        json={"id": pid, "name": "Test Update", "destinationSandbox": {"name": target}, **extra},
    )
    assert r.status_code == 200, r.text
    assert r.json()["jobType"] == "UPDATE" and r.json()["requestType"] == "IMPORT"
    assert r.json()["jobStatus"] == "PENDING"
    return api.wait_job(r.json()["id"])


def deltas(job: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {
        d["sourceArtifact"]["id"]: d["changes"]
        for d in job["deltaPackageVersion"]["eximGraphDelta"]["pluginDeltas"]
    }


class TestSaveAndHistory:
    def test_save_version_and_history(
        self, api: Api, state: AppState, world: dict[str, str]
    ) -> None:
        pid = world["pkg"]
        assert api.get(f"{P}/{pid}").json()["latestPackageVersion"] == 0
        change_source(api, world)
        job = save(api, pid)
        assert job["jobStatus"] == "SUCCESS" and job["packageVersion"] == 1
        assert job["name"] == f"Version Job Package: {pid}"
        assert api.get(f"{P}/{pid}?getCapabilities=true").json()["latestPackageVersion"] == 1
        hist = api.get(f"{P}/{pid}/history").json()
        assert [h["packageVersion"] for h in hist] == [1, 0]
        assert set(hist[0]) == {
            "id",
            "version",
            "createdDate",
            "modifiedDate",
            "createdBy",
            "modifiedBy",
            "imsOrgId",
            "packageVersion",
        }
        assert hist[0]["imsOrgId"] == ORG_A
        # both snapshots stay readable, and differ where the source changed
        with state.db.transaction(write=False) as s:
            rows = s.query(PackageVersion).filter_by(package_id=pid).all()
        defs = {}
        for row in rows:
            assert snapshot.verify(state.blobs, row)
            defs[row.package_version] = {
                a["id"]: a["definition"] for a in snapshot.iter_artifacts(state.blobs, row)
            }
        assert "description" not in defs[0][world["schema"]]
        assert defs[1][world["schema"]]["description"] == "Members, now with points"
        assert save(api, pid, "GET")["packageVersion"] == 2
        assert save(api, pid, "PATCH")["packageVersion"] == 3
        assert [h["packageVersion"] for h in api.post(f"{P}/{pid}/history").json()] == [3, 2, 1, 0]

    def test_save_needs_a_published_package(self, api: Api, world: dict[str, str]) -> None:
        draft = api.post(
            P,
            json={
                "name": "d",
                "packageType": "PARTIAL",
                "artifacts": [{"id": world["schema"], "type": "REGISTRY_SCHEMA"}],
            },
        ).json()
        assert api.post(f"{P}/{draft['id']}/version/save").status_code == 409
        assert api.get(f"{P}/{draft['id']}/history").json() == []
        assert api.post(f"{P}/{'0' * 32}/version/save").status_code == 404


class TestCompare:
    def test_against_source(self, api: Api, world: dict[str, str]) -> None:
        pid = world["pkg"]
        job = compare(api, pid)
        assert job["deltaPackageVersion"]["eximGraphDelta"] == {"vertices": [], "pluginDeltas": []}
        change_source(api, world)
        job = compare(api, pid, triggerNew=True)
        found = deltas(job)
        assert set(found) == {world["fg"], world["schema"]}
        assert found[world["fg"]] == [
            {"op": "add", "path": f"{FIELD}/points", "newValue": {"type": "integer"}}
        ]
        assert found[world["schema"]] == [
            {"op": "add", "path": "/description", "newValue": "Members, now with points"}
        ]
        dv = job["deltaPackageVersion"]
        assert dv["packageId"] == pid and dv["currentVersion"] == 0 and dv["validated"] is True
        assert {a["id"] for a in dv["rootArtifacts"]} == {world["schema"], world["fg"]}

    def test_against_target(self, api: Api, world: dict[str, str]) -> None:
        pid = world["pkg"]
        imported = run_import(api, pid)
        m = imported["importReplacementMap"]
        job = compare(api, pid, targetSandbox="dev")
        assert deltas(job) == {}  # ids compared after mapping: a remapped reference is no change
        change_source(api, world)
        job = compare(api, pid, targetSandbox="dev", triggerNew=True)
        found = deltas(job)
        assert set(found) == {world["fg"], world["schema"]}
        assert found[world["fg"]] == [
            {"op": "add", "path": f"{FIELD}/points", "newValue": {"type": "integer"}}
        ]
        assert found[world["schema"]] == [
            {"op": "add", "path": "/description", "newValue": "Members, now with points"}
        ]
        d = next(
            d
            for d in job["deltaPackageVersion"]["eximGraphDelta"]["pluginDeltas"]
            if d["sourceArtifact"]["id"] == world["schema"]
        )
        assert d["targetArtifact"] == {
            "id": m[world["schema"]],
            "type": "REGISTRY_SCHEMA",
            "found": False,
            "count": 0,
            "title": "Members",
        }
        assert job["importReplacementMap"] == m
        assert job["destinationSandbox"]["name"] == "dev"

    def test_joined_closure_is_a_vertex(self, api: Api, world: dict[str, str]) -> None:
        pid = world["pkg"]
        run_import(api, pid)
        dt2 = api.create("REGISTRY_DATATYPE", f.datatype("Extra"))
        fg = api.get(url("REGISTRY_MIXIN", world["fg"])).json()["definition"]
        fg["definitions"]["main"]["properties"]["_alpha"]["properties"]["extra"] = {"$ref": dt2}
        api.put(url("REGISTRY_MIXIN", world["fg"]), json=fg)
        job = compare(api, pid, targetSandbox="dev", triggerNew=True)
        vertices = job["deltaPackageVersion"]["eximGraphDelta"]["vertices"]
        assert vertices == [
            {
                "artifact": {
                    "id": dt2,
                    "type": "REGISTRY_DATATYPE",
                    "found": False,
                    "count": 0,
                    "title": "Extra",
                },
                "change": "ADDED",
            }
        ]

    def test_trigger_new_false_reuses_a_finished_compare(
        self, api: Api, world: dict[str, str]
    ) -> None:
        pid = world["pkg"]
        first = compare(api, pid)
        again = api.post(f"{P}/{pid}/version/compare", json={"triggerNew": False}).json()["object"]
        assert again["id"] == first["id"] and again["jobStatus"] == "SUCCESS"
        assert "deltaPackageVersion" in again
        new = compare(api, pid, triggerNew=True)
        assert new["id"] != first["id"]
        other = compare(api, pid, targetSandbox="dev")
        assert other["id"] not in (first["id"], new["id"])
        assert (
            api.request("PATCH", f"{P}/{pid}/version/compare", json={}).json()["object"]["id"]
            == new["id"]
        )

    def test_unsupported_change_not_validated(self, api: Api, world: dict[str, str]) -> None:
        pid = world["pkg"]
        run_import(api, pid)
        fg = api.get(url("REGISTRY_MIXIN", world["fg"])).json()["definition"]
        del fg["definitions"]["main"]["properties"]["_alpha"]["properties"]["loyaltyId"]
        api.put(url("REGISTRY_MIXIN", world["fg"]), json=fg)
        job = compare(api, pid, targetSandbox="dev", triggerNew=True)
        dv = job["deltaPackageVersion"]
        assert dv["validated"] is False
        d = dv["eximGraphDelta"]["pluginDeltas"][0]
        assert d["unsupportedChanges"] == [
            {
                "path": f"{FIELD}/loyaltyId",
                "message": "removing (or moving) a field is not supported",
            }
        ]

    @pytest.mark.parametrize(
        ("body", "status", "word"),
        [
            ({"targetSandbox": "nowhere"}, 400, "targetSandbox"),
            ({"packageVersion": 7}, 400, "packageVersion"),
            ({"triggerNew": "soon"}, 400, "triggerNew"),
            ({"colour": 1}, 400, "colour"),
            (
                {"overwriteMappings": {"x": {"id": "y", "type": "REGISTRY_SCHEMA"}}},
                400,
                "overwriteMappings",
            ),
        ],
    )
    def test_bad_compare(
        self, api: Api, world: dict[str, str], body: dict, status: int, word: str
    ) -> None:
        r = api.post(f"{P}/{world['pkg']}/version/compare", json=body)
        assert r.status_code == status, r.text
        assert word in r.json()["detail"]


class TestUpdate:
    def test_update_flow(self, api: Api, world: dict[str, str]) -> None:
        pid = world["pkg"]
        imported = run_import(api, pid)
        m = imported["importReplacementMap"]
        before = objects(api, "dev")
        change_source(api, world)
        assert len(deltas(compare(api, pid, targetSandbox="dev"))) == 2
        assert save(api, pid)["packageVersion"] == 1
        assert api.get(f"{P}/{pid}/history").json()[0]["packageVersion"] == 1
        job = update(api, pid)
        assert job["jobStatus"] == "SUCCESS", job
        assert job["packageVersion"] == 1
        assert {tuple(sorted(o.items())) for o in job["updatedObjects"]} == {
            (("id", m[world["fg"]]), ("type", "REGISTRY_MIXIN")),
            (("id", m[world["schema"]]), ("type", "REGISTRY_SCHEMA")),
        }
        assert job["createdObjects"] == []
        statuses = {
            t["artifact"]["id"]: t["artifact"]["messages"][0]["status"]
            for t in job["completedTasks"]
        }
        assert statuses[world["fg"]] == statuses[world["schema"]] == "UPDATED"
        assert statuses[world["dt"]] == "NO_CHANGE"
        assert statuses[world["desc"]] == "OBJECT_EXISTS"
        after = objects(api, "dev")
        assert after.keys() == before.keys()
        changed = {k for k in after if after[k] != before[k]}
        assert changed == {
            ("REGISTRY_MIXIN", m[world["fg"]]),
            ("REGISTRY_SCHEMA", m[world["schema"]]),
        }
        new_fg = after[("REGISTRY_MIXIN", m[world["fg"]])]
        assert new_fg["version"] == 2
        assert new_fg["definition"]["definitions"]["main"]["properties"]["_alpha"]["properties"][
            "points"
        ] == {"type": "integer"}
        assert (
            after[("REGISTRY_SCHEMA", m[world["schema"]])]["definition"]["description"]
            == "Members, now with points"
        )
        # the schema still points at the target's field group
        refs = {
            a["$ref"] for a in after[("REGISTRY_SCHEMA", m[world["schema"]])]["definition"]["allOf"]
        }
        assert refs == {f.PROFILE, m[world["fg"]]}
        assert deltas(compare(api, pid, targetSandbox="dev", triggerNew=True)) == {}

    def test_unsupported_change_refused_target_untouched(
        self, api: Api, world: dict[str, str]
    ) -> None:
        pid = world["pkg"]
        run_import(api, pid)
        before = objects(api, "dev")
        schema = api.get(url("REGISTRY_SCHEMA", world["schema"])).json()["definition"]
        api.put(url("REGISTRY_SCHEMA", world["schema"]), json={**schema, "description": "new"})
        fg = api.get(url("REGISTRY_MIXIN", world["fg"])).json()["definition"]
        fg["definitions"]["main"]["properties"]["_alpha"]["properties"]["loyaltyId"] = {
            "type": "integer"
        }
        api.put(url("REGISTRY_MIXIN", world["fg"]), json=fg)
        save(api, pid)
        job = update(api, pid)
        assert job["jobStatus"] == "FAILED"
        assert f"{FIELD}/loyaltyId" in job["errorMessage"]
        assert "changing a field's type (string to integer)" in job["errorMessage"]
        assert [t["artifact"]["id"] for t in job["failedTasks"]] == [world["fg"]]
        assert objects(api, "dev") == before

    def test_overwrite_mappings_for_objects_made_by_hand(
        self, api: Api, world: dict[str, str]
    ) -> None:
        pid = world["pkg"]
        manual = api.create("REGISTRY_SCHEMA", f.schema("Made by hand"), sandbox="dev")
        r = api.post(
            f"{P}/{pid}/import",
            json={
                "id": pid,
                "name": "Update by POST",
                "destinationSandbox": {"name": "dev"},
                "overwriteMappings": {world["schema"]: {"id": manual, "type": "REGISTRY_SCHEMA"}},
            },
        )
        assert r.status_code == 200, r.text
        assert r.json()["jobType"] == "UPDATE"
        job = api.wait_job(r.json()["id"])
        assert job["jobStatus"] == "SUCCESS", job
        assert job["updatedObjects"] == [{"type": "REGISTRY_SCHEMA", "id": manual}]
        m = job["importReplacementMap"]
        assert m[world["schema"]] == manual
        target = objects(api, "dev")
        updated = target[("REGISTRY_SCHEMA", manual)]
        assert updated["title"] == "Members" and updated["definition"]["$id"] == manual
        # the field group had no pair: created new, and the schema points at it
        assert ("REGISTRY_MIXIN", m[world["fg"]]) in target
        assert {a["$ref"] for a in updated["definition"]["allOf"]} == {f.PROFILE, m[world["fg"]]}
        # a later compare pairs through that update
        assert deltas(compare(api, pid, targetSandbox="dev", triggerNew=True)) == {}

    def test_refusals(self, api: Api, api_b: Api, world: dict[str, str]) -> None:
        pid = world["pkg"]
        cases = [
            (
                {
                    "overwriteMappings": {
                        world["schema"]: {
                            "id": "https://ns.adobe.com/alpha/schemas/no",
                            "type": "REGISTRY_SCHEMA",
                        }
                    }
                },
                f"overwriteMappings.{world['schema']}.id",
            ),
            (
                {
                    "overwriteMappings": {
                        world["policy"]: {"id": world["policy"], "type": "DULE_CONSENT_POLICY"}
                    }
                },
                f"overwriteMappings.{world['policy']}",
            ),
            (
                {
                    "overwriteMappings": {
                        world["schema"]: {"id": world["fg"], "type": "REGISTRY_MIXIN"}
                    }
                },
                f"overwriteMappings.{world['schema']}.type",
            ),
            ({"destinationSandbox": {"name": "nowhere"}}, "destinationSandbox.name"),
            ({"id": "f" * 32}, "id"),
        ]
        for extra, field in cases:
            body = {"id": pid, "name": "u", "destinationSandbox": {"name": "dev"}, **extra}
            r = api.patch(f"{P}/{pid}/import", json=body)
            assert r.status_code == 400, (field, r.text)
            assert r.json()["detail"].startswith(field), (field, r.json())
        assert api.patch(f"{P}/{pid}/import", json={"name": "u"}).status_code == 400
        r = api_b.patch(
            f"{P}/{pid}/import", json={"name": "u", "destinationSandbox": {"name": "prod"}}
        )
        assert r.status_code == 404
        assert api_b.post(f"{P}/{pid}/version/compare", json={}).status_code == 404
        assert api_b.get(f"{P}/{pid}/history").status_code == 404

    def test_update_needs_schema_write(
        self, api: Api, client, state: AppState, world: dict[str, str]
    ) -> None:
        from sandbox_tooling.identity import service

        pid = world["pkg"]
        run_import(api, pid)
        change_source(api, world)
        save(api, pid)
        with state.db.transaction() as s:
            service.create_role(
                s,
                org_id=ORG_A,
                name="readers",
                permissions=["Package:view,manage", "Sandbox:view", "Schema:read"],
                sandboxes=None,
            )
        reader = make_api(
            client,
            state,
            ORG_A,
            api.tenant,
            user_id="reader@a",
            roles=("readers",),
            create_org=False,
        )
        job = update(reader, pid)
        assert job["jobStatus"] == "FAILED" and "Schema:write" in job["errorMessage"]


class TestCapabilities:
    def test_not_versionable_refused(self, api: Api, world: dict[str, str]) -> None:
        pid = package(api, [("JOURNEY", world["journey"])], name="journeys")
        caps = api.get(f"{P}/{pid}?getCapabilities=true").json()["packageCapabilities"]
        assert caps == {"capabilities": []}
        r = api.post(f"{P}/{pid}/version/compare", json={})
        assert r.status_code == 409 and "VERSIONABLE" in r.json()["detail"]
        r = api.patch(
            f"{P}/{pid}/import", json={"name": "u", "destinationSandbox": {"name": "dev"}}
        )
        assert r.status_code == 409 and "VERSIONABLE" in r.json()["detail"]
        xdm = api.get(f"{P}/{world['pkg']}?getCapabilities=true").json()
        assert xdm["packageCapabilities"] == {"capabilities": ["VERSIONABLE"]}
