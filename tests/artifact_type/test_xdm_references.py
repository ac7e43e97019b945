"""XDM references with JSON-pointer fragments (``<resource id>#/definitions/x``): a reference
to the resource in every respect (validation, deletes, closures, imports, cross-tenant
rewrites, conflict check, compare, update), the fragment kept wherever the id changes."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests import factories as f
from tests.helpers import Api, objects, package, run_import, sandbox
from tests.sharing.helpers import link, wait_transfer
from tests.version.helpers import compare, deltas, update

P = "/data/foundation/exim/packages"
OBJ = "/data/foundation/registry/objects"
PART = "#/definitions/tier"


def url(type_name: str, object_id: str) -> str:
    return f"{OBJ}/{type_name}/{quote(object_id, safe='')}"


def tiers(tenant: str) -> dict[str, Any]:
    """A data type whose parts others use: ``#/definitions/tier``."""
    return {
        "title": "Tiers",
        "type": "object",
        "definitions": {
            "tier": {
                "properties": {
                    f"_{tenant}": {"type": "object", "properties": {"tier": {"type": "string"}}}
                }
            },
        },
        "allOf": [{"$ref": "#/definitions/tier"}],
    }


def mixin_using(tenant: str, dt: str, whole: str | None = None) -> dict[str, Any]:
    """A field group with a field typed by a part of ``dt`` (as the library's
    forecasted-weather uses current-weather's temperature), and one typed by ``whole``."""
    group = f.field_group(tenant, "Loyalty tiers")
    inner = group["definitions"]["main"]["properties"][f"_{tenant}"]["properties"]
    inner["tier"] = {"$ref": dt + PART}
    if whole:
        inner["gold"] = {"$ref": whole}
    return group


def ref_of(group: dict[str, Any], tenant: str) -> str:
    inner = group["definitions"]["main"]["properties"][f"_{tenant}"]["properties"]
    return str(inner["tier"]["$ref"])


@pytest.fixture
def world(api: Api) -> dict[str, str]:
    """A data type, a data type extending a part of it, a field group using a part of the
    first and the whole second, and a schema of the field group."""
    ids = {"dt": api.create("REGISTRY_DATATYPE", tiers(api.tenant))}
    ids["sub"] = api.create(
        "REGISTRY_DATATYPE",
        {
            "title": "Gold tier",
            "type": "object",
            "meta:extends": [ids["dt"] + PART],
            "allOf": [{"$ref": ids["dt"] + PART}],
        },
    )
    ids["fg"] = api.create("REGISTRY_MIXIN", mixin_using(api.tenant, ids["dt"], ids["sub"]))
    ids["schema"] = api.create("REGISTRY_SCHEMA", f.schema(groups=(ids["fg"],)))
    sandbox(api, "dev")
    return ids


class TestValidation:
    def test_reference_to_a_part_is_accepted_and_kept(
        self, api: Api, world: dict[str, str]
    ) -> None:
        fg = api.get(url("REGISTRY_MIXIN", world["fg"])).json()["definition"]
        assert ref_of(fg, api.tenant) == world["dt"] + PART

    def test_resource_must_exist(self, api: Api) -> None:
        gone = f"https://ns.adobe.com/{api.tenant}/datatypes/gone"
        r = api.post(f"{OBJ}/REGISTRY_MIXIN", json=mixin_using(api.tenant, gone))
        assert r.status_code == 400
        detail = r.json()["detail"]
        assert detail.startswith("definition.definitions.main.properties._alpha.properties.tier")
        assert f"REGISTRY_DATATYPE '{gone}' does not exist" in detail

    @pytest.mark.parametrize("fragment", ["#tier", "#definitions/tier", "#/definitions/a~2b"])
    def test_fragment_must_be_a_json_pointer(
        self, api: Api, world: dict[str, str], fragment: str
    ) -> None:
        group = mixin_using(api.tenant, world["dt"])
        group["definitions"]["main"]["properties"]["_alpha"]["properties"]["tier"] = {
            "$ref": world["dt"] + fragment
        }
        r = api.post(f"{OBJ}/REGISTRY_MIXIN", json=group)
        assert r.status_code == 400
        assert "is not a JSON pointer" in r.json()["detail"] and fragment in r.json()["detail"]

    @pytest.mark.parametrize(
        ("key", "target"),
        [
            ("allOf", "http://schema.org/GeoCircle#/definitions/geo"),  # not an XDM id
            ("allOf", "https://ns.adobe.com/bravo/datatypes/abc#/definitions/x"),  # other tenant
            ("allOf", ""),
            ("meta:extends", "#/definitions/main"),  # a local part is not a resource
        ],
    )
    def test_rules_of_ids_still_hold(self, api: Api, key: str, target: str) -> None:
        group = f.field_group(api.tenant)
        if key == "allOf":
            group["allOf"].append({"$ref": target})
        else:
            group[key] = [target]
        r = api.post(f"{OBJ}/REGISTRY_MIXIN", json=group)
        assert r.status_code == 400, r.text
        assert r.json()["detail"].startswith(f"definition.{key}[")

    def test_standard_and_own_parts(self, api: Api) -> None:
        own = f"https://ns.adobe.com/{api.tenant}/mixins/self"
        group = {
            **f.field_group(api.tenant),
            "$id": own,
            "allOf": [
                {"$ref": "#/definitions/main"},
                {"$ref": "https://ns.adobe.com/xdm/common/extensible#/definitions/@context"},
                {"$ref": own + "#/definitions/main"},
            ],
        }
        assert api.create("REGISTRY_MIXIN", group) == own
        # neither is a reference to an object of the sandbox: nothing blocks the delete
        assert api.delete(url("REGISTRY_MIXIN", own)).status_code == 204

    def test_resource_used_in_part_cannot_be_deleted(self, api: Api, world: dict[str, str]) -> None:
        r = api.delete(url("REGISTRY_DATATYPE", world["dt"]))
        assert r.status_code == 409
        users = {(e["type"], e["id"]) for e in r.json()["errors"]}
        assert users == {("REGISTRY_MIXIN", world["fg"]), ("REGISTRY_DATATYPE", world["sub"])}


