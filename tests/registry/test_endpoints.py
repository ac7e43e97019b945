"""The object registry over HTTP: every type, ids, validation, references, deletes, paging."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests import factories as f
from tests.helpers import Api

OBJ = "/data/foundation/registry/objects"


def url(type_name: str, object_id: str) -> str:
    return f"{OBJ}/{type_name}/{quote(object_id, safe='')}"


class TestCreate:
    def test_every_type_gets_a_native_id(self, api: Api) -> None:
        ids = f.seed_world(api)
        t = api.tenant
        assert re.fullmatch(rf"https://ns\.adobe\.com/{t}/schemas/[0-9a-f]{{48}}", ids["schema"])
        assert re.fullmatch(rf"https://ns\.adobe\.com/{t}/mixins/[0-9a-f]{{48}}", ids["fg"])
        assert re.fullmatch(rf"https://ns\.adobe\.com/{t}/classes/[0-9a-f]{{48}}", ids["cls"])
        assert re.fullmatch(rf"https://ns\.adobe\.com/{t}/datatypes/[0-9a-f]{{48}}", ids["dt"])
        assert re.fullmatch(r"[0-9a-f]{24}", ids["ds"])
        assert re.fullmatch(r"[0-9a-f]{24}", ids["policy"])
        assert re.fullmatch(r"[0-9a-f]{32}", ids["map"])
        assert re.fullmatch(r"[0-9a-f]{40}", ids["desc"])
        for key in ("aud", "merge", "flow"):
            assert re.fullmatch(r"[0-9a-f-]{36}", ids[key])
        assert re.fullmatch(r"[0-9a-f-]{36}@\d+", ids["journey"])
        assert ids["ns"] == "loyaltyId"

    def test_response_shape_and_definition_carries_id(self, api: Api) -> None:
        r = api.post(f"{OBJ}/REGISTRY_SCHEMA", json=f.schema("Members"))
        assert r.status_code == 201
        body = r.json()
        assert set(body) == {
            "id",
            "type",
            "title",
            "version",
            "createdDate",
            "modifiedDate",
            "definition",
        }
        assert body["title"] == "Members" and body["version"] == 1
        assert body["definition"]["$id"] == body["id"]
        assert body["definition"]["meta:altId"].startswith(f"_{api.tenant}.schemas.")

    def test_client_given_id_is_kept(self, api: Api) -> None:
        given = f"https://ns.adobe.com/{api.tenant}/schemas/abc123"
        r = api.post(f"{OBJ}/REGISTRY_SCHEMA", json={**f.schema(), "$id": given})
        assert r.status_code == 201 and r.json()["id"] == given

    def test_duplicate_id_is_409(self, api: Api) -> None:
        given = f"https://ns.adobe.com/{api.tenant}/schemas/abc123"
        assert (
            api.post(f"{OBJ}/REGISTRY_SCHEMA", json={**f.schema(), "$id": given}).status_code == 201
        )
        r = api.post(f"{OBJ}/REGISTRY_SCHEMA", json={**f.schema(), "$id": given})
        assert r.status_code == 409 and given in r.json()["detail"]

    @pytest.mark.parametrize(
        ("type_name", "definition", "field"),
        [
            (
                "REGISTRY_SCHEMA",
                {
                    "$id": "https://ns.adobe.com/other/schemas/x",
                    "title": "t",
                    "allOf": [{"$ref": f.PROFILE}],
                },
                "definition.$id",
            ),
            (
                "REGISTRY_SCHEMA",
                {
                    "$id": "https://ns.adobe.com/alpha/mixins/x",
                    "title": "t",
                    "allOf": [{"$ref": f.PROFILE}],
                },
                "definition.$id",
            ),
            (
                "CATALOG_DATASET",
                {"id": "XYZ", "name": "d", "schemaRef": {"id": f.PROFILE}},
                "definition.id",
            ),
            ("PROFILE_SEGMENT", {"id": "not-a-uuid", **f.audience(None)}, "definition.id"),
            ("JOURNEY", {"id": "j1", "name": "j"}, "definition.id"),
            (
                "ID_NAMESPACE",
                {"code": "bad code!", "name": "n", "idType": "EMAIL"},
                "definition.code",
            ),
        ],
    )
    def test_id_of_wrong_form_is_400(
        self, api: Api, type_name: str, definition: dict, field: str
    ) -> None:
        r = api.post(f"{OBJ}/{type_name}", json=definition)
        assert r.status_code == 400, r.text
        assert r.json()["detail"].startswith(field)

    def test_standard_resource_cannot_be_created(self, api: Api) -> None:
        r = api.post(f"{OBJ}/ID_NAMESPACE", json=f.namespace("Email"))
        assert r.status_code == 400 and "standard" in r.json()["detail"]
        r = api.post(f"{OBJ}/REGISTRY_CLASS", json={**f.xdm_class(), "$id": f.PROFILE})
        assert r.status_code == 400 and "standard" in r.json()["detail"]

    def test_namespace_without_code_is_400(self, api: Api) -> None:
        r = api.post(f"{OBJ}/ID_NAMESPACE", json={"name": "n", "idType": "EMAIL"})
        assert r.status_code == 400 and "definition.code" in r.json()["detail"]


class TestValidation:
    @pytest.mark.parametrize(
        ("type_name", "definition", "field"),
        [
            ("REGISTRY_SCHEMA", {"title": "t"}, "definition.allOf"),
            ("REGISTRY_SCHEMA", {"title": "t", "allOf": [{}]}, "definition.allOf[0].$ref"),
            ("REGISTRY_SCHEMA", {"title": 5, "allOf": [{"$ref": f.PROFILE}]}, "definition.title"),
            (
                "ID_NAMESPACE",
                {"code": "c", "name": "n", "idType": "SOMETHING"},
                "definition.idType",
            ),
            ("CATALOG_DATASET", {"name": "d"}, "definition.schemaRef"),
            (
                "PROFILE_SEGMENT",
                {"name": "a", "schema": {"name": "x"}, "expression": {"type": "PQL", "value": ""}},
                "definition.expression.value",
            ),
            (
                "PROFILE_MERGE",
                {
                    "name": "m",
                    "schema": {"name": "x"},
                    "identityGraph": {"type": "x"},
                    "attributeMerge": {"type": "timestampOrdered"},
                },
                "definition.identityGraph.type",
            ),
            ("FLOW", {"name": "f"}, "definition.flowSpec"),
            (
                "MAPPING_SET",
                {"xdmSchema": "x", "mappings": [{"source": "a"}]},
                "definition.mappings[0].destination",
            ),
            ("DULE_CONSENT_POLICY", {"name": "p", "status": "ON"}, "definition.status"),
            (
                "JOURNEY",
                {"name": "j", "nodes": [{"id": "a", "type": "teleport"}]},
                "definition.nodes[0].type",
            ),
            (
                "REGISTRY_DESCRIPTOR",
                {
                    "@type": "xdm:descriptorIdentity",
                    "xdm:sourceSchema": "https://ns.adobe.com/alpha/schemas/x",
                },
                "definition.xdm:namespace",
            ),
        ],
    )
    def test_bad_definition_names_the_path(
        self, api: Api, type_name: str, definition: dict, field: str
    ) -> None:
        r = api.post(f"{OBJ}/{type_name}", json=definition)
        assert r.status_code == 400, r.text
        body = r.json()
        assert field in body["detail"], body
        assert any(e["field"] == field for e in body["errors"])

    def test_definition_must_be_an_object(self, api: Api) -> None:
        r = api.post(f"{OBJ}/REGISTRY_SCHEMA", json=[1, 2])
        assert r.status_code == 400 and r.json()["detail"].startswith("definition")

    def test_unknown_type_is_400(self, api: Api) -> None:
        r = api.post(f"{OBJ}/NOT_A_TYPE", json={})
        assert r.status_code == 400 and "NOT_A_TYPE" in r.json()["detail"]
        assert api.get(f"{OBJ}/NOT_A_TYPE").status_code == 400


class TestReferences:
    def test_unresolved_reference_is_400_naming_it(self, api: Api) -> None:
        missing = f"https://ns.adobe.com/{api.tenant}/mixins/deadbeef"
        r = api.post(f"{OBJ}/REGISTRY_SCHEMA", json=f.schema(groups=(missing,)))
        assert r.status_code == 400
        assert "definition.allOf[1].$ref" in r.json()["detail"] and missing in r.json()["detail"]

    def test_reference_of_wrong_type_is_400(self, api: Api) -> None:
        dt = api.create("REGISTRY_DATATYPE", f.datatype())
        r = api.post(f"{OBJ}/CATALOG_DATASET", json=f.dataset(dt))
        assert r.status_code == 400 and "REGISTRY_DATATYPE" in r.json()["detail"]

    def test_other_tenant_reference_is_400(self, api: Api) -> None:
        r = api.post(
            f"{OBJ}/REGISTRY_SCHEMA",
            json=f.schema(groups=("https://ns.adobe.com/bravo/mixins/abc",)),
        )
        assert r.status_code == 400

    def test_standard_references_resolve(self, api: Api) -> None:
        api.create(
            "REGISTRY_SCHEMA",
            f.schema(groups=("https://ns.adobe.com/xdm/context/profile-person-details",)),
        )
        s = api.create("REGISTRY_SCHEMA", f.schema("S2"))
        api.create("REGISTRY_DESCRIPTOR", f.identity_descriptor(s, "ECID"))

    def test_unknown_namespace_is_400(self, api: Api) -> None:
        s = api.create("REGISTRY_SCHEMA", f.schema())
        r = api.post(f"{OBJ}/REGISTRY_DESCRIPTOR", json=f.identity_descriptor(s, "nope"))
        assert r.status_code == 400 and "definition.xdm:namespace" in r.json()["detail"]

    def test_delete_referenced_object_is_409_listing_users(self, api: Api) -> None:
        ids = f.seed_world(api)
        r = api.delete(url("REGISTRY_SCHEMA", ids["schema"]))
        assert r.status_code == 409
        users = {(e["type"], e["id"]) for e in r.json()["errors"]}
        assert ("CATALOG_DATASET", ids["ds"]) in users
        assert ("REGISTRY_DESCRIPTOR", ids["desc"]) in users
        assert ("MAPPING_SET", ids["map"]) in users
        assert api.get(url("REGISTRY_SCHEMA", ids["schema"])).status_code == 200

    def test_delete_unreferenced_then_dependency(self, api: Api) -> None:
        s = api.create("REGISTRY_SCHEMA", f.schema())
        ds = api.create("CATALOG_DATASET", f.dataset(s))
        assert api.delete(url("CATALOG_DATASET", ds)).status_code == 204
        assert api.get(url("CATALOG_DATASET", ds)).status_code == 404
        assert api.delete(url("REGISTRY_SCHEMA", s)).status_code == 204


class TestReadReplace:
    def test_get_put_with_percent_encoded_id(self, api: Api) -> None:
        s = api.create("REGISTRY_SCHEMA", f.schema("Old"))
        r = api.get(url("REGISTRY_SCHEMA", s))
        assert r.status_code == 200 and r.json()["title"] == "Old"
        r = api.put(url("REGISTRY_SCHEMA", s), json=f.schema("New"))
        assert r.status_code == 200
        assert r.json()["title"] == "New" and r.json()["version"] == 2
        assert r.json()["definition"]["$id"] == s

    def test_put_with_other_id_is_400(self, api: Api) -> None:
        s = api.create("REGISTRY_SCHEMA", f.schema())
        other = f"https://ns.adobe.com/{api.tenant}/schemas/other"
        r = api.put(url("REGISTRY_SCHEMA", s), json={**f.schema(), "$id": other})
        assert r.status_code == 400 and "definition.$id" in r.json()["detail"]

    def test_put_checks_references(self, api: Api) -> None:
        s = api.create("REGISTRY_SCHEMA", f.schema())
        ds = api.create("CATALOG_DATASET", f.dataset(s))
        r = api.put(
            url("CATALOG_DATASET", ds),
            json=f.dataset(f"https://ns.adobe.com/{api.tenant}/schemas/gone"),
        )
        assert r.status_code == 400 and "definition.schemaRef.id" in r.json()["detail"]

    def test_put_unknown_is_404(self, api: Api) -> None:
        r = api.put(
            url("REGISTRY_SCHEMA", f"https://ns.adobe.com/{api.tenant}/schemas/nope"),
            json=f.schema(),
        )
        assert r.status_code == 404

    def test_replace_moves_references(self, api: Api) -> None:
        s1 = api.create("REGISTRY_SCHEMA", f.schema("One"))
        s2 = api.create("REGISTRY_SCHEMA", f.schema("Two"))
        ds = api.create("CATALOG_DATASET", f.dataset(s1))
        assert api.put(url("CATALOG_DATASET", ds), json=f.dataset(s2)).status_code == 200
        assert api.delete(url("REGISTRY_SCHEMA", s1)).status_code == 204
        assert api.delete(url("REGISTRY_SCHEMA", s2)).status_code == 409

    def test_list_is_paged(self, api: Api) -> None:
        for i in range(5):
            api.create("REGISTRY_DATATYPE", f.datatype(f"T{i}"))
        r = api.get(f"{OBJ}/REGISTRY_DATATYPE?start=2&limit=2&orderby=title")
        body = r.json()
        assert r.status_code == 200
        assert body["totalElements"] == 5 and body["totalPages"] == 3
        assert body["currentPage"] == 1 and body["hasNextPage"] and body["hasPreviousPage"]
        assert [d["title"] for d in body["data"]] == ["T2", "T3"]

    def test_sandbox_header_selects_sandbox(self, api: Api) -> None:
        r = api.post(
            "/data/foundation/sandbox-management/sandboxes",
            json={"name": "dev", "title": "Dev", "type": "development"},
        )
        assert r.status_code == 201
        s = api.create("REGISTRY_SCHEMA", f.schema(), sandbox="dev")
        assert api.get(url("REGISTRY_SCHEMA", s), sandbox="dev").status_code == 200
        assert api.get(url("REGISTRY_SCHEMA", s), sandbox="prod").status_code == 404
        assert api.get(url("REGISTRY_SCHEMA", s), sandbox=None).status_code == 404

    def test_unknown_sandbox_is_404_naming_header(self, api: Api) -> None:
        r = api.get(f"{OBJ}/REGISTRY_SCHEMA", sandbox="nowhere")
        assert r.status_code == 404 and "x-sandbox-name" in r.json()["detail"]
