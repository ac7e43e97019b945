"""The publish job (EXPORT/NEW): the snapshot's closure, order, manifest and redaction;
FULL packages; failure when a root vanished."""

from __future__ import annotations

import orjson

from sandbox_tooling.models import PackageVersion
from sandbox_tooling.package import snapshot
from sandbox_tooling.runtime import Runtime as AppState
from tests import factories as f
from tests.helpers import Api
from tests.package.helpers import SPEC_3_1_FIELDS, P, make_package


class TestPublish:
    def test_publish_partial(
        self, api: Api, state: AppState, pkg: dict, world: dict[str, str]
    ) -> None:
        r = api.get(f"{P}/{pkg['id']}/export?expiryPeriod=30")
        assert r.status_code == 200
        body = r.json()
        assert set(body) == {
            "name",
            "description",
            "visibility",
            "sourceSandbox",
            "type",
            "correlationId",
            "jobId",
        }
        job = api.wait_job(body["jobId"])
        assert job["jobStatus"] == "SUCCESS" and job["requestType"] == "EXPORT"
        assert job["jobType"] == "NEW" and job["snapshotId"] == body["correlationId"]
        got = api.get(f"{P}/{pkg['id']}").json()
        assert got["status"] == "PUBLISHED" and got["latestPackageVersion"] == 0
        assert got["expiry"] == got["publishDate"] + 30 * 86_400_000
        assert SPEC_3_1_FIELDS | {"publishDate"} <= set(got)
        with state.db.transaction(write=False) as s:
            version = s.query(PackageVersion).filter_by(package_id=pkg["id"]).one()
            assert snapshot.verify(state.blobs, version)
            arts = list(snapshot.iter_artifacts(state.blobs, version))
            manifest = snapshot.read_manifest(state.blobs, version)
        keys = {(a["type"], a["id"]) for a in arts}
        for k in f.JOURNEY_CLOSURE:
            assert any(i == world[k] for _t, i in keys), k
        assert ("FLOW", world["flow"]) not in keys and (
            "DULE_CONSENT_POLICY",
            world["policy"],
        ) not in keys
        order = [a["id"] for a in arts]
        assert order.index(world["schema"]) < order.index(world["ds"]) < order.index(world["merge"])
        assert order.index(world["dt"]) < order.index(world["fg"]) < order.index(world["schema"])
        assert manifest["contentHash"] == version.content_hash
        assert manifest["artifactCount"] == len(arts) == job["snapshot"]["artifactCount"]
        assert job["snapshot"]["contentHash"] == version.content_hash
        assert (
            ("REGISTRY_SCHEMA", world["schema"]),
            ("REGISTRY_DESCRIPTOR", world["desc"]),
        ) in set(snapshot.edge_keys(manifest))

    def test_secrets_are_not_in_snapshot(self, api: Api, state: AppState, world: dict) -> None:
        p = make_package(api, [{"id": world["flow"], "type": "FLOW"}])
        assert api.publish(p["id"])["jobStatus"] == "SUCCESS"
        with state.db.transaction(write=False) as s:
            version = s.query(PackageVersion).filter_by(package_id=p["id"]).one()
        raw = state.blobs.get(version.artifacts_key)
        assert b"hunter2" not in raw and b"SBX_REDACTED_SECRET" in raw
        flow = next(a for a in map(orjson.loads, raw.splitlines()) if a["type"] == "FLOW")
        assert (
            flow["definition"]["sourceConnections"][0]["baseConnection"]["auth"]["params"][
                "username"
            ]
            == "{{SBX_REDACTED_SECRET}}"
        )
        # the source object itself keeps its credentials
        r = api.get(f"/data/foundation/registry/objects/FLOW/{world['flow']}")
        assert "hunter2" in r.text

    def test_publish_full(self, api: Api, state: AppState, world: dict[str, str]) -> None:
        full = api.post(P, json={"name": "full", "packageType": "FULL"}).json()
        job = api.publish(full["id"])
        assert job["jobStatus"] == "SUCCESS"
        with state.db.transaction(write=False) as s:
            version = s.query(PackageVersion).filter_by(package_id=full["id"]).one()
        types = {a["type"] for a in snapshot.iter_artifacts(state.blobs, version)}
        assert "JOURNEY" not in types
        assert version.artifact_count == len(world) - 1  # everything but the journey

    def test_publish_fails_when_root_vanished(self, api: Api, world: dict) -> None:
        p = make_package(api, [{"id": world["policy"], "type": "DULE_CONSENT_POLICY"}])
        assert (
            api.delete(
                f"/data/foundation/registry/objects/DULE_CONSENT_POLICY/{world['policy']}"
            ).status_code
            == 204
        )
        job = api.publish(p["id"])
        assert job["jobStatus"] == "FAILED" and world["policy"] in job["errorMessage"]
        got = api.get(f"{P}/{p['id']}").json()
        assert got["status"] == "PUBLISH_FAILED" and world["policy"] in got["failureReason"]
