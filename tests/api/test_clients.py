"""Clients and what they see (issue 10 part 5).

* ``POST /packages/{id}/children`` with no body (aepp's ``getPackageDependencies``) or ``[]``:
  the children of the package's own roots.
* A transfer refused for want of a link is the source org's alone: its target org neither
  lists it nor reads it.
* Every failed transfer says why (``transferDetails``), every failed job too (the job and the
  jobs list).
* ``aepp`` 0.6.0, the Python client on PyPI, driven against a real server on 127.0.0.1 for the
  calls it makes to the packages, handshake and transfer endpoints.
"""

from __future__ import annotations

import importlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from sandbox_tooling.api.app import create_app
from sandbox_tooling.config import Settings
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.runtime import Runtime
from tests import factories as f
from tests.helpers import ORG_A, ORG_B, Api, make_api

P = "/data/foundation/exim/packages"
H = "/data/foundation/exim/handshake"
T = "/data/foundation/exim/transfer"
ORG_C = "CCCC3333CCCC3333CCCC3333@AdobeOrg"


def xdm_package(api: Api, name: str = "loyalty") -> tuple[str, dict[str, str]]:
    dt = api.create("REGISTRY_DATATYPE", f.datatype("Tier"))
    fg = api.create("REGISTRY_MIXIN", f.field_group(api.tenant, "Loyalty", dt))
    schema = api.create("REGISTRY_SCHEMA", f.schema("Members", f.PROFILE, (fg,)))
    ds = api.create("CATALOG_DATASET", f.dataset(schema))
    r = api.post(
        P,
        json={
            "name": name,
            "packageType": "PARTIAL",
            "sourceSandbox": {"name": "prod"},
            "artifacts": [
                {"id": schema, "type": "REGISTRY_SCHEMA"},
                {"id": ds, "type": "CATALOG_DATASET"},
            ],
        },
    )
    assert r.status_code == 200, r.text
    return r.json()["id"], {"dt": dt, "fg": fg, "schema": schema, "ds": ds}


class TestChildrenWithoutBody:
    @pytest.mark.parametrize("published", [False, True])
    def test_roots_children(self, api: Api, published: bool) -> None:
        pid, ids = xdm_package(api)
        if published:
            assert api.publish(pid)["jobStatus"] == "SUCCESS"
        expected = {
            ("REGISTRY_SCHEMA", ids["schema"]): {("REGISTRY_MIXIN", ids["fg"])},
            ("CATALOG_DATASET", ids["ds"]): {("REGISTRY_SCHEMA", ids["schema"])},
        }
        no_body = api.post(f"{P}/{pid}/children")
        empty = api.post(f"{P}/{pid}/children", json=[])
        for r in (no_body, empty):
            assert r.status_code == 200, r.text
            got = {
                (e["type"], e["id"]): {(c["type"], c["id"]) for c in e["children"]}
                for e in r.json()
            }
            assert got == expected
        # naming artifacts still works, dependencies included
        r = api.post(f"{P}/{pid}/children", json=[{"id": ids["fg"], "type": "REGISTRY_MIXIN"}])
        assert r.status_code == 200, r.text
        assert [c["id"] for c in r.json()[0]["children"]] == [ids["dt"]]


@pytest.fixture
def api_c(client: TestClient, state: Runtime) -> Api:
    return make_api(client, state, ORG_C, "charlie")


