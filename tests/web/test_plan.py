"""The import wizard's plan says what the import job then does, object by object."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.runtime import Runtime
from sandbox_tooling.web.plan import plan_import
from tests.factories import dataset, datatype, field_group, namespace, schema, seed_world
from tests.helpers import Api, package, run_import, sandbox
from tests.web.helpers import post

PLAN_ID = re.compile(r'name="plan" value="([0-9a-f]{32})"')

#: The job's task status for each of the wizard's actions.
STATUS = {
    "CREATE": "CREATED",
    "RENAME": "CREATED",
    "REUSE": "OBJECT_REUSED",
    "SUBSTITUTE": "OBJECT_EXISTS",
    "EXISTS": "OBJECT_EXISTS",
}


def test_the_plan_is_what_the_import_does(api: Api, state: Runtime, client: TestClient) -> None:
    world = seed_world(api)
    sandbox(api, "dev")
    # The target already has: the namespace (EXISTS), a data type of the same title (REUSE),
    # a dataset of the same name (a created dataset is RENAMEd), a field group to substitute.
    api.create("ID_NAMESPACE", namespace(), sandbox="dev")
    api.create("REGISTRY_DATATYPE", datatype(), sandbox="dev")
    other_schema = api.create("REGISTRY_SCHEMA", schema(title="Other"), sandbox="dev")
    api.create("CATALOG_DATASET", dataset(other_schema), sandbox="dev")
    chosen = api.create(
        "REGISTRY_MIXIN", field_group(api.tenant, title="Loyalty v1"), sandbox="dev"
    )
    pid = package(api, [("JOURNEY", world["journey"])])
    alternatives = {world["fg"]: chosen}
    with state.db.transaction(write=False) as session:
        principal = identity_service.principal_for(session, api.org_id, api.user_id)
        plan = plan_import(session, state, principal, pid, "dev", alternatives)
    actions = {r.id: r.action for r in plan.rows}
    assert actions[world["ns"]] == "EXISTS"
    assert actions[world["fg"]] == "SUBSTITUTE"
    assert actions[world["ds"]] == "RENAME"
    assert actions[world["journey"]] == "CREATE"
    # The data type is needed only by the substituted field group and the class: the class
    # is created, so the data type is visited, and the target's "Tier" is reused.
    assert actions[world["dt"]] == "REUSE"
    assert not plan.blocked and len(plan.rows) == 12
    fg_row = next(r for r in plan.rows if r.id == world["fg"])
    assert fg_row.target_id == chosen and fg_row.target_title == "Loyalty v1"
    assert [s.title for s in fg_row.suggestions][:1] == ["Loyalty v1"]

    job = run_import(
        api, pid, "dev", alternatives={world["fg"]: {"id": chosen, "type": "REGISTRY_MIXIN"}}
    )
    assert job["jobStatus"] == "SUCCESS", job
    done = {
        t["artifact"]["id"]: t["artifact"]["messages"][0]["status"] for t in job["completedTasks"]
    }
    for row in plan.rows:
        if row.action == "SKIP":
            assert row.id not in done or done[row.id] == "NO_CHANGE"
        else:
            assert done[row.id] == STATUS[row.action], (row.title, row.action, done[row.id])
    renamed = job["importReplacementMap"][world["ds"]]
    ds = api.get(f"/data/foundation/registry/objects/CATALOG_DATASET/{renamed}", sandbox="dev")
    assert ds.json()["title"].startswith("Members Dataset_")


def test_missing_permissions_block_the_import(api: Api, state: Runtime) -> None:
    world = seed_world(api)
    sandbox(api, "dev")
    pid = package(api, [("CATALOG_DATASET", world["ds"])])
    with state.db.transaction() as session:
        identity_service.create_role(
            session,
            org_id=api.org_id,
            name="importers",
            permissions=[
                "Package:view,manage",
                "Sandbox:view",
                "Schema:read,write",
                "Identity:read",
            ],
            sandboxes=None,
        )
        identity_service.create_user(
            session, org_id=api.org_id, user_id="imp@example.com", name=None, roles=["importers"]
        )
    with state.db.transaction(write=False) as session:
        principal = identity_service.principal_for(session, api.org_id, "imp@example.com")
        plan = plan_import(session, state, principal, pid, "dev", {})
    assert plan.blocked
    missing = {p.type: p.missing for p in plan.preflight}
    assert missing["CATALOG_DATASET"] == ["Dataset:read,write"]
    assert missing["ID_NAMESPACE"] == ["Identity:write"]
    assert missing["REGISTRY_SCHEMA"] == []
    row = next(r for r in plan.rows if r.id == world["ds"])
    assert row.missing == ["Dataset:read,write"]


def test_the_wizard_import_is_the_reviewed_plan_or_nothing(
    console: TestClient, api: Api, state: Runtime
) -> None:
    """The import posted from the plan page names that plan: a target changed meanwhile is
    refused, naming the object, and nothing is written."""
    world = seed_world(api)
    sandbox(api, "dev")
    pid = package(api, [("REGISTRY_SCHEMA", world["schema"])])
    page = console.get(f"/console/import/plan?package={pid}&target=dev").text
    plan_id = PLAN_ID.search(page)
    assert plan_id, page[:500]
    fg = api.create("REGISTRY_MIXIN", field_group(api.tenant), sandbox="dev")  # meanwhile
    r = post(
        console,
        "/console/import",
        {"package": pid, "target": "dev", "plan": plan_id.group(1)},
        f"/console/import?package={pid}",
    )
    assert r.status_code == 303, r.text
    job = api.wait_job(r.headers["location"].rsplit("/", 1)[1])
    assert job["jobStatus"] == "FAILED"
    assert [d["id"] for d in job["driftedObjects"]] == [fg]
    assert "target changed since the plan" in console.get(f"/console/jobs/{job['id']}").text
