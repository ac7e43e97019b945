"""Bulk loading (issue 10 part 3): ``POST /data/foundation/registry/objects:batch``.

Many objects of mixed types, in any order, as a JSON array or NDJSON; ordered by their
references, validated together and written in one transaction; every offending object
listed with its index, id, type, JSON path and reason.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import orjson
import pytest
from fastapi.testclient import TestClient

from sandbox_tooling.batch import service as batch_service
from sandbox_tooling.runtime import Runtime
from tests import factories as f
from tests.helpers import ORG_A, Api, make_api

BATCH = "/data/foundation/registry/objects:batch"
OBJ = "/data/foundation/registry/objects"
T = "alpha"


def xid(segment: str, name: str) -> str:
    return f"https://ns.adobe.com/{T}/{segment}/{name}"


DT = xid("datatypes", "tier")
FG = xid("mixins", "loyalty")
CLS = xid("classes", "store")
SCHEMA = xid("schemas", "members")
STORES = xid("schemas", "stores")


def inventory() -> list[dict[str, Any]]:
    """A small sandbox inventory in the worst order: every object before what it needs."""
    dataset = f.dataset(SCHEMA)
    dataset["id"] = "5c8c3c555033b814b69f947f"
    return [
        {"type": "CATALOG_DATASET", "definition": dataset},
        {"type": "REGISTRY_DESCRIPTOR", "definition": f.identity_descriptor(SCHEMA, "loyaltyId")},
        {"type": "REGISTRY_DESCRIPTOR", "definition": f.relationship(SCHEMA, STORES)},
        {
            "type": "REGISTRY_SCHEMA",
            "definition": {**f.schema("Members", f.PROFILE, (FG,)), "$id": SCHEMA},
        },
        {"type": "REGISTRY_SCHEMA", "definition": {**f.schema("Stores", CLS), "$id": STORES}},
        {"type": "REGISTRY_CLASS", "definition": {**f.xdm_class("Store", DT), "$id": CLS}},
        {"type": "REGISTRY_MIXIN", "definition": {**f.field_group(T, "Loyalty", DT), "$id": FG}},
        {"type": "REGISTRY_DATATYPE", "definition": {**f.datatype("Tier"), "$id": DT}},
        {"type": "ID_NAMESPACE", "definition": f.namespace("loyaltyId")},
    ]


def ndjson(items: list[Any]) -> bytes:
    return b"\n".join(orjson.dumps(i) for i in items) + b"\n"


def count(api: Api, type_name: str, sandbox: str = "prod") -> int:
    r = api.get(f"{OBJ}/{type_name}", sandbox=sandbox)
    assert r.status_code == 200, r.text
    return int(r.json()["totalElements"])


ALL_TYPES = (
    "CATALOG_DATASET",
    "REGISTRY_DESCRIPTOR",
    "REGISTRY_SCHEMA",
    "REGISTRY_CLASS",
    "REGISTRY_MIXIN",
    "REGISTRY_DATATYPE",
    "ID_NAMESPACE",
)


def assert_empty(api: Api) -> None:
    assert all(count(api, t) == 0 for t in ALL_TYPES)


class TestLoad:
    def test_mixed_types_in_any_order(self, api: Api) -> None:
        items = inventory()
        r = api.post(BATCH, json=items)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["count"] == len(items)
        order = [(o["type"], o["id"]) for o in body["objects"]]
        position = {key: i for i, key in enumerate(order)}
        # dependencies first
        assert position[("REGISTRY_DATATYPE", DT)] < position[("REGISTRY_MIXIN", FG)]
        assert position[("REGISTRY_MIXIN", FG)] < position[("REGISTRY_SCHEMA", SCHEMA)]
        assert position[("REGISTRY_CLASS", CLS)] < position[("REGISTRY_SCHEMA", STORES)]
        assert (
            position[("REGISTRY_SCHEMA", SCHEMA)]
            < position[("CATALOG_DATASET", items[0]["definition"]["id"])]
        )
        assert position[("ID_NAMESPACE", "loyaltyId")] < min(
            i for (t, _), i in position.items() if t == "REGISTRY_DESCRIPTOR"
        )
        # each answer names its request position; ids the server assigned are given back
        by_index = {o["index"]: o for o in body["objects"]}
        assert sorted(by_index) == list(range(len(items)))
        assert by_index[8]["id"] == "loyaltyId"
        assert len(by_index[1]["id"]) == 40  # a descriptor id assigned by the server
        stored = api.get(f"{OBJ}/REGISTRY_SCHEMA/{quote(SCHEMA, safe='')}").json()
        assert stored["definition"]["meta:altId"] == f"_{T}.schemas.members"
        # the references were written too: the data type cannot be deleted under its users
        r = api.delete(f"{OBJ}/REGISTRY_DATATYPE/{quote(DT, safe='')}")
        assert r.status_code == 409, r.text

    def test_ndjson(self, api: Api) -> None:
        items = inventory()
        r = api.post(
            BATCH,
            content=b"\n" + ndjson(items[:4]) + b"   \n" + ndjson(items[4:]),
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert r.status_code == 201, r.text
        assert r.json()["count"] == len(items)
        assert count(api, "REGISTRY_DESCRIPTOR") == 2

    def test_reference_cycle(self, api: Api) -> None:
        """A field group meant for the class that embeds it: each refers to the other."""
        group = {**f.field_group(T, "Status", extends=CLS), "$id": FG}
        cls = {**f.xdm_class("Store"), "$id": CLS}
        cls["allOf"] = [*cls["allOf"], {"$ref": FG}]
        r = api.post(
            BATCH,
            json=[
                {"type": "REGISTRY_MIXIN", "definition": group},
                {"type": "REGISTRY_CLASS", "definition": cls},
            ],
        )
        assert r.status_code == 201, r.text

    def test_other_sandbox_and_existing_targets(self, api: Api) -> None:
        api.post(
            "/data/foundation/sandbox-management/sandboxes",
            json={"name": "dev", "title": "Dev", "type": "development"},
        )
        dt = api.create("REGISTRY_DATATYPE", {**f.datatype("Tier"), "$id": DT}, sandbox="dev")
        group = {**f.field_group(T, "Loyalty", dt), "$id": FG}
        r = api.post(BATCH, json=[{"type": "REGISTRY_MIXIN", "definition": group}], sandbox="dev")
        assert r.status_code == 201, r.text
        assert count(api, "REGISTRY_MIXIN", "dev") == 1
        assert count(api, "REGISTRY_MIXIN") == 0

    def test_empty(self, api: Api) -> None:
        r = api.post(BATCH, json=[])
        assert r.status_code == 201, r.text
        assert r.json() == {"count": 0, "objects": []}


class TestRefused:
    def test_every_offending_object_listed_nothing_written(self, api: Api) -> None:
        items = inventory()
        missing = xid("datatypes", "missing")
        items[6]["definition"]["definitions"]["main"]["properties"][f"_{T}"]["properties"][
            "status"
        ] = {"$ref": missing}
        items.append({"type": "REGISTRY_DATATYPE", "definition": {"type": "object"}})
        items.append({"type": "NO_SUCH_TYPE", "definition": {}})
        items.append(
            {"type": "REGISTRY_DATATYPE", "definition": {**f.datatype("Again"), "$id": DT}}
        )
        items.append({"type": "ID_NAMESPACE", "definition": f.namespace("x"), "extra": 1})
        r = api.post(BATCH, json=items)
        assert r.status_code == 400, r.text
        body = r.json()
        assert body["error"] == "BatchRejected"
        problems = {(e["index"], e["field"]): e for e in body["errors"]}
        dangling = problems[
            (6, f"definition.definitions.main.properties._{T}.properties.status.$ref")
        ]
        assert dangling["id"] == FG and dangling["type"] == "REGISTRY_MIXIN"
        assert missing in dangling["message"] and "does not exist" in dangling["message"]
        assert problems[(9, "definition.title")]["type"] == "REGISTRY_DATATYPE"
        assert "unknown artifact type 'NO_SUCH_TYPE'" in problems[(10, "type")]["message"]
        duplicate = problems[(11, "definition.$id")]
        assert duplicate["id"] == DT and "object [7]" in duplicate["message"]
        assert problems[(12, "extra")]["message"] == "unknown field"
        assert len(body["errors"]) == 5
        assert body["detail"].startswith(f"[6].definition.definitions.main.properties._{T}")
        assert "4 more problem(s)" in body["detail"]
        assert_empty(api)

    def test_dangling_reference_to_a_failed_object_not_reported_twice(self, api: Api) -> None:
        r = api.post(
            BATCH,
            json=[
                {"type": "REGISTRY_DATATYPE", "definition": {"$id": DT, "type": "object"}},
                {"type": "REGISTRY_MIXIN", "definition": {**f.field_group(T, "L", DT), "$id": FG}},
            ],
        )
        assert r.status_code == 400, r.text
        assert [(e["index"], e["field"]) for e in r.json()["errors"]] == [(0, "definition.title")]

    def test_existing_ids_are_a_conflict(self, api: Api) -> None:
        api.create("REGISTRY_DATATYPE", {**f.datatype("Tier"), "$id": DT})
        api.create("ID_NAMESPACE", f.namespace("loyaltyId"))
        r = api.post(BATCH, json=inventory())
        assert r.status_code == 409, r.text
        body = r.json()
        assert body["error"] == "BatchConflict"
        assert [(e["index"], e["id"], e["type"]) for e in body["errors"]] == [
            (7, DT, "REGISTRY_DATATYPE"),
            (8, "loyaltyId", "ID_NAMESPACE"),
        ]
        assert count(api, "REGISTRY_SCHEMA") == 0

    def test_the_list_is_capped_and_counted(self, api: Api) -> None:
        items = [
            {
                "type": "REGISTRY_MIXIN",
                "definition": {**f.field_group(T, f"g{i}", xid("datatypes", f"no{i}"))},
            }
            for i in range(150)
        ]
        r = api.post(BATCH, json=items)
        assert r.status_code == 400, r.text
        body = r.json()
        assert len(body["errors"]) == 100
        assert "149 more problem(s); 100 listed" in body["detail"]

    def test_malformed_ndjson_line(self, api: Api) -> None:
        items = inventory()
        body = ndjson(items[:2]) + b'{"type": "ID_NAMESPACE", \n' + ndjson(items[2:])
        r = api.post(BATCH, content=body, headers={"Content-Type": "application/x-ndjson"})
        assert r.status_code == 400, r.text
        (problem,) = r.json()["errors"]
        assert problem["index"] == 2 and problem["message"].startswith("line 3: malformed JSON")

    @pytest.mark.parametrize(
        ("content", "needle"),
        [(b'{"type": "ID_NAMESPACE"}', "must be a JSON array"), (b"[{", "malformed JSON")],
    )
    def test_body_not_an_array(self, api: Api, content: bytes, needle: str) -> None:
        r = api.post(BATCH, content=content, headers={"Content-Type": "application/json"})
        assert r.status_code == 400, r.text
        assert r.json()["error"] == "BatchBodyInvalid" and needle in r.json()["detail"]

    def test_item_shapes(self, api: Api) -> None:
        r = api.post(BATCH, json=[1, {"definition": {}}, {"type": "ID_NAMESPACE"}])
        assert r.status_code == 400, r.text
        assert [(e["index"], e["field"]) for e in r.json()["errors"]] == [
            (0, ""),
            (1, "type"),
            (2, "definition"),
        ]

    def test_unknown_sandbox(self, api: Api) -> None:
        r = api.post(BATCH, json=inventory(), sandbox="nope")
        assert r.status_code == 404, r.text

    def test_permission_per_type(self, api: Api, client: TestClient, state: Runtime) -> None:
        from sandbox_tooling.identity import service

        with state.db.transaction() as s:
            service.create_role(
                s, org_id=ORG_A, name="schemas", permissions=["Schema:read,write"], sandboxes=None
            )
        editor = make_api(
            client, state, ORG_A, T, user_id="ed@a", roles=("schemas",), create_org=False
        )
        xdm_only = [i for i in inventory() if i["type"].startswith("REGISTRY_")]
        xdm_only = [i for i in xdm_only if "xdm:namespace" not in i["definition"]]
        assert editor.post(BATCH, json=xdm_only).status_code == 201
        r = editor.post(BATCH, json=[{"type": "ID_NAMESPACE", "definition": f.namespace("n2")}])
        assert r.status_code == 403, r.text
        assert "Identity:read" in r.json()["detail"]
        assert count(api, "ID_NAMESPACE") == 0


class TestChunks:
    """Objects are written in chunks as they are read; a problem found after some chunks
    were written still leaves the sandbox untouched."""

    @pytest.fixture(autouse=True)
    def small_chunks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(batch_service, "CHUNK", 2)

    def test_across_chunks(self, api: Api) -> None:
        r = api.post(BATCH, json=inventory())
        assert r.status_code == 201, r.text
        assert count(api, "REGISTRY_SCHEMA") == 2 and count(api, "CATALOG_DATASET") == 1

    def test_last_object_invalid(self, api: Api) -> None:
        items = inventory()
        items.append({"type": "ID_NAMESPACE", "definition": {"code": "x"}})
        r = api.post(BATCH, json=items)
        assert r.status_code == 400, r.text
        assert {e["index"] for e in r.json()["errors"]} == {9}  # name and idType missing
        assert_empty(api)

    def test_clashes_in_several_chunks(self, api: Api) -> None:
        items = inventory()
        api.create("REGISTRY_DATATYPE", {**f.datatype("Tier"), "$id": DT})
        api.create("ID_NAMESPACE", f.namespace("loyaltyId"))
        # the clashing objects first and last, other chunks between them
        items = [items[7], *items[:7], items[8]]
        r = api.post(BATCH, json=items)
        assert r.status_code == 409, r.text
        assert [(e["index"], e["id"]) for e in r.json()["errors"]] == [(0, DT), (8, "loyaltyId")]
        assert count(api, "REGISTRY_SCHEMA") == 0 and count(api, "REGISTRY_DATATYPE") == 1
