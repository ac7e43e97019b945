"""Snapshots in an S3-compatible bucket (a moto server on 127.0.0.1): publish, import and
share a package with SBX_BLOB_URL=s3://…, and nothing lands in the local blob directory."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import boto3
import pytest

from sandbox_tooling.config import Settings
from tests import factories as f
from tests.helpers import Api, make_bucket, package, run_import, sandbox

EXIM = "/data/foundation/exim"


@pytest.fixture
def bucket(s3_endpoint: str) -> str:
    name = f"sbx-{uuid.uuid4().hex[:12]}"
    make_bucket(s3_endpoint, name)
    return name


@pytest.fixture
def settings(tmp_path: Path, database_url: str, s3_endpoint: str, bucket: str) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        blob_dir=tmp_path / "blobs",
        blob_url=f"s3://{bucket}/sbx",
        s3_endpoint_url=s3_endpoint,
        job_sweep_seconds=0.2,
        max_body_bytes=2 * 1024 * 1024,
    )


def test_publish_import_share_through_s3(
    api: Api, api_b: Api, settings: Settings, s3_endpoint: str, bucket: str
) -> None:
    world = f.seed_world(api)
    sandbox(api, "dev")
    pid = package(api, [("JOURNEY", world["journey"])])
    job = run_import(api, pid)
    assert job["jobStatus"] == "SUCCESS" and job["summary"]["create"] > 5
    link = api.post(
        f"{EXIM}/handshake/bulkCreate",
        json={"targetIMSOrgIds": [api_b.org_id], "sourceIMSDetails": {"id": api.org_id}},
    ).json()["successfulRequests"][api_b.org_id]
    r = api_b.post(
        f"{EXIM}/handshake/action",
        json={
            "linkingID": link["linkingId"],
            "status": "APPROVED",
            "reason": "ok",
            "targetIMSOrgDetails": {"id": api_b.org_id, "name": "Org bravo", "region": "va7"},
        },
    )
    assert r.status_code == 200, r.text
    transfer = api.post(
        f"{EXIM}/transfer", json={"packageId": pid, "targets": [{"imsOrgId": api_b.org_id}]}
    ).json()[0]
    copy = None
    for _ in range(300):  # the transfer job runs in the runner
        got = api.get(f"{EXIM}/transfer/{transfer['id']}").json()
        if got["status"] in ("COMPLETED", "FAILED"):
            copy = got
            break
        time.sleep(0.05)
    assert copy is not None and copy["status"] == "COMPLETED", copy
    sandbox(api_b, "dev")
    assert run_import(api_b, copy["targetPackageId"])["jobStatus"] == "SUCCESS"

    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert all(k.startswith("sbx/snapshots/") for k in keys)
    assert sum(k.endswith("/artifacts.jsonl") for k in keys) == 2  # the package and its copy
    assert sum(k.endswith("/manifest.json") for k in keys) == 2
    local = settings.resolved_blob_dir()
    assert not local.exists() or not any(p.is_file() for p in local.rglob("*"))
