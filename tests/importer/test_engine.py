"""The import job: planning, rewriting, reuse, suffixes, cycles, alternatives, FULL packages,
live progress, atomicity, permissions, concurrency and crash recovery."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import text

from sandbox_tooling.kit import failpoints
from sandbox_tooling.runtime import Runtime as AppState
from tests import factories as f
from tests.helpers import (
    ORG_A,
    Api,
    make_api,
    objects,
    package,
    refs_resolve_in,
    run_import,
    sandbox,
    submit,
)

P = "/data/foundation/exim/packages"
OBJ = "/data/foundation/registry/objects"


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
