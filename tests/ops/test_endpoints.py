"""Health, readiness, metrics and request ids."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sandbox_tooling.runtime import Runtime
from tests import factories as f
from tests.helpers import Api, package


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_readyz_reports_each_dependency(client: TestClient, state: Runtime) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "database": "ok", "blobs": "ok"}

    class Unreachable:
        def check(self) -> None:
            raise ConnectionError("no route to the bucket")

    real = state.blobs
    state.blobs = Unreachable()  # type: ignore[assignment]
    try:
        r = client.get("/readyz")
    finally:
        state.blobs = real
    assert r.status_code == 503
    assert r.json() == {"status": "unavailable", "database": "ok", "blobs": "unavailable"}


def test_metrics_count_requests_jobs_and_queue(api: Api, client: TestClient) -> None:
    world = f.seed_world(api)
    package(api, [("CATALOG_DATASET", world["ds"])])
    api.get("/data/foundation/exim/packages/nope")
    text = client.get("/metrics").text
    assert (
        'sbx_http_requests_total{method="GET",route="/data/foundation/exim/packages/{package_id}",'
        'status="404"}' in text
    )
    assert 'sbx_http_request_duration_seconds_bucket{le="0.005",method="GET"' in text
    assert 'sbx_jobs_total{job_type="NEW",request_type="EXPORT",status="SUCCESS"}' in text
    assert 'sbx_job_duration_seconds_count{job_type="NEW",request_type="EXPORT"' in text
    assert 'sbx_jobs_queued{status="PENDING"} 0.0' in text


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    r = client.get("/healthz", headers={"x-request-id": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = client.get("/healthz", headers={"x-request-id": "bad id\twith spaces"})
    made = r.headers["x-request-id"]
    assert made != "bad id\twith spaces" and len(made) == 32