def wait_transfer(api: Api, transfer_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        t = api.get(f"{T}/{transfer_id}").json()
        if t["status"] in ("COMPLETED", "FAILED"):
            return dict(t)
        time.sleep(0.02)
    raise AssertionError("transfer did not finish")


class TestRefusedTransfers:
    def test_invisible_to_an_unlinked_target_and_the_reason_given(
        self, api: Api, api_c: Api
    ) -> None:
        pid, _ids = xdm_package(api)
        assert api.publish(pid)["jobStatus"] == "SUCCESS"
        r = api.post(T, json={"packageId": pid, "targets": [{"imsOrgId": ORG_C}]})
        assert r.status_code == 200, r.text
        (pending,) = r.json()
        failed = wait_transfer(api, pending["id"])
        assert failed["status"] == "FAILED"
        reason = failed["transferDetails"]["reason"]
        assert reason.startswith(f"no approved link between {ORG_A} and {ORG_C}")
        assert failed["failureReason"] == reason
        assert (
            failed["transferDetails"]["messages"][-1] == f"Finished with status: FAILED: {reason}"
        )
        # the target org learns nothing: not listed (whatever the filter), not readable
        assert api_c.get(f"{T}/{pending['id']}").status_code == 404
        for query in ("", "?requestType=PRIVATE", "?property=status==FAILED"):
            listed = api_c.get(f"{T}/list{query}").json()
            assert listed["totalElements"] == 0 and listed["data"] == []
        # the source org sees it, and the failed job says why, in the job and in the list
        assert [t["id"] for t in api.get(f"{T}/list").json()["data"]] == [pending["id"]]
        jobs = api.get(f"{P}/jobs?property=requestType==TRANSFER").json()["data"]
        (job,) = jobs
        assert job["jobStatus"] == "FAILED" and job["errorMessage"] == reason
        detail = api.get(f"/data/foundation/exim/tools/job/{job['id']}").json()["object"]
        assert detail["errorMessage"] == reason
        # a completed transfer carries no reason
        link = api.post(
            f"{H}/bulkCreate",
            json={"targetIMSOrgIds": [ORG_C], "sourceIMSDetails": {"id": ORG_A}},
        ).json()["successfulRequests"][ORG_C]
        r = api_c.post(
            f"{H}/action",
            json={
                "linkingID": link["linkingId"],
                "status": "APPROVED",
                "reason": "partners now",
                "targetIMSOrgDetails": {"id": ORG_C, "name": "Org charlie", "region": "va7"},
            },
        )
        assert r.status_code == 200, r.text
        r = api.post(T, json={"packageId": pid, "targets": [{"imsOrgId": ORG_C}]})
        done = wait_transfer(api, r.json()[0]["id"])
        assert done["status"] == "COMPLETED" and "reason" not in done["transferDetails"]
        assert api_c.get(f"{T}/{done['id']}").status_code == 200

    def test_failed_job_reason_in_the_jobs_list(self, api: Api) -> None:
        """Any failed job, not only transfers: a publish whose root vanished."""
        pid, ids = xdm_package(api, "gone")
        r = api.delete(f"/data/foundation/registry/objects/CATALOG_DATASET/{ids['ds']}")
        assert r.status_code == 204, r.text
        job = api.publish(pid)
        assert job["jobStatus"] == "FAILED"
        listed = api.get(f"{P}/jobs?property=jobStatus==FAILED").json()["data"]
        assert [j["errorMessage"] for j in listed] == [job["errorMessage"]]
        assert ids["ds"] in job["errorMessage"]
        ok = api.get(f"{P}/jobs?property=jobStatus==SUCCESS").json()["data"]
        assert all("errorMessage" not in j for j in ok)


# -- aepp ---------------------------------------------------------------------------------
def _aepp() -> Any:
    """The aepp package; skipped when absent, except in CI, which installs it."""
    try:
        return importlib.import_module("aepp")
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("aepp is not installed (scripts/_venv.sh installs it)")
        pytest.skip("aepp is not installed (pip install --no-deps aepp==0.6.0 requests)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(settings: Settings, state: Runtime) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, in a thread of this process."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, state), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=30)


def _credential(state: Runtime, org_id: str, tenant: str) -> tuple[str, str]:
    """An org with an admin; its API key (client id) and client secret."""
    with state.db.transaction() as s:
        identity_service.create_org(
            s, org_id=org_id, name=f"Org {tenant}", region="va7", tenant=tenant
        )
        identity_service.create_user(
            s, org_id=org_id, user_id="admin@x", name=None, roles=["admin"]
        )
        cred, secret = identity_service.create_credential(s, org_id=org_id, user_id="admin@x")
    return cred.client_id, secret


def _connect(aepp: Any, base: str, org_id: str, client_id: str, secret: str) -> Any:
    """aepp pointed at sbx: the "support" environment takes the platform's base URL, and the
    token endpoint is set to sbx's IMS-style one (aepp has no parameter for it)."""
    conn = aepp.configure(
        org_id=org_id,
        client_id=client_id,
        secret=secret,
        scopes="openid,AdobeID,read_organizations",
        environment="support",
        endpoint=base,
        sandbox="prod",
        connectInstance=True,
    )
    conn.getConfigObject()["oauthTokenEndpointV2"] = f"{base}/ims/token/v3"
    from aepp import sandboxes

    return sandboxes.Sandboxes(config=conn)


