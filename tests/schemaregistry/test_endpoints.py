"""The Schema Registry's own export format (issue 10 part 2): ``GET /schemaregistry/rpc/
export/{RESOURCE_ID}`` and ``POST /schemaregistry/rpc/import``, with the documents' payloads,
the org A → org B → export round trip, and the public XDM library as realistic data."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from sandbox_tooling.runtime import Runtime
from tests import factories as f
from tests import xdm_library
from tests.helpers import ORG_A, Api, make_api
from tests.xdm_library import Library

EXPORT = "/data/foundation/schemaregistry/rpc/export"
IMPORT = "/data/foundation/schemaregistry/rpc/import"
OBJ = "/data/foundation/registry/objects"
BATCH = "/data/foundation/registry/objects:batch"
PH = "<XDM_TENANTID_PLACEHOLDER>"
XDM_TYPES = ("REGISTRY_CLASS", "REGISTRY_DATATYPE", "REGISTRY_MIXIN", "REGISTRY_SCHEMA")

# The documents' example (experienceleague xdm/api/export.md, import.md): a tenant data type
# used by a tenant field group, as the platform exports them.
DATATYPE_ID = (
    f"https://ns.adobe.com/{PH}/datatypes/fc07162ee7ca8d18e074a3bb50c3938c76160bf6040e8495"
)
MIXIN_ID = f"https://ns.adobe.com/{PH}/mixins/922a56b58c6b4e4aeb49e577ec82752106ffe8971b23b4d9"


def field(title: str, type_: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "description": "", "type": type_, "isRequired": False, **extra}


DOCUMENTED_PAYLOAD: list[dict[str, Any]] = [
    {
        "$id": DATATYPE_ID,
        "meta:altId": f"_{PH}.datatypes.fc07162ee7ca8d18e074a3bb50c3938c76160bf6040e8495",
        "meta:resourceType": "datatypes",
        "version": "1.0",
        "title": "Property",
        "type": "object",
        "description": "",
        "definitions": {
            "customFields": {
                "properties": {
                    "propertyId": field(
                        "Property ID",
                        "string",
                        **{
                            "meta:ui": {
                                "ref": [
                                    "schema://5fbc29ec292534000055dd55",
                                    "#/definitions/customFields",
                                ],
                                "path": f"{{}}._{PH}{{}}.property{{}}.propertyId",
                                "editable": True,
                                "generateDate": 1606168175975,
                            },
                            "meta:xdmType": "string",
                        },
                    ),
                    "jurisdiction": field(
                        "Jurisdiction",
                        "string",
                        enum=["NA", "UK", "EU"],
                        **{
                            "meta:enum": {
                                "NA": "North America",
                                "UK": "United Kingdom",
                                "EU": "European Union",
                            },
                            "meta:xdmType": "string",
                        },
                    ),
                }
            }
        },
        "allOf": [
            {"$ref": "#/definitions/customFields", "type": "object", "meta:xdmType": "object"}
        ],
        "meta:extensible": True,
        "meta:abstract": True,
        "meta:xdmType": "object",
        "meta:sandboxId": "ff0f6870-c46d-11e9-8ca3-036939a64204",
        "meta:sandboxType": "production",
    },
    {
        "$id": MIXIN_ID,
        "meta:altId": f"_{PH}.mixins.922a56b58c6b4e4aeb49e577ec82752106ffe8971b23b4d9",
        "meta:resourceType": "mixins",
        "version": "1.0",
        "title": "Restaurant",
        "type": "object",
        "description": "",
        "definitions": {
            "customFields": {
                "type": "object",
                "properties": {
                    f"_{PH}": {
                        "type": "object",
                        "properties": {
                            "capacity": field("Capacity", "string", **{"meta:xdmType": "string"}),
                            "kitchen": field(
                                "Kitchen Style", "string", **{"meta:xdmType": "string"}
                            ),
                            "rating": field("Rating", "integer", **{"meta:xdmType": "int"}),
                            "property": {
                                "title": "Property",
                                "description": "",
                                "$ref": DATATYPE_ID,
                                "type": "object",
                                "meta:xdmType": "object",
                            },
                        },
                        "meta:xdmType": "object",
                    }
                },
                "meta:xdmType": "object",
            }
        },
        "allOf": [
            {"$ref": "#/definitions/customFields", "type": "object", "meta:xdmType": "object"}
        ],
        "meta:extensible": True,
        "meta:abstract": True,
        "meta:intendedToExtend": [],
        "meta:xdmType": "object",
        "meta:sandboxId": "ff0f6870-c46d-11e9-8ca3-036939a64204",
        "meta:sandboxType": "production",
    },
]


def documented() -> list[dict[str, Any]]:
    return copy.deepcopy(DOCUMENTED_PAYLOAD)


def enc(object_id: str) -> str:
    return quote(object_id, safe="")


def export(api: Api, resource: str, sandbox: str = "prod", **headers: str) -> list[dict[str, Any]]:
    r = api.get(f"{EXPORT}/{resource}", sandbox=sandbox, headers=headers)
    assert r.status_code == 200, r.text
    payload: list[dict[str, Any]] = r.json()
    return payload


def objects(api: Api, type_name: str, sandbox: str = "prod") -> list[dict[str, Any]]:
    r = api.get(f"{OBJ}/{type_name}?limit=100", sandbox=sandbox)
    assert r.status_code == 200, r.text
    data: list[dict[str, Any]] = r.json()["data"]
    return data


def references(definition: Any) -> set[str]:
    """Every resource id a definition names (``$ref``, ``meta:extends``, ...), without
    fragments."""
    return {xdm_library.split(uri)[0] for _where, uri in xdm_library.named(definition)}


def assert_dependencies_first(payload: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    ids = {item["$id"] for item in payload if "$id" in item}
    for item in payload:
        own = item.get("$id")
        named = references(item) | {
            item[k] for k in ("xdm:sourceSchema", "xdm:destinationSchema") if k in item
        }
        assert (named & ids) - {own} <= seen, (own, (named & ids) - seen)
        if own:
            seen.add(own)


def member_schema(api: Api, tenant: str, sandbox: str = "prod") -> dict[str, str]:
    """A schema with a class, two field groups and two data types, an identity descriptor
    and a relationship to a second schema; returns the ids by role."""
    inner = api.create("REGISTRY_DATATYPE", f.datatype("Tier"), sandbox)
    outer = api.create("REGISTRY_DATATYPE", f.datatype("Status", ref=inner), sandbox)
    cls = api.create("REGISTRY_CLASS", f.xdm_class("Store", inner), sandbox)
    store_schema = api.create("REGISTRY_SCHEMA", f.schema("Stores", cls), sandbox)
    loyalty = api.create("REGISTRY_MIXIN", f.field_group(tenant, "Loyalty", outer), sandbox)
    plain = api.create("REGISTRY_MIXIN", f.field_group(tenant, "Preferences"), sandbox)
    schema = api.create(
        "REGISTRY_SCHEMA", f.schema("Members", f.PROFILE, (loyalty, plain)), sandbox
    )
    api.create("REGISTRY_DESCRIPTOR", f.identity_descriptor(schema), sandbox)
    api.create("REGISTRY_DESCRIPTOR", f.relationship(schema, store_schema), sandbox)
    return {
        "inner": inner,
        "outer": outer,
        "class": cls,
        "stores": store_schema,
        "loyalty": loyalty,
        "plain": plain,
        "schema": schema,
    }


def alt_id(object_id: str) -> str:
    tenant, segment, name = object_id.removeprefix("https://ns.adobe.com/").split("/")
    return f"_{tenant}.{segment}.{name}"


class TestDocumentedPayload:
    def test_import_applies_the_tenant(self, api: Api) -> None:
        r = api.post(IMPORT, json=documented())
        assert r.status_code == 200, r.text
        datatype, mixin = r.json()
        tenant_dt = DATATYPE_ID.replace(PH, "alpha")
        assert datatype["$id"] == tenant_dt
        assert datatype["meta:altId"] == f"_alpha.datatypes.{tenant_dt.rsplit('/', 1)[1]}"
        assert datatype["meta:resourceType"] == "datatypes"
        assert datatype["imsOrg"] == ORG_A and datatype["meta:tenantNamespace"] == "_alpha"
        assert datatype["meta:sandboxType"] == "production"
        ui = datatype["definitions"]["customFields"]["properties"]["propertyId"]["meta:ui"]
        assert ui["path"] == "{}._alpha{}.property{}.propertyId"
        props = mixin["definitions"]["customFields"]["properties"]
        assert list(props) == ["_alpha"]
        assert props["_alpha"]["properties"]["property"]["$ref"] == tenant_dt
        # stored as a registry object of its type, without the source's storage metadata
        r = api.get(f"{OBJ}/REGISTRY_MIXIN/{enc(mixin['$id'])}")
        assert r.status_code == 200, r.text
        stored = r.json()["definition"]
        assert "meta:sandboxId" not in stored and "meta:resourceType" not in stored
        assert stored["title"] == "Restaurant"

    def test_export_gives_the_documented_payload_back(self, api: Api) -> None:
        assert api.post(IMPORT, json=documented()).status_code == 200
        mixin_alt = f"_alpha.mixins.{MIXIN_ID.rsplit('/', 1)[1]}"
        expected = [
            {k: v for k, v in item.items() if k not in ("meta:sandboxId", "meta:sandboxType")}
            for item in documented()
        ]
        by_alt_id = export(api, mixin_alt)
        assert by_alt_id == expected
        assert json.dumps(by_alt_id).find("alpha") < 0
        # by the percent-encoded $id, with the Accept headers the platform takes
        mixin = MIXIN_ID.replace(PH, "alpha")
        for accept in (
            "application/vnd.adobe.xed-id+json",
            "application/vnd.adobe.xed-full+json;version=1",
            "application/vnd.adobe.xdm-link+json",
        ):
            assert export(api, enc(mixin), Accept=accept) == expected
        # a data type alone: nothing it does not need
        assert export(api, enc(DATATYPE_ID.replace(PH, "alpha"))) == expected[:1]

    def test_import_again_keeps_what_is_there(self, api: Api) -> None:
        assert api.post(IMPORT, json=documented()).status_code == 200
        r = api.post(IMPORT, json=documented())
        assert r.status_code == 200, r.text
        assert len(objects(api, "REGISTRY_MIXIN")) == 1
        assert len(objects(api, "REGISTRY_DATATYPE")) == 1

    def test_a_different_definition_is_a_conflict_and_nothing_is_created(self, api: Api) -> None:
        payload = documented()
        api.post(IMPORT, json=payload[:1])
        changed = documented()
        changed[0]["title"] = "Property (changed)"
        r = api.post(IMPORT, json=changed)
        assert r.status_code == 409, r.text
        body = r.json()
        assert body["error"] == "ResourceConflict"
        (problem,) = body["errors"]
        assert problem["index"] == 0 and problem["type"] == "REGISTRY_DATATYPE"
        assert problem["id"] == DATATYPE_ID.replace(PH, "alpha")
        assert body["detail"].startswith("[0].$id: REGISTRY_DATATYPE")
        assert objects(api, "REGISTRY_MIXIN") == []


def test_ui_copy_json(api: Api) -> None:
    """The UI's "Copy JSON" of a schema (experienceleague xdm/ui/export.md): a field group
    and the schema, standard field groups referenced, not included."""
    group_id = f"https://ns.adobe.com/{PH}/mixins/9ecfd881d0053568d277b792e4d24c6b70ffa7782bd31265"
    schema_id = (
        f"https://ns.adobe.com/{PH}/schemas/1e5a739ded8fd1d766a0e06e881a38031874dddd1c7020ad"
    )
    loyalty = field(
        "Loyalty",
        "object",
        required=[],
        properties={
            "loyaltyId": field("Loyalty ID", "string", required=[], **{"meta:xdmType": "string"}),
            "points": field("Points", "integer", required=[], **{"meta:xdmType": "int"}),
        },
    )
    standard = [
        "https://ns.adobe.com/xdm/context/profile-person-details",
        "https://ns.adobe.com/xdm/context/profile-personal-details",
        "https://ns.adobe.com/xdm/mixins/profile-consents",
    ]
    payload = [
        {
            "$id": group_id,
            "meta:altId": f"_{PH}.mixins.9ecfd881d0053568d277b792e4d24c6b70ffa7782bd31265",
            "meta:resourceType": "mixins",
            "version": "1.0",
            "title": "Loyalty details",
            "type": "object",
            "description": "",
            "definitions": {
                "customFields": {
                    "type": "object",
                    "properties": {
                        f"_{PH}": {
                            "type": "object",
                            "properties": {"loyalty": loyalty},
                            "meta:xdmType": "object",
                        }
                    },
                    "meta:xdmType": "object",
                }
            },
            "allOf": [
                {"$ref": "#/definitions/customFields", "type": "object", "meta:xdmType": "object"}
            ],
            "meta:extensible": True,
            "meta:abstract": True,
            "meta:intendedToExtend": [],
            "meta:xdmType": "object",
            "meta:sandboxId": "1bd86660-c5da-11e9-93d4-6d5fc3a66a8e",
            "meta:sandboxType": "production",
        },
        {
            "$id": schema_id,
            "meta:altId": f"_{PH}.schemas.1e5a739ded8fd1d766a0e06e881a38031874dddd1c7020ad",
            "meta:resourceType": "schemas",
            "version": "1.4",
            "title": "Loyalty Members",
            "type": "object",
            "description": "Describes customers who are members of a loyalty program.",
            "allOf": [
                {"$ref": r, "type": "object", "meta:xdmType": "object"}
                for r in [f.PROFILE, *standard[:2], group_id, standard[2]]
            ],
            "meta:extensible": False,
            "meta:abstract": False,
            "meta:extends": [
                *standard[:2],
                "https://ns.adobe.com/xdm/common/auditable",
                "https://ns.adobe.com/xdm/data/record",
                f.PROFILE,
                group_id,
                standard[2],
            ],
            "meta:xdmType": "object",
            "meta:class": f.PROFILE,
            "meta:sandboxId": "1bd86660-c5da-11e9-93d4-6d5fc3a66a8e",
            "meta:sandboxType": "production",
            "meta:immutableTags": [],
        },
    ]
    r = api.post(IMPORT, json=payload)
    assert r.status_code == 200, r.text
    schema = schema_id.replace(PH, "alpha")
    assert [x["$id"] for x in r.json()] == [group_id.replace(PH, "alpha"), schema]
    stored = api.get(f"{OBJ}/REGISTRY_SCHEMA/{enc(schema)}").json()["definition"]
    assert stored["meta:extends"][5] == group_id.replace(PH, "alpha")
    expected = [
        {k: v for k, v in item.items() if k not in ("meta:sandboxId", "meta:sandboxType")}
        for item in payload
    ]
    assert export(api, alt_id(schema)) == expected


class TestRoundTrip:
    def test_org_a_to_org_b_and_back_out(self, api: Api, api_b: Api) -> None:
        ids = member_schema(api, "alpha")
        payload = export(api, alt_id(ids["schema"]))
        text = json.dumps(payload)
        assert "alpha" not in text
        assert "https://ns.adobe.com/xdm/context/profile" in text  # referenced, not exported
        types = [
            ("@type" in item and "$id" not in item, item.get("meta:resourceType"))
            for item in payload
        ]
        # 2 data types, the class, both schemas, 2 field groups, both descriptors
        assert sorted(t for _d, t in types if t) == [
            "classes",
            "datatypes",
            "datatypes",
            "mixins",
            "mixins",
            "schemas",
            "schemas",
        ]
        assert sum(d for d, _t in types) == 2
        assert_dependencies_first(payload)
        assert payload[-3]["$id"] == ids["schema"].replace("alpha", PH)  # then its descriptors

        r = api_b.post(IMPORT, json=payload)
        assert r.status_code == 200, r.text
        assert all("bravo" in item.get("$id", "bravo") for item in r.json())
        again = export(api_b, alt_id(ids["schema"].replace("alpha", "bravo")))
        assert again == payload
        # the schema works in org B: a dataset can use it
        api_b.create("CATALOG_DATASET", f.dataset(ids["schema"].replace("alpha", "bravo")))

    def test_into_another_sandbox_of_the_same_org(self, api: Api) -> None:
        ids = member_schema(api, "alpha")
        api.post(
            "/data/foundation/sandbox-management/sandboxes",
            json={"name": "dev", "title": "Dev", "type": "development"},
        )
        payload = export(api, enc(ids["schema"]))
        r = api.post(IMPORT, json=payload, sandbox="dev")
        assert r.status_code == 200, r.text
        assert export(api, enc(ids["schema"]), sandbox="dev") == payload
        assert len(objects(api, "REGISTRY_DESCRIPTOR", "dev")) == 2


class TestRefused:
    def test_dangling_reference(self, api: Api) -> None:
        r = api.post(IMPORT, json=documented()[1:])
        assert r.status_code == 400, r.text
        (problem,) = r.json()["errors"]
        assert problem["index"] == 0 and problem["type"] == "REGISTRY_MIXIN"
        assert (
            problem["field"]
            == "definitions.customFields.properties._alpha.properties.property.$ref"
        )
        assert "does not exist" in problem["message"]
        assert objects(api, "REGISTRY_MIXIN") == []

    def test_every_bad_item_listed(self, api: Api) -> None:
        payload = documented()
        payload[0]["meta:resourceType"] = "schemas"
        payload.append({"$id": "https://ns.adobe.com/xdm/context/profile", "title": "Profile"})
        payload.append({"title": "No id"})
        r = api.post(IMPORT, json=payload)
        assert r.status_code == 400, r.text
        assert [(e["index"], e["field"]) for e in r.json()["errors"]] == [
            (0, "meta:resourceType"),
            (2, "$id"),
            (3, "$id"),
        ]
        assert "standard resource" in r.json()["errors"][1]["message"]

    def test_new_resource_from_its_resource_type(self, api: Api) -> None:
        item = {"meta:resourceType": "datatypes", **f.datatype("Fresh")}
        r = api.post(IMPORT, json=[item])
        assert r.status_code == 200, r.text
        assert r.json()[0]["$id"].startswith("https://ns.adobe.com/alpha/datatypes/")

    def test_not_an_array(self, api: Api) -> None:
        r = api.post(IMPORT, json=documented()[0])
        assert r.status_code == 400, r.text

    @pytest.mark.parametrize(
        ("resource", "status", "error"),
        [
            ("_alpha.schemas.0123456789abcdef", 404, "ResourceNotFound"),
            ("_bravo.schemas.0123456789abcdef", 404, "ResourceNotFound"),
            (enc("https://ns.adobe.com/xdm/context/profile"), 400, "NotAResourceId"),
            ("0123456789abcdef0123456789abcdef01234567", 400, "NotAResourceId"),
        ],
    )
    def test_export_of_what_is_not_there(
        self, api: Api, resource: str, status: int, error: str
    ) -> None:
        r = api.get(f"{EXPORT}/{resource}")
        assert r.status_code == status, r.text
        assert r.json()["error"] == error

    def test_permissions(self, api: Api, client: TestClient, state: Runtime) -> None:
        from sandbox_tooling.identity import service

        assert api.post(IMPORT, json=documented()).status_code == 200
        with state.db.transaction() as s:
            service.create_role(
                s, org_id=ORG_A, name="readers", permissions=["Schema:read"], sandboxes=None
            )
        reader = make_api(
            client, state, ORG_A, "alpha", user_id="r@a", roles=("readers",), create_org=False
        )
        mixin = MIXIN_ID.replace(PH, "alpha")
        assert reader.get(f"{EXPORT}/{enc(mixin)}").status_code == 200
        r = reader.post(IMPORT, json=documented())
        assert r.status_code == 403, r.text
        assert "Schema:write" in r.json()["detail"]


# -- the public XDM library ---------------------------------------------------------------
SOURCE_TENANT, OTHER_TENANT = "acmelib", "globexlib"
SOURCE_ORG = "DDDD4444DDDD4444DDDD4444@AdobeOrg"
OTHER_ORG = "EEEE5555EEEE5555EEEE5555@AdobeOrg"


def test_xdm_library_schema_round_trip(client: TestClient, state: Runtime, tmp_path: Path) -> None:
    """The library loaded with one batch (in file order, its reference cycle included), a
    schema of the profile class with every field group meant for it, exported from one org,
    imported into another and exported again: the same payload, self-contained."""
    library: Library = xdm_library.read(SOURCE_TENANT, tmp_path)
    source = make_api(client, state, SOURCE_ORG, SOURCE_TENANT)
    other = make_api(client, state, OTHER_ORG, OTHER_TENANT)
    docs = sorted(library.documents.values(), key=lambda d: d.path)
    r = source.post(BATCH, json=[{"type": d.type, "definition": d.definition} for d in docs])
    assert r.status_code == 201, r.text
    assert r.json()["count"] == len(docs)

    profile = library.id_map["https://ns.adobe.com/xdm/context/profile"]
    groups = sorted(
        d.new_id
        for d in docs
        if d.type == "REGISTRY_MIXIN"
        and "https://ns.adobe.com/xdm/context/profile"
        in d.original.get("meta:intendedToExtend", [])
    )
    assert len(groups) > 10
    schema = source.create(
        "REGISTRY_SCHEMA",
        {
            "title": "Customer profile",
            "type": "object",
            "meta:class": profile,
            "allOf": [{"$ref": profile}] + [{"$ref": g} for g in groups],
            "meta:extends": [profile, *groups],
            "meta:immutableTags": ["union"],
        },
    )
    source.create("REGISTRY_DESCRIPTOR", f.identity_descriptor(schema))

    payload = export(source, alt_id(schema))
    text = json.dumps(payload)
    assert SOURCE_TENANT not in text
    ids = {item["$id"] for item in payload if "$id" in item}
    # self-contained: every custom resource named is in the payload; standard ones are not
    for item in payload:
        for uri in references(item) - {""}:  # "": local references, #/definitions/...
            if uri.startswith(f"https://ns.adobe.com/{PH}/"):
                assert uri in ids, uri
            else:
                assert uri.startswith("https://ns.adobe.com/"), uri
    assert "https://ns.adobe.com/xdm/data/record" not in ids
    assert len(ids) > len(groups) + 1
    assert sum(1 for item in payload if item.get("@type") == "xdm:descriptorIdentity") == 1
    # each resource as loaded, tenant replaced
    by_id = {d.new_id.replace(SOURCE_TENANT, PH): d for d in docs}
    for item in payload:
        doc = by_id.get(item.get("$id", ""))
        if doc is not None:
            expected = json.loads(json.dumps(doc.definition).replace(SOURCE_TENANT, PH))
            got = {k: v for k, v in item.items() if k not in ("meta:altId", "meta:resourceType")}
            assert got == expected, doc.path

    r = other.post(IMPORT, json=payload)
    assert r.status_code == 200, r.text
    assert len(r.json()) == len(payload)
    again = export(other, alt_id(schema.replace(SOURCE_TENANT, OTHER_TENANT)))
    assert again == payload
    created = {o["id"] for t in XDM_TYPES for o in all_objects(other, t)}
    assert created == {i.replace(PH, OTHER_TENANT) for i in ids}


def all_objects(api: Api, type_name: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while True:
        r = api.get(f"{OBJ}/{type_name}?limit=100&start={len(out)}")
        assert r.status_code == 200, r.text
        out += r.json()["data"]
        if not r.json()["hasNextPage"]:
            return out
