"""The audit log through HTTP: each change recorded once with who, when, where, what and how
it ended; sign-ins and wrong secrets; the list grammar and paging; who may read what; no
secret in any event; nothing to change or delete; a rolled-back change leaves no event."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from fastapi.testclient import TestClient

from sandbox_tooling.identity import repository as identity_repository
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.runtime import Runtime
from sandbox_tooling.sandbox import service as sandbox_service
from tests import factories as f
from tests.helpers import ORG_A, Api, make_api, package, run_import, sandbox
from tests.sharing.helpers import T, link, wait_transfer
from tests.version import helpers as version_helpers

AUDIT = "/data/foundation/audit/events"
P = "/data/foundation/exim/packages"
OBJ = "/data/foundation/registry/objects"
SM = "/data/foundation/sandbox-management/sandboxes"
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def events(api: Api, *filters: str, **params: Any) -> list[dict[str, Any]]:
    r = api.get(AUDIT, params={"property": list(filters), "limit": 100, **params})
    assert r.status_code == 200, r.text
    return list(r.json()["data"])


def one(api: Api, action: str) -> dict[str, Any]:
    found = events(api, f"action=={action}")
    assert len(found) == 1, (action, found)
    return found[0]


def user_with(client: TestClient, state: Runtime, name: str, perms: list[str], sandboxes=None):
    with state.db.transaction() as s:
        identity_service.create_role(
            s, org_id=ORG_A, name=name, permissions=perms, sandboxes=sandboxes
        )
    return make_api(
        client, state, ORG_A, "alpha", user_id=f"{name}@a", roles=(name,), create_org=False
    )


class TestPackages:
    def test_package_lifecycle(self, api: Api) -> None:
        schema = api.create("REGISTRY_SCHEMA", f.schema())
        other = api.create("REGISTRY_SCHEMA", f.schema("Other"))
        pkg = api.post(
            P,
            json={
                "name": "p1",
                "packageType": "PARTIAL",
                "artifacts": [{"id": schema, "type": "REGISTRY_SCHEMA"}],
            },
        ).json()
        added = [{"id": other, "type": "REGISTRY_SCHEMA"}]
        body = {"id": pkg["id"], "action": "ADD", "artifacts": added}
        assert api.put(P, json=body).status_code == 200
        job = api.publish(pkg["id"])
        body = {"id": pkg["id"], "action": "UPDATE", "packageVisibility": "PUBLIC"}
        assert api.put(P, json=body).status_code == 200
        assert api.delete(f"{P}/{pkg['id']}").status_code == 200

        created = one(api, "package.create")
        assert created["assetType"] == "Package" and created["assetId"] == pkg["id"]
        assert created["assetName"] == "p1" and created["sandboxName"] == "prod"
        assert created["user"] == api.user_id and created["clientId"] == api.client_id
        assert created["imsOrgId"] == api.org_id and created["status"] == "Success"
        assert ISO_MS.match(created["timestamp"])
        assert created["details"] == {"packageType": "PARTIAL", "artifacts": 1}
        assert one(api, "package.update")["details"] == {"action": "ADD", "artifacts": 1}
        assert one(api, "package.makePublic")["details"] == {"action": "UPDATE", "fields": []}
        assert one(api, "package.delete")["assetId"] == pkg["id"]
        submitted, finished = one(api, "publish.submit"), one(api, "publish.finish")
        for e in (submitted, finished):
            assert e["assetType"] == "Job" and e["assetId"] == job["id"]
            assert e["details"]["packageId"] == pkg["id"] and e["sandboxName"] == "prod"
            assert e["user"] == api.user_id and e["status"] == "Success"
        assert "clientId" not in finished  # the job acts for its submitter
        # Newest first, each change once.
        actions = [e["action"] for e in events(api, "assetType==Package,Job")]
        assert actions == [
            "package.delete",
            "package.makePublic",
            "publish.finish",
            "publish.submit",
            "package.update",
            "package.create",
        ]

    def test_a_failed_job_is_a_failure_event(self, api: Api) -> None:
        schema = api.create("REGISTRY_SCHEMA", f.schema())
        pkg = api.post(
            P,
            json={
                "name": "doomed",
                "packageType": "PARTIAL",
                "artifacts": [{"id": schema, "type": "REGISTRY_SCHEMA"}],
            },
        ).json()
        assert api.delete(f"{OBJ}/REGISTRY_SCHEMA/{schema}").status_code == 204
        assert api.publish(pkg["id"])["jobStatus"] == "FAILED"
        finished = one(api, "publish.finish")
        assert finished["status"] == "Failure"
        assert "no longer in source sandbox" in finished["details"]["errorMessage"]
        assert events(api, "status==Failure") == [finished]

    def test_imports_and_rollbacks_submitted_and_finished(self, api: Api) -> None:
        sandbox(api, "dev")
        schema = api.create("REGISTRY_SCHEMA", f.schema())
        pid = package(api, [("REGISTRY_SCHEMA", schema)])
        imported = run_import(api, pid, "dev")
        r = api.post(f"{P}/jobs/{imported['id']}/rollback")
        assert r.status_code == 200, r.text
        api.wait_job(r.json()["id"])
        for action in ("import.submit", "import.finish", "rollback.submit", "rollback.finish"):
            e = one(api, action)
            assert e["sandboxName"] == "dev" and e["status"] == "Success", e
            assert e["details"]["destinationSandbox"]["name"] == "dev"
        assert one(api, "import.finish")["assetId"] == imported["id"]
        assert one(api, "rollback.submit")["details"]["importJobId"] == imported["id"]

    def test_versions_compares_and_updates(self, api: Api) -> None:
        sandbox(api, "dev")
        schema = api.create("REGISTRY_SCHEMA", f.schema())
        pid = package(api, [("REGISTRY_SCHEMA", schema)])
        run_import(api, pid, "dev")
        saved = version_helpers.save(api, pid)
        compared = version_helpers.compare(api, pid, triggerNew=True, targetSandbox="dev")
        updated = version_helpers.update(api, pid, "dev")
        for action, job, where in (
            ("version", saved, "prod"),
            ("compare", compared, "prod"),
            ("update", updated, "dev"),
        ):
            submitted, finished = one(api, f"{action}.submit"), one(api, f"{action}.finish")
            assert submitted["assetId"] == finished["assetId"] == job["id"]
            assert submitted["sandboxName"] == finished["sandboxName"] == where, action
            assert finished["status"] == "Success"


class TestSandboxesAndObjects:
    def test_sandbox_changes(self, api: Api) -> None:
        sandbox(api, "dev")
        assert api.patch(f"{SM}/dev", json={"title": "Dev"}).status_code == 200
        assert api.put(f"{SM}/dev", json={"action": "reset"}).status_code == 200
        assert api.put(f"{SM}/dev?validationOnly=true", json={"action": "reset"}).status_code == 200
        assert api.delete(f"{SM}/dev").status_code == 200
        found = events(api, "assetType==Sandbox")
        assert [e["action"] for e in found] == [
            "sandbox.delete",
            "sandbox.reset",
            "sandbox.update",
            "sandbox.create",
        ]
        assert all(e["sandboxName"] == "dev" and e["assetId"] == "dev" for e in found)

    def test_the_longest_sandbox_name_is_recorded(self, api: Api) -> None:
        name = "s" * 255
        sandbox(api, name)
        assert one(api, "sandbox.create")["sandboxName"] == name

    def test_registry_objects_and_batches(self, api: Api) -> None:
        ns = api.create("ID_NAMESPACE", f.namespace("audited"))
        r = api.put(f"{OBJ}/ID_NAMESPACE/{ns}", json=f.namespace("audited", name="Renamed"))
        assert r.status_code == 200, r.text
        assert api.delete(f"{OBJ}/ID_NAMESPACE/{ns}").status_code == 204
        body = [{"type": "ID_NAMESPACE", "definition": f.namespace(f"n{i}")} for i in range(3)]
        assert api.post(f"{OBJ}:batch", json=body).status_code == 201
        assert one(api, "object.create")["assetType"] == "ID_NAMESPACE"
        assert one(api, "object.update")["assetName"] == "Renamed"
        assert one(api, "object.delete")["assetId"] == ns
        loaded = one(api, "objects.load")
        assert loaded["details"] == {"source": "batch", "count": 3, "types": {"ID_NAMESPACE": 3}}


class TestSharing:
    def test_links_and_transfers_in_each_orgs_log(self, api: Api, api_b: Api) -> None:
        linked = link(api, api_b)
        requested = one(api, "handshake.request")
        assert requested["assetId"] == linked["linkingId"] and requested["assetType"] == "Handshake"
        assert requested["details"]["targetIMSOrgId"] == api_b.org_id
        approved = one(api_b, "handshake.approve")
        assert approved["user"] == api_b.user_id and approved["assetId"] == linked["linkingId"]
        assert events(api, "action==handshake.approve") == []
        assert events(api_b, "action==handshake.request") == []
        schema = api.create("REGISTRY_SCHEMA", f.schema())
        pid = package(api, [("REGISTRY_SCHEMA", schema)])
        r = api.post(T, json={"packageId": pid, "targets": [{"imsOrgId": api_b.org_id}]})
        transfer = wait_transfer(api, r.json()[0]["id"])
        submitted, finished = one(api, "transfer.submit"), one(api, "transfer.finish")
        assert submitted["details"]["transferId"] == transfer["id"]
        assert finished["status"] == "Success"
        assert finished["details"]["transferId"] == transfer["id"]
        assert finished["assetId"] == submitted["assetId"]  # the transfer's job


class TestSignIns:
    def credential(self, api: Api, state: Runtime) -> tuple[str, str]:
        with state.db.transaction() as s:
            cred, secret = identity_service.create_credential(
                s, org_id=api.org_id, user_id=api.user_id
            )
        return cred.client_id, secret

    def test_sign_ins_and_wrong_secrets_without_secrets(self, api: Api, state: Runtime) -> None:
        client_id, secret = self.credential(api, state)
        token = "/ims/token/v3"
        form = {"grant_type": "client_credentials", "client_id": client_id}
        assert api.client.post(token, data={**form, "client_secret": "nope"}).status_code == 401
        ok = api.client.post(token, data={**form, "client_secret": secret})
        assert ok.status_code == 200
        unknown = {**form, "client_id": "0" * 32, "client_secret": secret}
        assert api.client.post(token, data=unknown).status_code == 401
        found = events(api, "action==token.issue")
        assert [e["status"] for e in found] == ["Success", "Failure"]
        assert all(e["clientId"] == client_id and e["user"] == api.user_id for e in found)
        assert found[1]["details"] == {"reason": "wrong client secret"}
        (created,) = events(api, "action==credential.create", f"assetId=={client_id}")
        assert created["details"] == {"user": api.user_id} and "user" not in created
        everything = json.dumps(events(api))
        assert secret not in everything and ok.json()["access_token"] not in everything
        assert api.token not in everything


class TestReading:
    def test_filters_paging_and_order(self, api: Api) -> None:
        for name in ("s1", "s2", "s3"):
            sandbox(api, name)
        all_events = events(api, "action==sandbox.create")
        assert [e["sandboxName"] for e in all_events] == ["s3", "s2", "s1"]
        oldest_first = events(api, "action==sandbox.create", orderby="timestamp")
        assert [e["sandboxName"] for e in oldest_first] == ["s1", "s2", "s3"]
        assert [e["sandboxName"] for e in events(api, "sandboxName==s2")] == ["s2"]
        middle = all_events[1]["timestamp"]
        later = events(api, "action==sandbox.create", f"timestamp>={middle}")
        assert {e["sandboxName"] for e in later} >= {"s2", "s3"}
        epoch = int(time.time() * 1000) + 60_000
        assert events(api, f"timestamp>={epoch}") == []
        assert len(events(api, f"user=={api.user_id}", "action==sandbox.create")) == 3
        assert events(api, "user==nobody@example.com") == []
        page = api.get(AUDIT, params={"property": "action==sandbox.create", "limit": 2}).json()
        assert page["totalElements"] == 3 and len(page["data"]) == 2 and page["hasNextPage"]
        rest = api.get(
            AUDIT, params={"property": "action==sandbox.create", "limit": 2, "start": 2}
        ).json()
        assert [e["sandboxName"] for e in rest["data"]] == ["s1"] and not rest["hasNextPage"]

    def test_bad_filters_are_400(self, api: Api) -> None:
        for params in (
            {"property": "action==package.explode"},
            {"property": "secret==x"},
            {"property": "timestamp>=yesterday"},
            {"orderby": "user"},
            {"limit": 0},
        ):
            r = api.get(AUDIT, params=params)
            assert r.status_code == 400, (params, r.text)

    def test_the_log_cannot_be_changed(self, api: Api) -> None:
        sandbox(api, "dev")
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            assert api.request(method, AUDIT).status_code == 405
        event = one(api, "sandbox.create")
        assert api.request("DELETE", f"{AUDIT}/{event['id']}").status_code == 404
        assert one(api, "sandbox.create") == event


class TestWhoReads:
    def test_audit_read_is_needed(self, client: TestClient, state: Runtime) -> None:
        make_api(client, state, ORG_A, "alpha")
        viewer = user_with(client, state, "viewers", ["Package:view"])
        r = viewer.get(AUDIT)
        assert r.status_code == 403 and r.json()["error"] == "PermissionDenied"
        auditor = user_with(client, state, "auditors", ["Audit:read"])
        assert auditor.get(AUDIT).json()["totalElements"] > 0

    def test_a_sandbox_scoped_reader_sees_its_sandboxes_only(
        self, client: TestClient, state: Runtime
    ) -> None:
        admin = make_api(client, state, ORG_A, "alpha")
        sandbox(admin, "dev")
        sandbox(admin, "stage")
        scoped = user_with(client, state, "dev-auditors", ["Audit:read"], ["dev"])
        seen = events(scoped)
        assert seen and {e["sandboxName"] for e in seen} == {"dev"}
        assert events(scoped, "sandboxName==stage") == []

    def test_an_org_sees_only_its_own_events(self, api: Api, api_b: Api) -> None:
        sandbox(api, "dev")
        assert events(api_b, "action==sandbox.create") == []
        assert all(e["imsOrgId"] == api_b.org_id for e in events(api_b))


class TestSameTransaction:
    def test_a_rolled_back_change_leaves_no_event(self, api: Api, state: Runtime) -> None:
        with state.db.session() as session:
            org = identity_service.require_org(session, api.org_id)
            user = identity_service.require_user(session, api.org_id, api.user_id)
            principal = Principal(
                org=org,
                user=user,
                client_id=api.client_id,
                roles=identity_repository.roles_of(session, user.pk),
            )
            sandbox_service.create(session, principal, name="ghost", title="g", type_="development")
            session.rollback()
        assert events(api, "action==sandbox.create") == []
        assert api.get(f"{SM}/ghost").status_code == 404

    def test_a_refused_change_leaves_no_event(self, api: Api) -> None:
        sandbox(api, "dev")
        r = api.post(SM, json={"name": "dev", "title": "again", "type": "development"})
        assert r.status_code == 409
        assert len(events(api, "action==sandbox.create")) == 1
