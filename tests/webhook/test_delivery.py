"""Webhook deliveries, end to end against a loopback receiver: events emitted with the change,
signed bodies, attempts listed per endpoint, retries with backoff, giving up, and delivery jobs
kept out of the package job lists."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import text

from sandbox_tooling.job import repository as job_repository
from sandbox_tooling.runtime import Runtime
from sandbox_tooling.webhook import signing
from tests import factories as f
from tests.helpers import Api, package
from tests.sharing.helpers import H, T, link, wait_transfer
from tests.webhook.conftest import Receiver

W = "/data/foundation/exim/webhooks"
P = "/data/foundation/exim/packages"


def register(api: Api, url: str, events: list[str]) -> dict[str, Any]:
    r = api.post(W, json={"url": url, "events": events})
    assert r.status_code == 201, r.text
    return dict(r.json())


def deliveries(api: Api, hook_id: str, **params: Any) -> list[dict[str, Any]]:
    r = api.get(f"{W}/{hook_id}/deliveries", params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["data"])


def wait_deliveries(
    api: Api, hook_id: str, n: int, status: str | None = None, timeout: float = 15
) -> list[dict[str, Any]]:
    """The webhook's deliveries once ``n`` of them are finished (or in ``status``)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = deliveries(api, hook_id)
        done = [d for d in rows if (d["status"] == status if status else d["status"] != "PENDING")]
        if len(done) >= n:
            return rows
        assert time.monotonic() < deadline, rows
        time.sleep(0.02)


def request_link(a: Api, b: Api) -> dict[str, Any]:
    return link(a, b, approve=False)


class TestSigned:
    def test_handshake_requested_reaches_both_orgs_signed(
        self, api: Api, api_b: Api, receiver: Receiver, receiver_b: Receiver
    ) -> None:
        hook_a = register(api, receiver.url, ["handshake.requested"])
        hook_b = register(api_b, receiver_b.url, ["handshake.requested", "handshake.approved"])
        created = request_link(api, api_b)
        (got_a,) = receiver.wait(1)
        (got_b,) = receiver_b.wait(1)
        for got, hook, org in ((got_a, hook_a, api.org_id), (got_b, hook_b, api_b.org_id)):
            h = got.headers
            assert got.path == "/hook"
            assert h["Content-Type"] == "application/json"
            assert h["X-Sbx-Event"] == "handshake.requested"
            assert h["X-Sbx-Webhook"] == hook["id"]
            assert h["User-Agent"].startswith("sbx-webhooks/")
            assert abs(int(h["X-Sbx-Timestamp"]) - time.time()) < 60
            # The documented recipe: HMAC-SHA256 over "<timestamp>.<body>" with the secret.
            assert signing.verify(
                hook["secret"],
                got.body,
                h["X-Sbx-Timestamp"],
                h["X-Sbx-Signature"],
                now=time.time(),
            )
            assert not signing.verify(
                hook["secret"] + "x",
                got.body,
                h["X-Sbx-Timestamp"],
                h["X-Sbx-Signature"],
                now=time.time(),
            )
            body = got.json()
            assert body["event"] == "handshake.requested" and body["imsOrgId"] == org
            assert body["timestamp"].endswith("Z") and len(body["id"]) == 32
            assert body["data"] == {
                "linkingId": created["linkingId"],
                "status": "APPROVAL_PENDING",
                "sourceIMSOrgId": api.org_id,
                "targetIMSOrgId": api_b.org_id,
                "actionTakenBy": api.user_id,
            }
            (delivery,) = wait_deliveries(api if org == api.org_id else api_b, hook["id"], 1)
            assert delivery["id"] == h["X-Sbx-Delivery"]
            assert delivery["eventId"] == body["id"]
            assert delivery["status"] == "SUCCEEDED" and "nextAttemptDate" not in delivery
            (attempt,) = delivery["attempts"]
            assert attempt["number"] == 1 and attempt["statusCode"] == 200
            assert attempt["response"] == "answered 200" and "error" not in attempt
        # Each org has its own event (its own id and imsOrgId), about the same link.
        assert got_a.json()["id"] != got_b.json()["id"]
        assert got_a.json()["data"] == got_b.json()["data"]

    def test_only_subscribed_events_are_sent(
        self, api: Api, api_b: Api, receiver: Receiver
    ) -> None:
        hook = register(api_b, receiver.url, ["handshake.approved"])
        link(api, api_b)  # requested (not subscribed), then approved
        (got,) = receiver.wait(1)
        assert got.headers["X-Sbx-Event"] == "handshake.approved"
        assert got.json()["data"]["status"] == "APPROVED"
        assert got.json()["data"]["reason"] == "partners"
        wait_deliveries(api_b, hook["id"], 1)
        time.sleep(0.3)
        assert len(receiver.received) == 1 and len(deliveries(api_b, hook["id"])) == 1