class TestPackages:
    def test_closure_import_compare_update(self, api: Api, world: dict[str, str]) -> None:
        pid = package(api, [("REGISTRY_SCHEMA", world["schema"])])
        r = api.post(
            f"{P}/{pid}/children",
            json=[
                {"id": world["fg"], "type": "REGISTRY_MIXIN"},
                {"id": world["sub"], "type": "REGISTRY_DATATYPE"},
            ],
        )
        assert r.status_code == 200, r.text
        children = {e["id"]: {c["id"] for c in e["children"]} for e in r.json()}
        assert children == {world["fg"]: {world["dt"], world["sub"]}, world["sub"]: {world["dt"]}}

        job = run_import(api, pid)
        assert job["jobStatus"] == "SUCCESS", job
        m = job["importReplacementMap"]
        assert set(m) == {world["dt"], world["sub"], world["fg"], world["schema"]}
        dev = objects(api, "dev")
        fg = dev[("REGISTRY_MIXIN", m[world["fg"]])]["definition"]
        assert ref_of(fg, api.tenant) == m[world["dt"]] + PART
        sub = dev[("REGISTRY_DATATYPE", m[world["sub"]])]["definition"]
        assert sub["meta:extends"] == [m[world["dt"]] + PART]
        assert sub["allOf"] == [{"$ref": m[world["dt"]] + PART}]

        # the conflict check finds the copies; a compare finds nothing to change
        r = api.get(f"{P}/{pid}/import?targetSandbox=dev")
        assert r.status_code == 200, r.text
        assert {e["artifact"]["id"] for e in r.json()} == set(m)
        assert deltas(compare(api, pid, targetSandbox="dev")) == {}

        # a change in the source: reported, then written over the copy, the fragment kept
        source = api.get(url("REGISTRY_MIXIN", world["fg"])).json()["definition"]
        inner = source["definitions"]["main"]["properties"]["_alpha"]["properties"]
        inner["points"] = {"type": "integer"}
        assert api.put(url("REGISTRY_MIXIN", world["fg"]), json=source).status_code == 200
        found = deltas(compare(api, pid, targetSandbox="dev", triggerNew=True))
        assert found == {
            world["fg"]: [
                {
                    "op": "add",
                    "path": "/definitions/main/properties/_alpha/properties/points",
                    "newValue": {"type": "integer"},
                }
            ]
        }
        r = api.post(f"{P}/{pid}/version/save")
        assert api.wait_job(r.json()["id"])["jobStatus"] == "SUCCESS"
        job = update(api, pid)
        assert job["jobStatus"] == "SUCCESS", job
        assert job["updatedObjects"] == [{"type": "REGISTRY_MIXIN", "id": m[world["fg"]]}]
        fg = api.get(url("REGISTRY_MIXIN", m[world["fg"]]), sandbox="dev").json()["definition"]
        assert ref_of(fg, api.tenant) == m[world["dt"]] + PART
        assert "points" in fg["definitions"]["main"]["properties"]["_alpha"]["properties"]
        assert deltas(compare(api, pid, targetSandbox="dev", triggerNew=True)) == {}

    def test_other_tenant_gets_the_parts_under_its_own_ids(
        self, api: Api, api_b: Api, world: dict[str, str]
    ) -> None:
        pid = package(api, [("REGISTRY_SCHEMA", world["schema"])])
        link(api, api_b)
        r = api.post(
            "/data/foundation/exim/transfer",
            json={"packageId": pid, "targets": [{"imsOrgId": api_b.org_id}]},
        )
        transfer = wait_transfer(api, r.json()[0]["id"])
        assert transfer["status"] == "COMPLETED", transfer
        job = run_import(api_b, transfer["targetPackageId"], "prod")
        assert job["jobStatus"] == "SUCCESS", job
        m = job["importReplacementMap"]
        fg = api_b.get(url("REGISTRY_MIXIN", m[world["fg"]])).json()["definition"]
        assert m[world["dt"]].startswith("https://ns.adobe.com/bravo/datatypes/")
        assert ref_of(fg, "bravo") == m[world["dt"]] + PART
        dt = api_b.get(url("REGISTRY_DATATYPE", m[world["dt"]])).json()["definition"]
        # the part still exists in the copy: the pointer follows the tenant's key
        assert "_bravo" in dt["definitions"]["tier"]["properties"]
        sub = api_b.get(url("REGISTRY_DATATYPE", m[world["sub"]])).json()["definition"]
        assert sub["meta:extends"] == [m[world["dt"]] + PART]
