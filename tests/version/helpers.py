"""Helpers shared by the version tests: change the source, save, compare, update."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tests.helpers import Api

P = "/data/foundation/exim/packages"
OBJ = "/data/foundation/registry/objects"
FIELD = "/definitions/main/properties/_alpha/properties"


def url(type_name: str, object_id: str) -> str:
    return f"{OBJ}/{type_name}/{quote(object_id, safe='')}"


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