class TestJobEvents:
    def test_publish_sends_job_succeeded_and_package_published(
        self, api: Api, receiver: Receiver, state: Runtime
    ) -> None:
        hook = register(api, receiver.url, ["job.succeeded", "package.published", "job.failed"])
        schema = api.create("REGISTRY_SCHEMA", f.schema())
        pid = package(api, [("REGISTRY_SCHEMA", schema)])
        receiver.wait(2)
        wait_deliveries(api, hook["id"], 2)
        (job,) = [r.json()["data"] for r in receiver.events("job.succeeded")]
        (pkg,) = [r.json()["data"] for r in receiver.events("package.published")]
        assert job["requestType"] == "EXPORT" and job["jobType"] == "NEW"
        assert job["jobStatus"] == "SUCCESS" and job["packageId"] == pid
        assert job["sourceSandbox"] == {"name": "prod", "imsOrgId": api.org_id}
        assert "errorMessage" not in job
        assert pkg["id"] == pid and pkg["status"] == "PUBLISHED" and pkg["packageVersion"] == 0
        assert pkg["name"] == "pkg" and pkg["packageType"] == "PARTIAL"
        assert not receiver.events("job.failed")
        # The delivery jobs are the service's own: not in the package job lists.
        jobs = api.get(f"{P}/jobs").json()["data"]
        assert [j["requestType"] for j in jobs] == ["EXPORT"]
        with state.db.transaction(write=False) as s:
            ids = s.execute(text("SELECT id FROM jobs WHERE request_type='WEBHOOK'")).scalars()
            delivery_jobs = list(ids)
        assert len(delivery_jobs) == 2
        for job_id in delivery_jobs:
            assert api.get(f"/data/foundation/exim/tools/job/{job_id}").status_code == 404
        assert api.get(f"{P}/jobs", params={"property": "requestType==WEBHOOK"}).status_code == 400

    def test_failed_publish_sends_job_failed(self, api: Api, receiver: Receiver) -> None:
        register(api, receiver.url, ["job.failed", "package.published"])
        schema = api.create("REGISTRY_SCHEMA", f.schema())
        r = api.post(
            P,
            json={
                "name": "doomed",
                "packageType": "PARTIAL",
                "artifacts": [{"id": schema, "type": "REGISTRY_SCHEMA"}],
            },
        )
        pid = r.json()["id"]
        assert (
            api.delete(f"/data/foundation/registry/objects/REGISTRY_SCHEMA/{schema}").status_code
            == 204
        )
        assert api.publish(pid)["jobStatus"] == "FAILED"
        (got,) = receiver.wait(1)
        data = got.json()["data"]
        assert got.headers["X-Sbx-Event"] == "job.failed"
        assert data["jobStatus"] == "FAILED" and data["packageId"] == pid
        assert "no longer in source sandbox" in data["errorMessage"]
        time.sleep(0.3)
        assert not receiver.events("package.published")


class TestTransfers:
    def test_completed_transfer_reaches_both_orgs(
        self, api: Api, api_b: Api, receiver: Receiver, receiver_b: Receiver
    ) -> None:
        register(api, receiver.url, ["transfer.completed"])
        register(api_b, receiver_b.url, ["transfer.completed"])
        link(api, api_b)
        schema = api.create("REGISTRY_SCHEMA", f.schema())
        pid = package(api, [("REGISTRY_SCHEMA", schema)])
        r = api.post(T, json={"packageId": pid, "targets": [{"imsOrgId": api_b.org_id}]})
        transfer = wait_transfer(api, r.json()[0]["id"])
        assert transfer["status"] == "COMPLETED"
        for rec in (receiver, receiver_b):
            (got,) = rec.wait(1)
            data = got.json()["data"]
            assert data["id"] == transfer["id"] and data["status"] == "COMPLETED"
            assert data["targetPackageId"] == transfer["targetPackageId"]
            assert data["sourceIMSOrgId"] == api.org_id

    def test_failed_transfer_tells_an_unlinked_target_nothing(
        self, api: Api, api_b: Api, receiver: Receiver, receiver_b: Receiver
    ) -> None:
        register(api, receiver.url, ["transfer.failed"])
        register(api_b, receiver_b.url, ["transfer.failed", "handshake.requested"])
        schema = api.create("REGISTRY_SCHEMA", f.schema())
        pid = package(api, [("REGISTRY_SCHEMA", schema)])
        r = api.post(T, json={"packageId": pid, "targets": [{"imsOrgId": api_b.org_id}]})
        transfer = wait_transfer(api, r.json()[0]["id"])
        assert transfer["status"] == "FAILED"
        (got,) = receiver.wait(1)
        assert got.json()["data"]["status"] == "FAILED"
        assert "no approved link" in got.json()["data"]["failureReason"]
        # Org B learns of a later link request, and of nothing before it.
        request_link(api, api_b)
        (first,) = receiver_b.wait(1)
        assert first.headers["X-Sbx-Event"] == "handshake.requested"


