"""Import submissions over HTTP: both request forms, job names, and every refusal."""

from __future__ import annotations

from sqlalchemy import text

from sandbox_tooling.runtime import Runtime as AppState
from tests import factories as f
from tests.helpers import Api, package, run_import, submit

P = "/data/foundation/exim/packages"


class TestSubmit:
    def test_form_with_target_in_query(self, api: Api, world: dict[str, str]) -> None:
        pid = package(api, [("DULE_CONSENT_POLICY", world["policy"])])
        r = api.post(f"{P}/{pid}/import?targetSandbox=dev")
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {
            "name",
            "description",
            "visibility",
            "sourceSandbox",
            "destinationSandbox",
            "type",
            "correlationId",
            "jobId",
        }
        assert body["destinationSandbox"] == {"name": "dev", "imsOrgId": api.org_id}
        assert api.wait_job(body["jobId"])["jobStatus"] == "SUCCESS"

    def test_job_name_defaults_and_overrides(self, api: Api, world: dict[str, str]) -> None:
        pid = package(api, [("DULE_CONSENT_POLICY", world["policy"])])
        r = submit(api, pid)
        assert r.json()["name"] == "pkg" and r.json()["description"] is None
        r = submit(api, pid, name="my import", description="why")
        assert r.json()["name"] == "my import" and r.json()["description"] == "why"
        jobs = api.get(f"{P}/jobs?property=requestType==IMPORT").json()
        assert jobs["totalElements"] == 2
        assert all(
            j["targetSandbox"] == "dev" and j["sourceSandBox"] == "prod" for j in jobs["data"]
        )


class TestRefusals:
    def test_unpublished_expired_unknown(
        self, api: Api, state: AppState, world: dict[str, str]
    ) -> None:
        draft = api.post(
            P,
            json={
                "name": "draft",
                "packageType": "PARTIAL",
                "artifacts": [{"id": world["policy"], "type": "DULE_CONSENT_POLICY"}],
            },
        ).json()
        assert submit(api, draft["id"]).status_code == 409
        pid = package(api, [("DULE_CONSENT_POLICY", world["policy"])])
        r = submit(api, pid, target="nowhere")
        assert r.status_code == 400 and r.json()["detail"].startswith("destinationSandbox.name")
        r = api.post(
            f"{P}/import",
            json={"id": pid, "destinationSandbox": {"name": "dev", "imsOrgId": "X@AdobeOrg"}},
        )
        assert r.status_code == 400 and "destinationSandbox.imsOrgId" in r.json()["detail"]
        assert api.post(f"{P}/import", json={"id": pid}).status_code == 400
        assert api.post(f"{P}/{pid}/import").status_code == 400  # no targetSandbox
        assert submit(api, "0" * 32).status_code == 404
        with state.db.transaction() as s:
            s.execute(text("UPDATE packages SET expiry = 1 WHERE id = :i"), {"i": pid})
        r = submit(api, pid)
        assert r.status_code == 409 and "expired" in r.json()["detail"]

    def test_bad_alternatives(self, api: Api, world: dict[str, str]) -> None:
        pid = package(api, [("CATALOG_DATASET", world["ds"])])
        ds_alt = api.create("REGISTRY_SCHEMA", f.schema("x"), sandbox="dev")
        cases = [
            (
                {
                    world["schema"]: {
                        "id": "https://ns.adobe.com/alpha/schemas/nope",
                        "type": "REGISTRY_SCHEMA",
                    }
                },
                f"alternatives.{world['schema']}.id",
            ),
            (
                {world["schema"]: {"id": ds_alt, "type": "REGISTRY_MIXIN"}},
                f"alternatives.{world['schema']}.type",
            ),
            (
                {world["policy"]: {"id": ds_alt, "type": "DULE_CONSENT_POLICY"}},
                f"alternatives.{world['policy']}",
            ),
        ]
        for alternatives, field in cases:
            r = submit(api, pid, alternatives=alternatives)
            assert r.status_code == 400, r.text
            assert r.json()["detail"].startswith(field), r.json()
        r = submit(api, pid, alternatives={world["schema"]: {"type": "REGISTRY_SCHEMA"}})
        assert r.status_code == 400
        full = api.post(P, json={"name": "full", "packageType": "FULL"}).json()
        api.publish(full["id"])
        r = submit(
            api,
            full["id"],
            alternatives={world["schema"]: {"id": ds_alt, "type": "REGISTRY_SCHEMA"}},
        )
        assert r.status_code == 400 and "FULL" in r.json()["detail"]

    def test_other_org(self, api: Api, api_b: Api, world: dict[str, str]) -> None:
        pid = package(api, [("DULE_CONSENT_POLICY", world["policy"])])
        job = run_import(api, pid)
        assert submit(api_b, pid, target="prod").status_code == 404
        assert api_b.get(f"{P}/{pid}/import?targetSandbox=prod").status_code == 404
        assert api_b.get(f"{P}/preflight/{pid}?targetSandbox=prod").status_code == 404
        assert api_b.post(f"{P}/jobs/{job['id']}/rollback").status_code == 404
        assert api_b.get(f"{P}/jobs").json()["totalElements"] == 0
