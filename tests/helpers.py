"""Helpers shared by the tests of every domain: an authenticated API caller, and sandboxes,
published packages, imports and sandbox listings over that API."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from fastapi.testclient import TestClient

from sandbox_tooling.identity import repository as identity_repository
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.runtime import Runtime as AppState

ORG_A = "AAAA1111AAAA1111AAAA1111@AdobeOrg"
ORG_B = "BBBB2222BBBB2222BBBB2222@AdobeOrg"
P = "/data/foundation/exim/packages"
OBJ = "/data/foundation/registry/objects"
SM = "/data/foundation/sandbox-management/sandboxes"


class Api:
    """An authenticated caller: one org, one user, its token and API key."""

    def __init__(
        self, client: TestClient, org_id: str, user_id: str, client_id: str, token: str, tenant: str
    ) -> None:
        self.client, self.org_id, self.user_id = client, org_id, user_id
        self.client_id, self.token, self.tenant = client_id, token, tenant

    def headers(self, sandbox: str | None = "prod", **extra: str) -> dict[str, str]:
        h = {
            "Authorization": f"Bearer {self.token}",
            "x-api-key": self.client_id,
            "x-gw-ims-org-id": self.org_id,
        }
        if sandbox:
            h["x-sandbox-name"] = sandbox
        h.update(extra)
        return h

    def request(
        self, method: str, path: str, *, sandbox: str | None = "prod", **kwargs: Any
    ) -> Any:
        headers = {**self.headers(sandbox), **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.request("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> Any:
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)

    # -- shortcuts ----------------------------------------------------------------------------
    def create(self, type_name: str, definition: dict[str, Any], sandbox: str = "prod") -> str:
        r = self.post(
            f"/data/foundation/registry/objects/{type_name}", json=definition, sandbox=sandbox
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def wait_job(self, job_id: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.get(f"/data/foundation/exim/tools/job/{job_id}")
            assert r.status_code == 200, r.text
            job: dict[str, Any] = r.json()["object"]
            if job["jobStatus"] in ("SUCCESS", "FAILED", "CANCELLED"):
                return job
            time.sleep(0.02)
        raise AssertionError(f"job {job_id} did not finish in {timeout}s")

    def publish(self, package_id: str) -> dict[str, Any]:
        r = self.get(f"/data/foundation/exim/packages/{package_id}/export")
        assert r.status_code == 200, r.text
        return self.wait_job(r.json()["jobId"])


def make_api(
    client: TestClient,
    state: AppState,
    org_id: str,
    tenant: str,
    user_id: str = "admin@example.com",
    roles: tuple[str, ...] = ("admin",),
    create_org: bool = True,
) -> Api:
    with state.db.transaction() as session:
        if create_org:
            identity_service.create_org(
                session, org_id=org_id, name=f"Org {tenant}", region="va7", tenant=tenant
            )
        identity_service.create_user(
            session, org_id=org_id, user_id=user_id, name=None, roles=list(roles)
        )
        cred, _secret = identity_service.create_credential(session, org_id=org_id, user_id=user_id)
        row = identity_repository.get_credential(session, cred.client_id)
        assert row is not None
        token = identity_service.mint_token(session, row, 3600)
    return Api(client, org_id, user_id, cred.client_id, token, tenant)


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


def refs_resolve_in(api: Api, state: AppState, objs: dict[tuple[str, str], dict]) -> None:
    """Every non-standard reference of every object names an object of the same sandbox."""
    for (type_name, _id), obj in objs.items():
        for ref in state.types.get(type_name).references(obj["definition"]):
            if not ref.standard:
                assert (ref.type, ref.id) in objs, (type_name, ref)


def concurrently(n: int, call: Callable[[int], Any]) -> list[Any]:
    """``call(i)`` for i in range(n), all released at once."""
    barrier = threading.Barrier(n)

    def run(i: int) -> Any:
        barrier.wait()
        return call(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def make_bucket(endpoint: str, name: str) -> Any:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=name)
    return client