class TestRetries:
    def test_failures_are_retried_with_backoff(
        self, api: Api, api_b: Api, receiver: Receiver
    ) -> None:
        receiver.script.extend([500, 503])
        hook = register(api, receiver.url, ["handshake.requested"])
        request_link(api, api_b)
        got = receiver.wait(3)
        (delivery,) = wait_deliveries(api, hook["id"], 1)
        assert delivery["status"] == "SUCCEEDED"
        assert [a["statusCode"] for a in delivery["attempts"]] == [500, 503, 200]
        assert [a["number"] for a in delivery["attempts"]] == [1, 2, 3]
        assert delivery["attempts"][0]["response"] == "answered 500"
        # Exponential backoff: 0.05 s, then 0.1 s (tests/conftest.py).
        assert got[1].at - got[0].at >= 0.05 and got[2].at - got[1].at >= 0.1
        # Same event, same body, a fresh signature each time.
        assert len({r.body for r in got}) == 1
        assert len({r.headers["X-Sbx-Delivery"] for r in got}) == 1
        for r in got:
            assert signing.verify(
                hook["secret"],
                r.body,
                r.headers["X-Sbx-Timestamp"],
                r.headers["X-Sbx-Signature"],
                now=time.time(),
            )

    def test_gives_up_after_max_attempts(
        self, api: Api, api_b: Api, receiver: Receiver, state: Runtime
    ) -> None:
        receiver.default = 500
        hook = register(api, receiver.url, ["handshake.requested"])
        request_link(api, api_b)
        (delivery,) = wait_deliveries(api, hook["id"], 1)
        assert delivery["status"] == "FAILED" and "completedDate" in delivery
        assert [a["statusCode"] for a in delivery["attempts"]] == [500, 500, 500]
        time.sleep(0.3)
        assert len(receiver.received) == 3  # SBX_WEBHOOK_MAX_ATTEMPTS in the tests
        with state.db.transaction(write=False) as s:
            job_id = s.execute(text("SELECT job_id FROM webhook_deliveries")).scalar_one()
            job = job_repository.get(s, job_id)
            assert job is not None
            assert job.status == "FAILED" and job.attempts == 3
            assert job.error == "attempt 3 of 3: HTTP 500"

    def test_an_unreachable_target_is_retried(self, api: Api, api_b: Api) -> None:
        hook = register(api, "http://127.0.0.1:9/closed", ["handshake.requested"])
        request_link(api, api_b)
        (delivery,) = wait_deliveries(api, hook["id"], 1)
        assert delivery["status"] == "FAILED"
        assert len(delivery["attempts"]) == 3
        assert all("statusCode" not in a and a["error"] for a in delivery["attempts"])

    def test_a_target_refused_at_delivery_is_not_retried(
        self, api: Api, api_b: Api, receiver: Receiver, state: Runtime
    ) -> None:
        hook = register(api, receiver.url, ["handshake.requested"])
        state.settings.webhook_allow_loopback = False  # the policy changed since
        request_link(api, api_b)
        (delivery,) = wait_deliveries(api, hook["id"], 1)
        assert delivery["status"] == "FAILED"
        (attempt,) = delivery["attempts"]
        assert "loopback" in attempt["error"]
        assert receiver.received == []


class TestOutbox:
    def test_deleting_the_webhook_drops_its_pending_deliveries(
        self, api: Api, api_b: Api, receiver: Receiver, state: Runtime
    ) -> None:
        hook = register(api, receiver.url, ["handshake.requested"])
        state.jobs.stop()  # the change commits, its delivery is not sent yet
        request_link(api, api_b)
        with state.db.transaction(write=False) as s:
            assert s.execute(text("SELECT count(*) FROM webhook_deliveries")).scalar() == 1
        assert api.delete(f"{W}/{hook['id']}").status_code == 200
        with state.db.transaction(write=False) as s:
            assert s.execute(text("SELECT count(*) FROM webhook_deliveries")).scalar() == 0
        state.jobs.start()
        assert state.jobs.wait_idle(15)
        assert receiver.received == []
        with state.db.transaction(write=False) as s:
            status = s.execute(text("SELECT status FROM jobs WHERE request_type='WEBHOOK'"))
            assert status.scalar_one() == "FAILED"

    def test_a_delivery_committed_but_not_submitted_is_sent_after_restart(
        self, api: Api, api_b: Api, receiver: Receiver, state: Runtime
    ) -> None:
        register(api, receiver.url, ["handshake.requested"])
        state.jobs.stop()
        request_link(api, api_b)
        time.sleep(0.2)
        assert receiver.received == []
        state.jobs.start()  # the runner's recovery submits the pending delivery job
        receiver.wait(1)

    def test_a_refused_change_emits_nothing(self, api: Api, api_b: Api, receiver: Receiver) -> None:
        hook = register(api_b, receiver.url, ["handshake.approved", "handshake.rejected"])
        created = request_link(api, api_b)
        body = {
            "linkingID": created["linkingId"],
            "status": "APPROVED",
            "reason": "ok",
            "targetIMSOrgDetails": {"id": api_b.org_id, "name": "wrong name", "region": "va7"},
        }
        assert api_b.post(f"{H}/action", json=body).status_code == 400
        time.sleep(0.3)
        assert receiver.received == [] and deliveries(api_b, hook["id"]) == []
