"""Mapping sets naming their schema the documented ways (issue 10 §4): ``xdmSchema`` (``$id``
or ``meta:altId``) and/or ``outputSchema.schemaRef``, through an import and a transfer."""

from __future__ import annotations

from typing import Any

from tests import factories as f
from tests.helpers import ORG_B, Api, objects, package, run_import, sandbox
from tests.sharing.helpers import P, T, link, wait_transfer

OBJ = "/data/foundation/registry/objects"
CT = "application/vnd.adobe.xed-full+json;version=1"


def alt(schema_id: str) -> str:
    tenant, _, key = schema_id.removeprefix("https://ns.adobe.com/").split("/")
    return f"_{tenant}.schemas.{key}"


def mapping(xdm_schema: str | None = None, output: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "mappings": [{"sourceType": "ATTRIBUTE", "source": "id", "destination": "_id"}]
    }
    if xdm_schema is not None:
        out["xdmSchema"] = xdm_schema
    if output is not None:
        out["outputSchema"] = {"schemaRef": {"id": output, "contentType": CT}}
        out["inputSchema"] = {
            "schemaRef": {"id": "https://ns.adobe.com/src/csv", "contentType": CT}
        }
    return out


def import_flow_with(api: Api, definition: dict[str, Any]) -> tuple[dict[str, str], dict, dict]:
    """Create the mapping set and a flow using it in prod, package the flow, import it into
    dev: (source ids, imported mapping set, imported schema)."""
    w = f.seed_world(api)
    definition = {
        k: (
            v.replace("SCHEMA", w["schema"]).replace("ALT", alt(w["schema"]))
            if isinstance(v, str)
            else v
        )
        for k, v in definition.items()
    }
    if "outputSchema" in definition:
        definition["outputSchema"]["schemaRef"]["id"] = w["schema"]
    map_id = api.create("MAPPING_SET", definition)
    flow_id = api.create("FLOW", f.flow(map_id, w["ds"], name="mapped"))
    pid = package(api, [("FLOW", flow_id)])
    sandbox(api, "dev")
    job = run_import(api, pid, "dev")
    assert job["jobStatus"] == "SUCCESS", job
    target = objects(api, "dev")
    (mset,) = [o for k, o in target.items() if k[0] == "MAPPING_SET"]
    (schema,) = [
        o for k, o in target.items() if k[0] == "REGISTRY_SCHEMA" and o["title"] == "Members"
    ]
    assert schema["id"] != w["schema"]
    return w, mset, schema


class TestMappingSetSchemaForms:
    def test_output_schema_alone(self, api: Api) -> None:
        _w, mset, schema = import_flow_with(api, mapping(output="SCHEMA"))
        d = mset["definition"]
        assert d["outputSchema"]["schemaRef"] == {"id": schema["id"], "contentType": CT}
        assert "xdmSchema" not in d
        assert d["inputSchema"]["schemaRef"]["id"] == "https://ns.adobe.com/src/csv"

    def test_both_forms_rewritten(self, api: Api) -> None:
        _w, mset, schema = import_flow_with(api, mapping(xdm_schema="SCHEMA", output="SCHEMA"))
        d = mset["definition"]
        assert d["xdmSchema"] == schema["id"]
        assert d["outputSchema"]["schemaRef"]["id"] == schema["id"]

    def test_alt_id_form_rewritten_as_alt_id(self, api: Api) -> None:
        _w, mset, schema = import_flow_with(api, mapping(xdm_schema="ALT", output="SCHEMA"))
        d = mset["definition"]
        assert d["xdmSchema"] == schema["definition"]["meta:altId"] == alt(schema["id"])
        assert d["outputSchema"]["schemaRef"]["id"] == schema["id"]

    def test_alt_id_alone_resolves_to_the_schema(self, api: Api) -> None:
        w, mset, schema = import_flow_with(api, mapping(xdm_schema="ALT"))
        assert mset["definition"]["xdmSchema"] == alt(schema["id"])
        # in the source, the altId is a reference to the schema: it cannot be deleted
        r = api.delete(f"{OBJ}/REGISTRY_SCHEMA/{w['schema']}")
        assert r.status_code == 409 and "MAPPING_SET" in r.text

    def test_refusals(self, api: Api) -> None:
        w = f.seed_world(api)
        other = w["store_schema"]
        r = api.post(f"{OBJ}/MAPPING_SET", json=mapping(xdm_schema=w["schema"], output=other))
        assert r.status_code == 400, r.text
        assert r.json()["detail"].startswith("definition.outputSchema.schemaRef.id")
        r = api.post(f"{OBJ}/MAPPING_SET", json=mapping(xdm_schema=alt(w["schema"]), output=other))
        assert r.status_code == 400
        assert r.json()["detail"].startswith("definition.outputSchema.schemaRef.id")
        r = api.post(f"{OBJ}/MAPPING_SET", json=mapping())
        assert r.status_code == 400 and r.json()["detail"].startswith("definition.xdmSchema")
        missing = f"_{api.tenant}.schemas.{'0' * 48}"
        r = api.post(f"{OBJ}/MAPPING_SET", json=mapping(xdm_schema=missing))
        assert r.status_code == 400 and r.json()["detail"].startswith("definition.xdmSchema")
        r = api.post(f"{OBJ}/MAPPING_SET", json={**mapping(), "outputSchema": {"schemaRef": {}}})
        assert r.status_code == 400 and "outputSchema.schemaRef.id" in r.json()["detail"]
        # the same schema in both forms is fine
        both = mapping(xdm_schema=alt(w["schema"]), output=w["schema"])
        assert api.post(f"{OBJ}/MAPPING_SET", json=both).status_code == 201

    def test_across_orgs_both_places_move_to_the_new_tenant(self, api: Api, api_b: Api) -> None:
        w = f.seed_world(api)
        map_id = api.create("MAPPING_SET", mapping(xdm_schema=alt(w["schema"]), output=w["schema"]))
        flow_id = api.create("FLOW", f.flow(map_id, w["ds"], name="mapped"))
        pid = package(api, [("FLOW", flow_id)])
        link(api, api_b)
        r = api.post(T, json={"packageId": pid, "targets": [{"imsOrgId": ORG_B}]})
        done = wait_transfer(api, r.json()[0]["id"])
        assert done["status"] == "COMPLETED", done
        r = api_b.post(
            f"{P}/import",
            json={"id": done["targetPackageId"], "destinationSandbox": {"name": "prod"}},
        )
        assert api_b.wait_job(r.json()["jobId"])["jobStatus"] == "SUCCESS"
        target = objects(api_b, "prod")
        (mset,) = [o for k, o in target.items() if k[0] == "MAPPING_SET"]
        (schema,) = [
            o for k, o in target.items() if k[0] == "REGISTRY_SCHEMA" and o["title"] == "Members"
        ]
        assert schema["id"].startswith("https://ns.adobe.com/bravo/schemas/")
        assert mset["definition"]["xdmSchema"] == alt(schema["id"])
        assert mset["definition"]["outputSchema"]["schemaRef"]["id"] == schema["id"]
