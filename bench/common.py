"""Shared set-up of the benchmarks: an org, a token, and sandboxes of wired objects."""

from __future__ import annotations

import time
from typing import Any

from sandbox_tooling.artifact_type.spec import TypeContext
from sandbox_tooling.identity import repository as identity_repository
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.sandbox import repository as sandbox_repository

ORG = "BENCH000000000000000000@AdobeOrg"
PROFILE = "https://ns.adobe.com/xdm/context/profile"
UNIT = 10  # objects per unit, see build_unit


def build_unit(i: int) -> list[tuple[str, dict[str, Any], str]]:
    """Ten objects wired as on the platform; the dataset is the package root.

    dt1 <- dt2 <- fg1; fg2; cls <- schemaB; schemaA -> fg1, fg2; identity descriptor on A;
    relationship descriptor A -> B; dataset -> A.
    """
    return [
        (
            "REGISTRY_DATATYPE",
            {"title": f"dt1-{i}", "type": "object", "properties": {"a": {"type": "string"}}},
            "dt1",
        ),
        (
            "REGISTRY_DATATYPE",
            {"title": f"dt2-{i}", "type": "object", "properties": {"b": {"$ref": "@dt1"}}},
            "dt2",
        ),
        (
            "REGISTRY_MIXIN",
            {
                "title": f"fg1-{i}",
                "meta:intendedToExtend": [PROFILE],
                "properties": {"c": {"$ref": "@dt2"}},
            },
            "fg1",
        ),
        (
            "REGISTRY_MIXIN",
            {
                "title": f"fg2-{i}",
                "meta:intendedToExtend": [PROFILE],
                "properties": {"d": {"type": "string"}},
            },
            "fg2",
        ),
        (
            "REGISTRY_CLASS",
            {"title": f"cls-{i}", "allOf": [{"$ref": "https://ns.adobe.com/xdm/data/record"}]},
            "cls",
        ),
        (
            "REGISTRY_SCHEMA",
            {"title": f"B-{i}", "meta:class": "@cls", "allOf": [{"$ref": "@cls"}]},
            "B",
        ),
        (
            "REGISTRY_SCHEMA",
            {
                "title": f"A-{i}",
                "meta:class": PROFILE,
                "allOf": [{"$ref": PROFILE}, {"$ref": "@fg1"}, {"$ref": "@fg2"}],
            },
            "A",
        ),
        (
            "REGISTRY_DESCRIPTOR",
            {
                "@type": "xdm:descriptorIdentity",
                "xdm:sourceSchema": "@A",
                "xdm:sourceProperty": "/email",
                "xdm:namespace": "Email",
            },
            "idd",
        ),
        (
            "REGISTRY_DESCRIPTOR",
            {
                "@type": "xdm:descriptorOneToOne",
                "xdm:sourceSchema": "@A",
                "xdm:sourceProperty": "/store",
                "xdm:destinationSchema": "@B",
            },
            "rel",
        ),
        ("CATALOG_DATASET", {"name": f"ds-{i}", "schemaRef": {"id": "@A"}}, "ds"),
    ]


def build_xdm_unit(i: int) -> list[tuple[str, dict[str, Any], str]]:
    """Ten XDM objects whose root, schema A, makes a VERSIONABLE package.

    dt1 <- dt2 <- fg1; fg2; fg3; cls <- schema B (fg3); schema A (fg1, fg2); identity
    descriptor on A; relationship descriptor A -> B.
    """
    unit = [u for u in build_unit(i) if u[2] != "ds"]
    unit.insert(
        4,
        (
            "REGISTRY_MIXIN",
            {
                "title": f"fg3-{i}",
                "meta:intendedToExtend": [PROFILE],
                "properties": {"e": {"type": "string"}},
            },
            "fg3",
        ),
    )
    for n, (type_name, definition, key) in enumerate(unit):
        if key == "B":
            unit[n] = (
                type_name,
                {**definition, "allOf": [{"$ref": "@cls"}, {"$ref": "@fg3"}]},
                key,
            )
    return unit


