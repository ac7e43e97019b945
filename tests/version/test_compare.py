"""The compare job (VERSION/COMPUTE): deltas against the source or a target, vertices,
unsupported changes, reuse of a finished compare, bad requests."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.helpers import Api, run_import
from tests.version.helpers import FIELD, P, change_source, compare, deltas, url


class TestCompare:
    def test_against_source(self, api: Api, world: dict[str, str]) -> None:
        pid = world["pkg"]
        job = compare(api, pid)
        assert job["deltaPackageVersion"]["eximGraphDelta"] == {"vertices": [], "pluginDeltas": []}
        change_source(api, world)
        job = compare(api, pid, triggerNew=True)
        found = deltas(job)
        assert set(found) == {world["fg"], world["schema"]}
        assert found[world["fg"]] == [
            {"op": "add", "path": f"{FIELD}/points", "newValue": {"type": "integer"}}
        ]
        assert found[world["schema"]] == [
            {"op": "add", "path": "/description", "newValue": "Members, now with points"}
        ]
        dv = job["deltaPackageVersion"]
        assert dv["packageId"] == pid and dv["currentVersion"] == 0 and dv["validated"] is True
        assert {a["id"] for a in dv["rootArtifacts"]} == {world["schema"], world["fg"]}

    def test_against_target(self, api: Api, world: dict[str, str]) -> None:
        pid = world["pkg"]
        imported = run_import(api, pid)
        m = imported["importReplacementMap"]
        job = compare(api, pid, targetSandbox="dev")
        assert deltas(job) == {}  # ids compared after mapping: a remapped reference is no change
        change_source(api, world)
        job = compare(api, pid, targetSandbox="dev", triggerNew=True)
        found = deltas(job)
        assert set(found) == {world["fg"], world["schema"]}
        assert found[world["fg"]] == [
            {"op": "add", "path": f"{FIELD}/points", "newValue": {"type": "integer"}}
        ]
        assert found[world["schema"]] == [
            {"op": "add", "path": "/description", "newValue": "Members, now with points"}
        ]
        d = next(
            d
            for d in job["deltaPackageVersion"]["eximGraphDelta"]["pluginDeltas"]
            if d["sourceArtifact"]["id"] == world["schema"]
        )
        assert d["targetArtifact"] == {
            "id": m[world["schema"]],
            "type": "REGISTRY_SCHEMA",
            "found": False,
            "count": 0,
            "title": "Members",
        }
        assert job["importReplacementMap"] == m
        assert job["destinationSandbox"]["name"] == "dev"

    def test_joined_closure_is_a_vertex(self, api: Api, world: dict[str, str]) -> None:
        pid = world["pkg"]
        run_import(api, pid)
        dt2 = api.create("REGISTRY_DATATYPE", f.datatype("Extra"))
        fg = api.get(url("REGISTRY_MIXIN", world["fg"])).json()["definition"]
        fg["definitions"]["main"]["properties"]["_alpha"]["properties"]["extra"] = {"$ref": dt2}
        api.put(url("REGISTRY_MIXIN", world["fg"]), json=fg)
        job = compare(api, pid, targetSandbox="dev", triggerNew=True)
        vertices = job["deltaPackageVersion"]["eximGraphDelta"]["vertices"]
        assert vertices == [
            {
                "artifact": {
                    "id": dt2,
                    "type": "REGISTRY_DATATYPE",
                    "found": False,
                    "count": 0,
                    "title": "Extra",
                },
                "change": "ADDED",
            }
        ]

    def test_trigger_new_false_reuses_a_finished_compare(
        self, api: Api, world: dict[str, str]
    ) -> None:
        pid = world["pkg"]
        first = compare(api, pid)
        again = api.post(f"{P}/{pid}/version/compare", json={"triggerNew": False}).json()["object"]
        assert again["id"] == first["id"] and again["jobStatus"] == "SUCCESS"
        assert "deltaPackageVersion" in again
        new = compare(api, pid, triggerNew=True)
        assert new["id"] != first["id"]
        other = compare(api, pid, targetSandbox="dev")
        assert other["id"] not in (first["id"], new["id"])
        assert (
            api.request("PATCH", f"{P}/{pid}/version/compare", json={}).json()["object"]["id"]
            == new["id"]
        )

    def test_unsupported_change_not_validated(self, api: Api, world: dict[str, str]) -> None:
        pid = world["pkg"]
        run_import(api, pid)
        fg = api.get(url("REGISTRY_MIXIN", world["fg"])).json()["definition"]
        del fg["definitions"]["main"]["properties"]["_alpha"]["properties"]["loyaltyId"]
        api.put(url("REGISTRY_MIXIN", world["fg"]), json=fg)
        job = compare(api, pid, targetSandbox="dev", triggerNew=True)
        dv = job["deltaPackageVersion"]
        assert dv["validated"] is False
        d = dv["eximGraphDelta"]["pluginDeltas"][0]
        assert d["unsupportedChanges"] == [
            {
                "path": f"{FIELD}/loyaltyId",
                "message": "removing (or moving) a field is not supported",
            }
        ]

    @pytest.mark.parametrize(
        ("body", "status", "word"),
        [
            ({"targetSandbox": "nowhere"}, 400, "targetSandbox"),
            ({"packageVersion": 7}, 400, "packageVersion"),
            ({"triggerNew": "soon"}, 400, "triggerNew"),
            ({"colour": 1}, 400, "colour"),
            (
                {"overwriteMappings": {"x": {"id": "y", "type": "REGISTRY_SCHEMA"}}},
                400,
                "overwriteMappings",
            ),
        ],
    )
    def test_bad_compare(
        self, api: Api, world: dict[str, str], body: dict, status: int, word: str
    ) -> None:
        r = api.post(f"{P}/{world['pkg']}/version/compare", json=body)
        assert r.status_code == status, r.text
        assert word in r.json()["detail"]
