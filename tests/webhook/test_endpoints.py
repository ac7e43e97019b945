"""Webhook endpoints: registration (the secret shown once), validation and the SSRF policy at
registration, permissions, isolation between orgs, deletion."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.runtime import Runtime
from tests.helpers import ORG_A, Api, make_api
from tests.webhook.conftest import Receiver

W = "/data/foundation/exim/webhooks"
AUDIT = "/data/foundation/audit/events"


def register(api: Api, url: str, events: list[str] | None = None) -> dict:
    r = api.post(W, json={"url": url, "events": events or ["handshake.requested"]})
    assert r.status_code == 201, r.text
    return dict(r.json())


def user_with(
    client: TestClient, state: Runtime, name: str, permissions: list[str], sandboxes=None
) -> Api:
    with state.db.transaction() as s:
        identity_service.create_role(
            s, org_id=ORG_A, name=name, permissions=permissions, sandboxes=sandboxes
        )
    return make_api(
        client, state, ORG_A, "alpha", user_id=f"{name}@a", roles=(name,), create_org=False
    )


class TestCreate:
    def test_the_secret_is_shown_once(self, api: Api, receiver: Receiver) -> None:
        created = register(api, receiver.url, ["job.succeeded", "job.failed"])
        assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
        assert created["url"] == receiver.url
        assert created["events"] == ["job.succeeded", "job.failed"]
        assert created["imsOrgId"] == api.org_id and created["createdBy"] == api.user_id
        got = api.get(f"{W}/{created['id']}").json()
        listed = api.get(W).json()["data"]
        assert "secret" not in got and all("secret" not in w for w in listed)
        assert {k: v for k, v in created.items() if k != "secret"} == got
        # Nor is it in the audit log, which records the URL's origin only.
        events = api.get(AUDIT, params={"property": "action==webhook.create"}).json()["data"]
        assert len(events) == 1 and created["secret"] not in json.dumps(events)
        assert events[0]["details"]["origin"] == receiver.url.rsplit("/", 1)[0]
        assert "/hook" not in json.dumps(events)

    def test_duplicate_events_are_kept_once(self, api: Api, receiver: Receiver) -> None:
        created = register(api, receiver.url, ["job.failed", "job.failed", "job.succeeded"])
        assert created["events"] == ["job.failed", "job.succeeded"]

    @pytest.mark.parametrize(
        ("body", "error"),
        [
            ({"url": "ftp://127.0.0.1/x", "events": ["job.failed"]}, "ValidationFailed"),
            ({"url": "http://127.0.0.1/x", "events": ["job.exploded"]}, "ValidationFailed"),
            ({"url": "http://127.0.0.1/x", "events": []}, "ValidationFailed"),
            ({"url": "http://127.0.0.1/x"}, "ValidationFailed"),
            ({"url": "http://127.0.0.1/x", "events": ["job.failed"], "x": 1}, "ValidationFailed"),
            ({"url": "http://u:p@127.0.0.1/x", "events": ["job.failed"]}, "InvalidWebhookUrl"),
            ({"url": "http://127.0.0.1/x#frag", "events": ["job.failed"]}, "InvalidWebhookUrl"),
            ({"url": "http://127.0.0.1:99999/", "events": ["job.failed"]}, "InvalidWebhookUrl"),
            ({"url": "http:///nohost", "events": ["job.failed"]}, "InvalidWebhookUrl"),
            # Not among SBX_WEBHOOK_ALLOWED_HOSTS (the tests allow 127.0.0.1 only).
            ({"url": "https://example.com/h", "events": ["job.failed"]}, "WebhookTargetRefused"),
            ({"url": "http://10.0.0.7/h", "events": ["job.failed"]}, "WebhookTargetRefused"),
            ({"url": "http://localhost/h", "events": ["job.failed"]}, "WebhookTargetRefused"),
        ],
    )
    def test_invalid_bodies_are_400(self, api: Api, body: dict, error: str) -> None:
        r = api.post(W, json=body)
        assert r.status_code == 400, r.text
        assert r.json()["error"] == error

    def test_private_targets_are_refused_by_default(
        self, api: Api, settings, state: Runtime
    ) -> None:
        state.settings.webhook_allowed_hosts = []
        state.settings.webhook_allow_loopback = False
        for url in (
            "http://127.0.0.1:8080/h",
            "http://[::1]/h",
            "http://10.1.2.3/h",
            "http://192.168.0.1/h",
            "http://169.254.169.254/latest/meta-data",
            "http://0.0.0.0/h",
            "http://[::ffff:10.0.0.1]/h",
            "http://app.localhost/h",
        ):
            r = api.post(W, json={"url": url, "events": ["job.failed"]})
            assert r.status_code == 400, (url, r.text)
            assert r.json()["error"] == "WebhookTargetRefused", url
        assert api.get(W).json()["totalElements"] == 0

    def test_an_org_holds_a_bounded_number(self, api: Api, state: Runtime) -> None:
        state.settings.webhook_max_per_org = 3
        for _ in range(3):
            register(api, "http://127.0.0.1:9/h")
        r = api.post(W, json={"url": "http://127.0.0.1:9/h", "events": ["job.failed"]})
        assert r.status_code == 409 and r.json()["error"] == "TooManyWebhooks"


class TestPermissions:
    def test_without_the_webhook_permission_403(self, client, state: Runtime) -> None:
        make_api(client, state, ORG_A, "alpha")
        viewer = user_with(client, state, "pkg-viewers", ["Package:view"])
        assert viewer.get(W).status_code == 403
        r = viewer.post(W, json={"url": "http://127.0.0.1:9/h", "events": ["job.failed"]})
        assert r.status_code == 403 and r.json()["error"] == "PermissionDenied"

    def test_view_is_not_manage(self, client, state: Runtime) -> None:
        admin = make_api(client, state, ORG_A, "alpha")
        hook = register(admin, "http://127.0.0.1:9/h")
        reader = user_with(client, state, "hook-readers", ["Webhook:view"])
        assert reader.get(W).json()["totalElements"] == 1
        assert reader.get(f"{W}/{hook['id']}/deliveries").status_code == 200
        assert reader.delete(f"{W}/{hook['id']}").status_code == 403
        manager = user_with(client, state, "hook-managers", ["Webhook:view,manage"])
        assert manager.delete(f"{W}/{hook['id']}").status_code == 200

    def test_a_role_limited_to_sandboxes_does_not_cover_webhooks(
        self, client, state: Runtime
    ) -> None:
        make_api(client, state, ORG_A, "alpha")
        scoped = user_with(client, state, "prod-hooks", ["Webhook:view,manage"], ["prod"])
        r = scoped.post(W, json={"url": "http://127.0.0.1:9/h", "events": ["job.failed"]})
        assert r.status_code == 403 and "every sandbox" in r.json()["detail"]


class TestIsolationAndDelete:
    def test_another_orgs_webhook_is_not_found(self, api: Api, api_b: Api) -> None:
        hook = register(api, "http://127.0.0.1:9/h")
        assert api_b.get(f"{W}/{hook['id']}").status_code == 404
        assert api_b.get(f"{W}/{hook['id']}/deliveries").status_code == 404
        assert api_b.delete(f"{W}/{hook['id']}").status_code == 404
        assert api_b.get(W).json()["totalElements"] == 0
        assert api.get(W).json()["totalElements"] == 1

    def test_delete(self, api: Api) -> None:
        hook = register(api, "http://127.0.0.1:9/h")
        r = api.delete(f"{W}/{hook['id']}")
        assert r.status_code == 200 and r.json() == {"reason": f"Webhook {hook['id']} deleted"}
        assert api.get(f"{W}/{hook['id']}").status_code == 404
        assert api.delete(f"{W}/{hook['id']}").status_code == 404
        actions = [e["action"] for e in api.get(AUDIT).json()["data"]]
        assert actions.count("webhook.delete") == 1

    def test_list_paging_and_filters(self, api: Api) -> None:
        for _ in range(3):
            register(api, "http://127.0.0.1:9/h")
        page = api.get(W, params={"limit": 2}).json()
        assert page["totalElements"] == 3 and len(page["data"]) == 2 and page["hasNextPage"]
        mine = api.get(W, params={"property": f"createdBy=={api.user_id}"}).json()
        assert mine["totalElements"] == 3
        assert api.get(W, params={"property": "url==x"}).status_code == 400