def _resolve(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        return ids[value[1:]]
    if isinstance(value, dict):
        return {k: _resolve(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, ids) for v in value]
    return value


def seed(
    state: Any, units: int, sandbox_name: str, unit: Any = None, root: str = "ds"
) -> list[str]:
    roots = []
    with state.db.transaction() as s:
        org = identity_repository.get_org(s, ORG)
        assert org is not None
        from sandbox_tooling.sandbox import service as sandbox_service

        sandbox = sandbox_service.create_in_org(
            s, org, name=sandbox_name, title=sandbox_name, type_="development", actor="bench"
        )
        ctx = TypeContext(org_id=ORG, tenant=org.tenant_id)
        batch: list[registry_service.Prepared] = []
        for i in range(units):
            ids: dict[str, str] = {}
            for type_name, definition, key in (unit or build_unit)(i):
                atype = state.types.get(type_name)
                p = registry_service.prepare(atype, _resolve(definition, ids), ctx)
                ids[key] = p.object_id
                batch.append(p)
            roots.append(ids[root])
        registry_service.create_objects(s, sandbox, ctx, batch, "bench")
        assert sandbox_repository.live(s, ORG, sandbox_name) is not None
    return roots


def make_org(state: Any) -> dict[str, str]:
    """The bench org with an admin; returns request headers with a fresh token."""
    with state.db.transaction() as s:
        identity_service.create_org(s, org_id=ORG, name="Bench", region="va7", tenant="bench")
        identity_service.create_user(s, org_id=ORG, user_id="bench", name=None, roles=["admin"])
        cred, _ = identity_service.create_credential(s, org_id=ORG, user_id="bench")
    return headers_for(state, cred.client_id)


def headers_for(state: Any, client_id: str) -> dict[str, str]:
    with state.db.transaction() as s:
        row = identity_repository.get_credential(s, client_id)
        assert row is not None
        token = identity_service.mint_token(s, row, 3600)
    return {
        "Authorization": f"Bearer {token}",
        "x-api-key": client_id,
        "x-gw-ims-org-id": ORG,
        "Content-Type": "application/json",
    }


P = "/data/foundation/exim/packages"


def wait_status(client: Any, headers: dict[str, str], job_id: str, poll: float = 0.01) -> str:
    """Poll the job's (small) jobs-list item until it ends, as a client of big jobs should:
    the full job renders every task on each call."""
    while True:
        item = client.get(f"{P}/jobs?property=id=={job_id}", headers=headers).json()["data"][0]
        if item["jobStatus"] in ("SUCCESS", "FAILED"):
            return str(item["jobStatus"])
        time.sleep(poll)


def wait_job(
    client: Any, headers: dict[str, str], job_id: str, poll: float = 0.01
) -> dict[str, Any]:
    """Wait for a job to end; its details, asserted successful."""
    wait_status(client, headers, job_id, poll)
    job: dict[str, Any] = client.get(
        f"/data/foundation/exim/tools/job/{job_id}", headers=headers
    ).json()["object"]
    assert job["jobStatus"] == "SUCCESS", job.get("errorMessage")
    return job


def publish(
    client: Any, headers: dict[str, str], name: str, sandbox: str, roots: list[str], type_name: str
) -> tuple[str, dict[str, Any]]:
    """Create a PARTIAL package of ``roots`` and publish it; the package id and export job."""
    r = client.post(
        P,
        headers=headers,
        json={
            "name": name,
            "packageType": "PARTIAL",
            "sourceSandbox": {"name": sandbox},
            "artifacts": [{"id": i, "type": type_name} for i in roots],
        },
    )
    r.raise_for_status()
    pid = str(r.json()["id"])
    job_id = client.get(f"{P}/{pid}/export", headers=headers).json()["jobId"]
    return pid, wait_job(client, headers, job_id, 0.05)
