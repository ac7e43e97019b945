"""Importing published packages: planning, rewriting, reuse, suffixes, cycles, alternatives,
atomicity, permissions, concurrency, rollback, and every refusal."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from sqlalchemy import text

from sandbox_tooling.kit import failpoints
from sandbox_tooling.runtime import Runtime as AppState
from tests import factories as f
from tests.conftest import ORG_A, Api, make_api

P = "/data/foundation/exim/packages"
OBJ = "/data/foundation/registry/objects"
SM = "/data/foundation/sandbox-management/sandboxes"


def sandbox(api: Api, name: str) -> None:
    r = api.post(SM, json={"name": name, "title": name, "type": "development"})
    assert r.status_code == 201, r.text


def package(api: Api, roots: list[tuple[str, str]], name: str = "pkg", source: str = "prod") -> str:
    r = api.post(
        P,
        json={
            "name": name,
            "packageType": "PARTIAL",
            "sourceSandbox": {"name": source},
            "artifacts": [{"id": i, "type": t} for t, i in roots],
        },
    )
    assert r.status_code == 200, r.text
    job = api.publish(r.json()["id"])
    assert job["jobStatus"] == "SUCCESS", job
    return str(r.json()["id"])


def submit(
    api: Api, pid: str, target: str = "dev", alternatives: dict | None = None, **extra: Any
) -> Any:
    body = {"id": pid, "destinationSandbox": {"name": target, "imsOrgId": api.org_id}, **extra}
    if alternatives is not None:
        body["alternatives"] = alternatives
    return api.post(f"{P}/import", json=body)


def run_import(api: Api, pid: str, target: str = "dev", **kw: Any) -> dict:
    r = submit(api, pid, target, **kw)
    assert r.status_code == 200, r.text
    return api.wait_job(r.json()["jobId"])


def objects(api: Api, sandbox_name: str) -> dict[tuple[str, str], dict]:
    """Every object of a sandbox: (type, id) -> object."""
    out = {}
    for type_name in (
        "ID_NAMESPACE",
        "REGISTRY_DATATYPE",
        "REGISTRY_MIXIN",
        "REGISTRY_CLASS",
        "REGISTRY_SCHEMA",
        "REGISTRY_DESCRIPTOR",
        "CATALOG_DATASET",
        "PROFILE_MERGE",
        "PROFILE_SEGMENT",
        "DULE_CONSENT_POLICY",
        "MAPPING_SET",
        "FLOW",
        "JOURNEY",
    ):
        start = 0
        while True:
            r = api.get(f"{OBJ}/{type_name}?start={start}&limit=100", sandbox=sandbox_name)
            assert r.status_code == 200, r.text
            for o in r.json()["data"]:
                out[(o["type"], o["id"])] = o
            if not r.json()["hasNextPage"]:
                break
            start += 100
    return out


@pytest.fixture
def world(api: Api) -> dict[str, str]:
    ids = f.seed_world(api)
    sandbox(api, "dev")
    return ids


def refs_resolve_in(api: Api, state: AppState, objs: dict[tuple[str, str], dict]) -> None:
    """Every non-standard reference of every object names an object of the same sandbox."""
    for (type_name, _id), obj in objs.items():
        for ref in state.types.get(type_name).references(obj["definition"]):
            if not ref.standard:
                assert (ref.type, ref.id) in objs, (type_name, ref)


class TestImport:
    def test_full_closure_created_and_rewritten(
        self, api: Api, state: AppState, world: dict[str, str]
    ) -> None:
        pid = package(
            api,
            [
                ("JOURNEY", world["journey"]),
                ("FLOW", world["flow"]),
                ("DULE_CONSENT_POLICY", world["policy"]),
            ],
        )
        job = run_import(api, pid)
        assert job["jobStatus"] == "SUCCESS", job
        assert job["requestType"] == "IMPORT" and job["jobType"] == "NEW"
        target = objects(api, "dev")
        assert len(target) == len(world)  # every object of the world, each once
        refs_resolve_in(api, state, target)
        mapping = job["importReplacementMap"]
        assert set(mapping) == set(world.values())
        assert mapping["loyaltyId"] == "loyaltyId"  # namespace codes are kept
        for src, tgt in mapping.items():
            if src != "loyaltyId":
                assert src != tgt
        new_ds = target[("CATALOG_DATASET", mapping[world["ds"]])]
        assert new_ds["definition"]["schemaRef"]["id"] == mapping[world["schema"]]
        new_schema = target[("REGISTRY_SCHEMA", mapping[world["schema"]])]
        assert {a["$ref"] for a in new_schema["definition"]["allOf"]} == {
            f.PROFILE,
            mapping[world["fg"]],
        }
        assert new_schema["id"].startswith(f"https://ns.adobe.com/{api.tenant}/schemas/")
        new_class = target[("REGISTRY_CLASS", mapping[world["cls"]])]["definition"]
        assert (
            new_class["definitions"]["store"]["properties"]["address"]["$ref"]
            == mapping[world["dt"]]
        )
        new_fg = target[("REGISTRY_MIXIN", mapping[world["fg"]])]["definition"]
        assert mapping[world["dt"]] in str(new_fg) and world["dt"] not in str(new_fg)
        new_flow = target[("FLOW", mapping[world["flow"]])]["definition"]
        assert new_flow["transformations"][0]["params"]["mappingId"] == mapping[world["map"]]
        assert new_flow["targetConnections"][0]["params"]["dataSetId"] == mapping[world["ds"]]
        assert new_flow["state"] == "draft"
        assert "hunter2" not in str(new_flow)
        new_journey = target[("JOURNEY", mapping[world["journey"]])]["definition"]
        assert new_journey["nodes"][0]["audienceId"] == mapping[world["aud"]]
        assert new_journey["status"] == "draft"
        assert (
            target[("DULE_CONSENT_POLICY", mapping[world["policy"]])]["definition"]["status"]
            == "DISABLED"
        )
        merge = target[("PROFILE_MERGE", mapping[world["merge"]])]["definition"]
        assert merge["attributeMerge"]["order"] == [mapping[world["ds"]]]
        desc = target[("REGISTRY_DESCRIPTOR", mapping[world["rel"]])]["definition"]
        assert desc["xdm:sourceSchema"] == mapping[world["schema"]]
        assert desc["xdm:destinationSchema"] == mapping[world["store_schema"]]
        # titles were free: unchanged
        assert new_schema["title"] == "Members"
        # tasks and messages in the documented formats
        created = [
            t for t in job["completedTasks"] if t["artifact"]["messages"][0]["status"] == "CREATED"
        ]
        assert len(created) == len(world)
        task = next(t for t in created if t["artifact"]["id"] == world["ds"])
        assert task["taskType"] == "POST" and task["taskStatus"] == "SUCCESS"
        assert task["artifact"]["newId"] == mapping[world["ds"]]
        assert task["artifact"]["messages"][0]["message"] == (
            f"CATALOG_DATASET created. Source id={world['ds']}; Target id={mapping[world['ds']]}"
        )
        assert job["failedTasks"] == []
        parent = job["sourceParentArtifactMap"][world["schema"]]
        assert re.fullmatch(rf"{re.escape(ORG_A)}::prod::[A-Z_]+::.+", parent)
        assert world["journey"] not in job["sourceParentArtifactMap"]  # roots have no parent

    def test_namespace_existing_code_and_standard(self, api: Api, world: dict) -> None:
        api.create("ID_NAMESPACE", f.namespace(), sandbox="dev")
        s = api.create("REGISTRY_SCHEMA", f.schema("Emails"))
        api.create("REGISTRY_DESCRIPTOR", f.identity_descriptor(s, "Email"))
        pid = package(api, [("REGISTRY_SCHEMA", s), ("REGISTRY_SCHEMA", world["schema"])])
        job = run_import(api, pid)
        statuses = {
            t["artifact"]["id"]: t["artifact"]["messages"][0] for t in job["completedTasks"]
        }
        assert statuses["loyaltyId"]["status"] == "OBJECT_EXISTS"
        assert statuses["loyaltyId"]["message"] == (
            "Object ID_NAMESPACE, id=loyaltyId already exists and was not re-created"
        )
        assert statuses["Email"]["status"] == "NO_CHANGE"

    def test_reuse_by_title_creates_no_orphans(
        self, api: Api, state: AppState, world: dict[str, str]
    ) -> None:
        existing = api.create("REGISTRY_SCHEMA", f.schema("Members"), sandbox="dev")
        before = objects(api, "dev")
        pid = package(api, [("CATALOG_DATASET", world["ds"])])
        job = run_import(api, pid)
        assert job["jobStatus"] == "SUCCESS", job
        after = objects(api, "dev")
        new = {k: v for k, v in after.items() if k not in before}
        assert [k[0] for k in new] == [
            "CATALOG_DATASET"
        ]  # schema, fg, dt, descriptors: not created
        ds = next(iter(new.values()))
        assert ds["definition"]["schemaRef"]["id"] == existing
        msg = next(t for t in job["completedTasks"] if t["artifact"]["id"] == world["schema"])
        assert msg["artifact"]["messages"][0] == {
            "status": "OBJECT_REUSED",
            "attempt": 1,
            "message": f"REGISTRY_SCHEMA was not created anew. Reused object id={existing}",
        }
        assert job["importReplacementMap"][world["schema"]] == existing
        assert world["fg"] not in job["importReplacementMap"]
        refs_resolve_in(api, state, after)

    def test_title_taken_gets_suffix(self, api: Api, world: dict[str, str]) -> None:
        s = api.create("REGISTRY_SCHEMA", f.schema("Other"), sandbox="dev")
        api.create("CATALOG_DATASET", f.dataset(s, "Members Dataset"), sandbox="dev")
        pid = package(api, [("CATALOG_DATASET", world["ds"])])
        job = run_import(api, pid)
        new_id = job["importReplacementMap"][world["ds"]]
        title = api.get(f"{OBJ}/CATALOG_DATASET/{new_id}", sandbox="dev").json()["title"]
        assert re.fullmatch(r"Members Dataset_\d{13}", title)
        assert (
            api.get(f"{OBJ}/CATALOG_DATASET/{new_id}", sandbox="dev").json()["definition"]["name"]
            == title
        )

    def test_reference_cycle(self, api: Api, state: AppState) -> None:
        sandbox(api, "dev")
        a = api.create("REGISTRY_SCHEMA", f.schema("A"))
        b = api.create("REGISTRY_SCHEMA", f.schema("B"))
        api.create("REGISTRY_DESCRIPTOR", f.relationship(a, b))
        api.create("REGISTRY_DESCRIPTOR", f.relationship(b, a))
        job = run_import(api, package(api, [("REGISTRY_SCHEMA", a)]))
        assert job["jobStatus"] == "SUCCESS", job
        target = objects(api, "dev")
        assert len(target) == 4
        refs_resolve_in(api, state, target)
        m = job["importReplacementMap"]
        rels = [o["definition"] for k, o in target.items() if k[0] == "REGISTRY_DESCRIPTOR"]
        assert {(d["xdm:sourceSchema"], d["xdm:destinationSchema"]) for d in rels} == {
            (m[a], m[b]),
            (m[b], m[a]),
        }

    def test_alternative_replaces_artifact(
        self, api: Api, state: AppState, world: dict[str, str]
    ) -> None:
        alt = api.create("REGISTRY_SCHEMA", f.schema("Completely different"), sandbox="dev")
        pid = package(api, [("CATALOG_DATASET", world["ds"])])
        job = run_import(
            api, pid, alternatives={world["schema"]: {"id": alt, "type": "REGISTRY_SCHEMA"}}
        )
        assert job["jobStatus"] == "SUCCESS", job
        target = objects(api, "dev")
        assert {k[0] for k in target} == {"REGISTRY_SCHEMA", "CATALOG_DATASET"}
        ds = next(o for k, o in target.items() if k[0] == "CATALOG_DATASET")
        assert ds["definition"]["schemaRef"]["id"] == alt
        assert job["importReplacementMap"][world["schema"]] == alt

    def test_full_package_creates_everything_anew(
        self, api: Api, state: AppState, world: dict[str, str]
    ) -> None:
        api.create("REGISTRY_SCHEMA", f.schema("Members"), sandbox="dev")
        full = api.post(P, json={"name": "full", "packageType": "FULL"}).json()
        api.publish(full["id"])
        job = run_import(api, full["id"])
        assert job["jobStatus"] == "SUCCESS", job
        target = objects(api, "dev")
        members = [
            o
            for k, o in target.items()
            if k[0] == "REGISTRY_SCHEMA" and o["title"].startswith("Members")
        ]
        assert len(members) == 2  # the existing one and a suffixed new one
        assert ("JOURNEY", job["importReplacementMap"].get(world["journey"], "")) not in target
        refs_resolve_in(api, state, target)

    def test_form_with_target_in_query(self, api: Api, world: dict[str, str]) -> None:
        pid = package(api, [("DULE_CONSENT_POLICY", world["policy"])])
        r = api.post(f"{P}/{pid}/import?targetSandbox=dev")
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {
            "name",
            "description",
            "visibility",
            "sourceSandbox",
            "destinationSandbox",
            "type",
            "correlationId",
            "jobId",
        }
        assert body["destinationSandbox"] == {"name": "dev", "imsOrgId": api.org_id}
        assert api.wait_job(body["jobId"])["jobStatus"] == "SUCCESS"

    def test_job_name_defaults_and_overrides(self, api: Api, world: dict[str, str]) -> None:
        pid = package(api, [("DULE_CONSENT_POLICY", world["policy"])])
        r = submit(api, pid)
        assert r.json()["name"] == "pkg" and r.json()["description"] is None
        r = submit(api, pid, name="my import", description="why")
        assert r.json()["name"] == "my import" and r.json()["description"] == "why"
        jobs = api.get(f"{P}/jobs?property=requestType==IMPORT").json()
        assert jobs["totalElements"] == 2
        assert all(
            j["targetSandbox"] == "dev" and j["sourceSandBox"] == "prod" for j in jobs["data"]
        )

    def test_live_progress(
        self, api: Api, world: dict[str, str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        pid = package(api, [("JOURNEY", world["journey"])])
        failpoints.reset()
        monkeypatch.setenv("SBX_FAILPOINTS", "import.artifact=2:sleep1500")
        r = submit(api, pid)
        seen_live = False
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            job = api.get(f"/data/foundation/exim/tools/job/{r.json()['jobId']}").json()["object"]
            if job["jobStatus"] == "IN_PROGRESS" and job["completedTasks"]:
                seen_live = True
                # nothing is visible in the target before the import commits
                assert objects(api, "dev") == {}
                break
            time.sleep(0.02)
        assert seen_live
        assert api.wait_job(r.json()["jobId"])["jobStatus"] == "SUCCESS"


class TestAtomicity:
    def test_injected_failure_leaves_target_unchanged(
        self, api: Api, world: dict[str, str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        keep = api.create("DULE_CONSENT_POLICY", f.consent_policy("kept"), sandbox="dev")
        before = objects(api, "dev")
        pid = package(api, [("JOURNEY", world["journey"])])
        failpoints.reset()
        monkeypatch.setenv("SBX_FAILPOINTS", "import.artifact=4:raise")
        job = run_import(api, pid)
        assert job["jobStatus"] == "FAILED"
        assert "failpoint" in job["errorMessage"] and "nothing was imported" in job["errorMessage"]
        assert job["completedTasks"] == [] and job["importReplacementMap"] == {}
        assert objects(api, "dev") == before
        assert ("DULE_CONSENT_POLICY", keep) in before

    def test_missing_permission_fails_whole_import(
        self, api: Api, client, state: AppState, world: dict[str, str]
    ) -> None:
        from sandbox_tooling.identity import service

        with state.db.transaction() as s:
            service.create_role(
                s,
                org_id=ORG_A,
                name="no-journeys",
                permissions=[
                    "Package:view,manage",
                    "Sandbox:view",
                    "Schema:read,write",
                    "Dataset:read,write",
                    "Identity:read,write",
                    "Segment:read,write",
                    "ProfileConfig:read,write",
                ],
                sandboxes=None,
            )
        user = make_api(
            client,
            state,
            ORG_A,
            api.tenant,
            user_id="partial@a",
            roles=("no-journeys",),
            create_org=False,
        )
        pid = package(api, [("JOURNEY", world["journey"])])
        pre = user.get(f"{P}/preflight/{pid}?targetSandbox=dev").json()
        assert pre["packageID"] == pid and pre["targetSandboxName"] == "dev"
        by_type = {e["artifactType"]: e for e in pre["permissionResponse"]}
        assert by_type["JOURNEY"]["creationAllowed"] is False
        assert by_type["JOURNEY"]["missingPermissions"] == {
            "resources": [{"palmResourceType": "Journey", "resourcePermissions": ["read", "write"]}]
        }
        assert by_type["REGISTRY_SCHEMA"]["creationAllowed"] is True
        assert {"palmResourceType": "Sandbox", "resourcePermissions": ["view"]} in by_type[
            "REGISTRY_SCHEMA"
        ]["requiredPermissions"]["resources"]
        job = run_import(user, pid)
        assert job["jobStatus"] == "FAILED" and "Journey:read,write" in job["errorMessage"]
        assert [t["artifact"]["type"] for t in job["failedTasks"]] == ["JOURNEY"]
        assert objects(api, "dev") == {}
        admin_pre = api.get(f"{P}/preflight/{pid}?targetSandbox=dev").json()
        assert all(e["creationAllowed"] for e in admin_pre["permissionResponse"])

    def test_concurrent_imports_into_one_target(
        self, api: Api, state: AppState, world: dict[str, str]
    ) -> None:
        pid = package(api, [("CATALOG_DATASET", world["ds"])])
        r1, r2 = submit(api, pid), submit(api, pid)
        j1, j2 = api.wait_job(r1.json()["jobId"]), api.wait_job(r2.json()["jobId"])
        assert j1["jobStatus"] == j2["jobStatus"] == "SUCCESS"
        target = objects(api, "dev")
        schemas = [
            o for k, o in target.items() if k[0] == "REGISTRY_SCHEMA" and o["title"] == "Members"
        ]
        assert len(schemas) == 1  # the second import reused the first one's schema
        datasets = sorted(o["title"] for k, o in target.items() if k[0] == "CATALOG_DATASET")
        assert datasets[0] == "Members Dataset" and datasets[1].startswith("Members Dataset_")
        refs_resolve_in(api, state, target)

    def test_imports_into_two_targets(self, api: Api, world: dict[str, str]) -> None:
        sandbox(api, "qa")
        pid = package(api, [("CATALOG_DATASET", world["ds"])])
        r1, r2 = submit(api, pid, "dev"), submit(api, pid, "qa")
        assert api.wait_job(r1.json()["jobId"])["jobStatus"] == "SUCCESS"
        assert api.wait_job(r2.json()["jobId"])["jobStatus"] == "SUCCESS"
        assert len(objects(api, "dev")) == len(objects(api, "qa")) == 9


class TestRefusals:
    def test_unpublished_expired_unknown(
        self, api: Api, state: AppState, world: dict[str, str]
    ) -> None:
        draft = api.post(
            P,
            json={
                "name": "draft",
                "packageType": "PARTIAL",
                "artifacts": [{"id": world["policy"], "type": "DULE_CONSENT_POLICY"}],
            },
        ).json()
        assert submit(api, draft["id"]).status_code == 409
        pid = package(api, [("DULE_CONSENT_POLICY", world["policy"])])
        r = submit(api, pid, target="nowhere")
        assert r.status_code == 400 and r.json()["detail"].startswith("destinationSandbox.name")
        r = api.post(
            f"{P}/import",
            json={"id": pid, "destinationSandbox": {"name": "dev", "imsOrgId": "X@AdobeOrg"}},
        )
        assert r.status_code == 400 and "destinationSandbox.imsOrgId" in r.json()["detail"]
        assert api.post(f"{P}/import", json={"id": pid}).status_code == 400
        assert api.post(f"{P}/{pid}/import").status_code == 400  # no targetSandbox
        assert submit(api, "0" * 32).status_code == 404
        with state.db.transaction() as s:
            s.execute(text("UPDATE packages SET expiry = 1 WHERE id = :i"), {"i": pid})
        r = submit(api, pid)
        assert r.status_code == 409 and "expired" in r.json()["detail"]

    def test_bad_alternatives(self, api: Api, world: dict[str, str]) -> None:
        pid = package(api, [("CATALOG_DATASET", world["ds"])])
        ds_alt = api.create("REGISTRY_SCHEMA", f.schema("x"), sandbox="dev")
        cases = [
            (
                {
                    world["schema"]: {
                        "id": "https://ns.adobe.com/alpha/schemas/nope",
                        "type": "REGISTRY_SCHEMA",
                    }
                },
                f"alternatives.{world['schema']}.id",
            ),
            (
                {world["schema"]: {"id": ds_alt, "type": "REGISTRY_MIXIN"}},
                f"alternatives.{world['schema']}.type",
            ),
            (
                {world["policy"]: {"id": ds_alt, "type": "DULE_CONSENT_POLICY"}},
                f"alternatives.{world['policy']}",
            ),
        ]
        for alternatives, field in cases:
            r = submit(api, pid, alternatives=alternatives)
            assert r.status_code == 400, r.text
            assert r.json()["detail"].startswith(field), r.json()
        r = submit(api, pid, alternatives={world["schema"]: {"type": "REGISTRY_SCHEMA"}})
        assert r.status_code == 400
        full = api.post(P, json={"name": "full", "packageType": "FULL"}).json()
        api.publish(full["id"])
        r = submit(
            api,
            full["id"],
            alternatives={world["schema"]: {"id": ds_alt, "type": "REGISTRY_SCHEMA"}},
        )
        assert r.status_code == 400 and "FULL" in r.json()["detail"]

    def test_other_org(self, api: Api, api_b: Api, world: dict[str, str]) -> None:
        pid = package(api, [("DULE_CONSENT_POLICY", world["policy"])])
        job = run_import(api, pid)
        assert submit(api_b, pid, target="prod").status_code == 404
        assert api_b.get(f"{P}/{pid}/import?targetSandbox=prod").status_code == 404
        assert api_b.get(f"{P}/preflight/{pid}?targetSandbox=prod").status_code == 404
        assert api_b.post(f"{P}/jobs/{job['id']}/rollback").status_code == 404
        assert api_b.get(f"{P}/jobs").json()["totalElements"] == 0


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


CRASHER = """
import sys
from sandbox_tooling.config import Settings
from sandbox_tooling.runtime import build_runtime
settings = Settings(database_url=sys.argv[1], blob_dir=sys.argv[2], data_dir=sys.argv[3])
rt = build_runtime(settings)
rt.jobs.run_one(sys.argv[4])
print("survived")
"""


def test_process_killed_mid_import(
    api: Api, state: AppState, settings, world: dict[str, str]
) -> None:
    import os
    import signal
    import subprocess
    import sys

    from sandbox_tooling.job.runner import InProcessRunner
    from sandbox_tooling.runtime import job_handlers

    pid = package(api, [("JOURNEY", world["journey"])])
    state.jobs.stop()  # the test's own runner must not take the job
    r = submit(api, pid)
    job_id = r.json()["jobId"]
    env = {**os.environ, "SBX_FAILPOINTS": "import.artifact=3:kill"}
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            CRASHER,
            settings.resolved_database_url(),
            str(settings.resolved_blob_dir()),
            str(settings.data_dir),
            job_id,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "survived" not in proc.stdout
    with state.db.transaction(write=False) as s:
        status = s.execute(text("SELECT status FROM jobs WHERE id=:i"), {"i": job_id}).scalar()
        count = s.execute(
            text(
                "SELECT count(*) FROM registry_objects o JOIN sandboxes b ON b.id = o.sandbox_id "
                "WHERE b.name = 'dev' AND b.org_id = :o"
            ),
            {"o": api.org_id},
        ).scalar()
    assert status == "IN_PROGRESS" and count == 0  # died mid-import: nothing visible
    runner = InProcessRunner(state, job_handlers())
    runner.start()  # recovery resumes the job
    try:
        assert runner.wait_idle(60)
    finally:
        runner.stop()
    job = api.get(f"/data/foundation/exim/tools/job/{job_id}").json()["object"]
    assert job["jobStatus"] == "SUCCESS" and job["attempts"] == 2
    target = objects(api, "dev")
    assert len(target) == len(job["createdObjects"]) == 12  # the journey closure, once
    refs_resolve_in(api, state, target)


@pytest.mark.parametrize("same_target", [True, False])
def test_imports_serialize_per_target(
    api: Api,
    state: AppState,
    world: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    same_target: bool,
) -> None:
    """Each import sleeps 1.5 s while holding its target: two into one target take 3 s or
    more; into two targets they overlap on PostgreSQL (SQLite has one writer: serial)."""
    sandbox(api, "qa")
    pid = package(api, [("DULE_CONSENT_POLICY", world["policy"])])
    failpoints.reset()
    monkeypatch.setenv("SBX_FAILPOINTS", "import.batch=1:sleep1500,import.batch=2:sleep1500")
    start = time.monotonic()
    r1, r2 = submit(api, pid, "dev"), submit(api, pid, "dev" if same_target else "qa")
    assert api.wait_job(r1.json()["jobId"])["jobStatus"] == "SUCCESS"
    assert api.wait_job(r2.json()["jobId"])["jobStatus"] == "SUCCESS"
    elapsed = time.monotonic() - start
    if same_target or state.db.is_sqlite:
        assert elapsed >= 3.0, elapsed
    else:
        assert elapsed < 2.8, elapsed