def _until(call: Any, done: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = call()
        if done(value):
            return value
        time.sleep(0.05)
    raise AssertionError(f"not done: {value}")


def test_aepp_against_a_real_server(server: str, state: Runtime) -> None:
    aepp = _aepp()
    assert aepp.__version__ == "0.6.0"
    a_id, a_secret = _credential(state, ORG_A, "alpha")
    b_id, b_secret = _credential(state, ORG_B, "bravo")
    sb_a = _connect(aepp, server, ORG_A, a_id, a_secret)  # a token from /ims/token/v3
    sb_b = _connect(aepp, server, ORG_B, b_id, b_secret)
    assert sb_a.connector.token and sb_a.endpointPackage == f"{server}/data/foundation/exim"
    http = sb_a.connector  # aepp's own requests session and headers, for the seeding

    # objects to package (through sbx's registry, with aepp's connector)
    objects = "/data/foundation/registry/objects"
    dt = http.postData(f"{server}{objects}/REGISTRY_DATATYPE", data=f.datatype("Tier"))["id"]
    fg = http.postData(
        f"{server}{objects}/REGISTRY_MIXIN", data=f.field_group("alpha", "Loyalty", dt)
    )["id"]
    schema = http.postData(
        f"{server}{objects}/REGISTRY_SCHEMA", data=f.schema("Members", f.PROFILE, (fg,))
    )["id"]
    ds = http.postData(f"{server}{objects}/CATALOG_DATASET", data=f.dataset(schema))["id"]

    # sandboxes
    assert {s["name"] for s in sb_a.getSandboxes()} == {"prod"}
    assert sb_a.createSandbox(name="dev", title="Dev", type_sandbox="development")["name"] == "dev"

    # packages: create, list, get, update, children, publish
    pkg = sb_a.createPackage(
        name="aepp package",
        artifacts=[{"id": schema, "type": "REGISTRY_SCHEMA", "title": "Members"}],
    )
    pid = pkg["id"]
    assert pkg["status"] == "DRAFT" and pkg["description"] == "power by aepp"
    assert [p["id"] for p in sb_a.getPackages()] == [pid]
    assert [p["id"] for p in sb_a.getPackages(prop="status==DRAFT")] == [pid]
    assert sb_a.getPackage(pid)["name"] == "aepp package"
    added = sb_a.updatePackage(pid, "ADD", artifacts=[{"id": ds, "type": "CATALOG_DATASET"}])
    assert {a["id"] for a in added["artifactsList"]} == {schema, ds}
    renamed = sb_a.updatePackage(pid, "UPDATE", name="aepp package 2", expiry=30)
    assert renamed["name"] == "aepp package 2"
    children = sb_a.getPackageDependencies(pid)  # POST /children without a body
    assert {(c["type"], c["id"]) for c in children} == {
        ("REGISTRY_SCHEMA", schema),
        ("CATALOG_DATASET", ds),
    }
    assert sb_a.publishPackage(pid)["jobId"]
    _until(lambda: sb_a.getPackage(pid), lambda p: p["status"] == "PUBLISHED")

    # import: conflicts, preflight (aepp drops the answer), the import (aepp sends no body)
    check = sb_a.importPackageCheck(pid, "dev")
    assert isinstance(check, list)
    assert sb_a.checkPermissions(pid, "dev") is None
    submitted = sb_a.importPackage(pid, "dev")
    job_id = submitted["jobId"]
    jobs = _until(
        lambda: sb_a.getImportExportJobs(importsOnly=True)["data"],
        lambda js: [j["jobStatus"] for j in js if j["id"] == job_id] == ["SUCCESS"],
    )
    assert all(j["requestType"] == "IMPORT" for j in jobs)
    assert {j["requestType"] for j in sb_a.getImportExportJobs(exportsOnly=True)["data"]} == {
        "EXPORT"
    }

    # handshake: request, approval (aepp 0.6.0 posts no body: see the docs), list
    created = sb_a.createShareRequest(imsTargets=[ORG_B], imsSourceId=ORG_A, imsSourceName="A")
    link = created["successfulRequests"][ORG_B]
    assert link["status"] == "APPROVAL_PENDING"
    refused = sb_b.approvingShareRequest(link["linkingId"], "Org bravo", ORG_B, "va7")
    assert refused["status"] == 400 and refused["detail"].startswith("body")
    approved = sb_b.connector.postData(
        f"{sb_b.endpointPackage}/handshake/action",
        data={
            "linkingID": link["linkingId"],
            "status": "APPROVED",
            "reason": "Done",
            "targetIMSOrgDetails": {"id": ORG_B, "name": "Org bravo", "region": "va7"},
        },
    )
    assert approved["status"] == "APPROVED"
    incoming = sb_b.getShareRequests("INCOMING")
    assert [h["linkingId"] for h in incoming["data"]] == [link["linkingId"]]
    assert sb_a.getShareRequests("OUTGOING")["totalElements"] == 1

    # transfer to the linked org
    (transfer,) = sb_a.transferPackage(pid, [ORG_B])
    done = _until(
        lambda: sb_a.getTransfer(transfer["id"]),
        lambda t: t["status"] != "PENDING" and t["status"] != "IN_PROGRESS",
    )
    assert done["status"] == "COMPLETED", done
    assert sb_b.getPackage(done["targetPackageId"])["status"] == "PUBLISHED"
    # aepp 0.6.0 lists transfers under /sandbox-management (not the tooling API's path)
    wrong = sb_a.getTransfers()
    assert wrong == []

    # public package: make it public, pulled by org B, listed as a public transfer
    public = sb_a.publishPackagePublic(pid)
    assert public["packageVisibility"] == "PUBLIC"
    pulled = sb_b.importPublicPackage(ORG_A, pid)
    assert pulled["requestType"] == "PUBLIC" and pulled["targetIMSOrgId"] == ORG_B
    _until(lambda: sb_b.getTransfer(pulled["id"]), lambda t: t["status"] == "COMPLETED")
    assert [t["id"] for t in sb_b.getPublicPackages()] == [pulled["id"]]

    # delete
    other = sb_a.createPackage(name="to delete", artifacts=[{"id": ds, "type": "CATALOG_DATASET"}])
    assert sb_a.deletePackage(other["id"]) == 200  # aepp answers the status code
    assert sb_a.getPackage(other["id"])["status"] == 404
