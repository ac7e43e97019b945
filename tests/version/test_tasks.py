"""The version jobs: save (VERSION/UPGRADE) and history, and updates of imported objects
(IMPORT/UPDATE): supported and unsupported changes, pairs made by hand, refusals."""

from __future__ import annotations

from sandbox_tooling.models import PackageVersion
from sandbox_tooling.package import snapshot
from sandbox_tooling.runtime import Runtime as AppState
from tests import factories as f
from tests.helpers import ORG_A, Api, make_api, objects, run_import
from tests.version.helpers import FIELD, P, change_source, compare, deltas, save, update, url


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
