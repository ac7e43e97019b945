"""Tenant isolation: a second org gets 404 on everything of the first."""

from __future__ import annotations

from urllib.parse import quote

from tests import factories as f
from tests.helpers import Api

P = "/data/foundation/exim/packages"


OBJ = "/data/foundation/registry/objects"


def test_second_org_sees_nothing_of_the_first(api: Api, api_b: Api) -> None:
    world = f.seed_world(api)
    api.post(
        "/data/foundation/sandbox-management/sandboxes",
        json={"name": "dev", "title": "Dev", "type": "development"},
    )
    pkg = api.post(
        P,
        json={
            "name": "a-pkg",
            "packageType": "PARTIAL",
            "artifacts": [{"id": world["ds"], "type": "CATALOG_DATASET"}],
        },
    ).json()
    job = api.publish(pkg["id"])
    pid, jid = pkg["id"], job["id"]

    # packages, jobs, payloads
    for method, path, body in (
        ("GET", f"{P}/{pid}", None),
        ("GET", f"{P}/{pid}?getCapabilities=true", None),
        ("GET", f"{P}/{pid}/export", None),
        ("DELETE", f"{P}/{pid}", None),
        ("GET", f"{P}/payload/{pid}", None),
        ("POST", f"{P}/{pid}/children", [{"id": world["ds"], "type": "CATALOG_DATASET"}]),
        ("PUT", P, {"id": pid, "action": "UPDATE", "name": "stolen"}),
        ("GET", f"/data/foundation/exim/tools/job/{jid}", None),
    ):
        r = api_b.request(method, path, json=body)
        assert r.status_code == 404, (method, path, r.text)
    assert api_b.get(P).json()["totalElements"] == 0
    assert api_b.get(f"{P}/jobs").json()["totalElements"] == 0

    # objects: B's own 'prod' is a different sandbox
    for key, type_name in (
        ("schema", "REGISTRY_SCHEMA"),
        ("ds", "CATALOG_DATASET"),
        ("journey", "JOURNEY"),
    ):
        path = f"{OBJ}/{type_name}/{quote(world[key], safe='')}"
        assert api_b.get(path).status_code == 404
        assert api_b.put(path, json=f.dataset(world["schema"])).status_code in (400, 404)
        assert api_b.delete(path).status_code == 404
    assert api_b.get(f"{OBJ}/REGISTRY_SCHEMA").json()["totalElements"] == 0

    # sandboxes
    assert api_b.get("/data/foundation/sandbox-management/sandboxes/dev").status_code == 404
    assert api_b.delete("/data/foundation/sandbox-management/sandboxes/dev").status_code == 404
    names = [
        s["name"]
        for s in api_b.get("/data/foundation/sandbox-management/sandboxes").json()["sandboxes"]
    ]
    assert names == ["prod"]
    assert api_b.get(f"{OBJ}/REGISTRY_SCHEMA", sandbox="dev").status_code == 404

    # and A still has everything
    assert api.get(f"{P}/{pid}").json()["name"] == "a-pkg"


def test_package_name_unique_per_org_only(api: Api, api_b: Api) -> None:
    assert api.post(P, json={"name": "same", "packageType": "FULL"}).status_code == 200
    assert api_b.post(P, json={"name": "same", "packageType": "FULL"}).status_code == 200


def test_artifacts_must_come_from_own_org(api: Api, api_b: Api) -> None:
    world = f.seed_world(api)
    r = api_b.post(
        P,
        json={
            "name": "x",
            "packageType": "PARTIAL",
            "artifacts": [{"id": world["ds"], "type": "CATALOG_DATASET"}],
        },
    )
    assert r.status_code == 400
    r = api_b.post(
        P,
        json={
            "name": "x",
            "packageType": "PARTIAL",
            "sourceSandbox": {"name": "prod", "imsOrgId": api.org_id},
        },
    )
    assert r.status_code == 400 and "sourceSandbox.imsOrgId" in r.json()["detail"]
