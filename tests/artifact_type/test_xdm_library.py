"""The public XDM component library end to end (issue 10): every class, data type and field
group loaded under a tenant, a schema per class, a FULL package imported into an empty
sandbox and into another org, definitions compared with the originals, and a compare.

How the library maps to sbx objects is described in ``tests/xdm_library.py`` and in
``docs/artifact-types.md``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from sandbox_tooling.kit import pointer
from sandbox_tooling.runtime import Runtime as AppState
from tests import xdm_library
from tests.helpers import Api, make_api, objects, run_import, sandbox
from tests.sharing.helpers import link, wait_transfer
from tests.xdm_library import Library, move, split

P = "/data/foundation/exim/packages"
OBJ = "/data/foundation/registry/objects"
XDM_TYPES = ("REGISTRY_CLASS", "REGISTRY_DATATYPE", "REGISTRY_MIXIN", "REGISTRY_SCHEMA")
# Tenants that the library's text never mentions, so "no trace" can be checked on all of it.
SOURCE_TENANT, OTHER_TENANT = "acmelib", "globexlib"
SOURCE_ORG = "DDDD4444DDDD4444DDDD4444@AdobeOrg"
OTHER_ORG = "EEEE5555EEEE5555EEEE5555@AdobeOrg"


@pytest.fixture
def source(client: TestClient, state: AppState) -> Api:
    return make_api(client, state, SOURCE_ORG, SOURCE_TENANT)


@pytest.fixture
def other(client: TestClient, state: AppState) -> Api:
    return make_api(client, state, OTHER_ORG, OTHER_TENANT)


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return xdm_library.read(SOURCE_TENANT, tmp_path)


def url(type_name: str, object_id: str) -> str:
    return f"{OBJ}/{type_name}/{quote(object_id, safe='')}"


def without_alt_id(definition: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in definition.items() if k != "meta:altId"}


def alt_id(object_id: str) -> str:
    tenant, segment, name = object_id.removeprefix("https://ns.adobe.com/").split("/")
    return f"_{tenant}.{segment}.{name}"


def load(api: Api, library: Library) -> None:
    """Every document through the registry API, dependencies first, each with its own id.

    A field group meant for a class that is not loaded yet (the library's one reference
    cycle: record-status and the B2B classes that embed it) is created without that class
    in ``meta:intendedToExtend`` and given its whole definition once the class exists.
    """
    loaded: set[str] = set()
    later = []
    for doc in library.load_order():
        waiting = {library.id_map[d] for d in doc.soft_deps if d not in loaded}
        definition = doc.definition
        if waiting:
            later.append(doc)
            definition = {
                **definition,
                "meta:intendedToExtend": [
                    u for u in definition["meta:intendedToExtend"] if split(u)[0] not in waiting
                ],
            }
        r = api.post(f"{OBJ}/{doc.type}", json=definition)
        assert r.status_code == 201, (doc.path, r.text)
        assert r.json()["id"] == doc.new_id
        loaded.add(doc.old_id)
    for doc in later:
        r = api.put(url(doc.type, doc.new_id), json=doc.definition)
        assert r.status_code == 200, (doc.path, r.text)


def class_schemas(api: Api, library: Library) -> dict[str, str]:
    """For every class, a schema of the class and every field group meant to extend it.
    Returns class id → schema id."""
    out = {}
    docs = sorted(library.documents.values(), key=lambda d: d.old_id)
    for cls in (d for d in docs if d.type == "REGISTRY_CLASS"):
        groups = [
            d.new_id
            for d in docs
            if d.type == "REGISTRY_MIXIN"
            and cls.old_id in d.original.get("meta:intendedToExtend", [])
        ]
        schema = {
            "title": f"{cls.original['title']} ({cls.old_id})",
            "type": "object",
            "meta:class": cls.new_id,
            "allOf": [{"$ref": cls.new_id}] + [{"$ref": g} for g in groups],
            "meta:extends": [cls.new_id, *groups],
        }
        out[cls.new_id] = api.create("REGISTRY_SCHEMA", schema)
    return out


def xdm_objects(api: Api, sandbox_name: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {k: o for k, o in objects(api, sandbox_name).items() if k[0] in XDM_TYPES}


def check_unchanged(
    library: Library,
    source_schemas: dict[str, dict[str, Any]],
    imported: dict[tuple[str, str], dict[str, Any]],
    mapping: dict[str, str],
) -> None:
    """Every imported definition is the original with its ids mapped: the library
    documents against the published files, the schemas against the source's."""
    assert len(imported) == len(library.documents) + len(source_schemas)
    by_library_id = {old: mapping[new] for old, new in library.id_map.items()}
    for doc in library.documents.values():
        obj = imported[(doc.type, mapping[doc.new_id])]
        assert without_alt_id(obj["definition"]) == move(doc.original, by_library_id), doc.path
        assert obj["definition"]["meta:altId"] == alt_id(obj["id"])
        assert obj["title"] == doc.original["title"]
    for schema_id, definition in source_schemas.items():
        obj = imported[("REGISTRY_SCHEMA", mapping[schema_id])]
        assert without_alt_id(obj["definition"]) == without_alt_id(move(definition, mapping))


def keys_and_ids(node: Any, out: list[str]) -> list[str]:
    """Every key and every string that is an id or a reference (``$id``, ``$ref``,
    ``meta:*``) of a definition."""
    if isinstance(node, dict):
        for key, value in node.items():
            out.append(key)
            if key in ("$id", "$ref", "meta:altId", *xdm_library.META_REFS):
                out.extend(v for v in (value if isinstance(value, list) else [value]))
            keys_and_ids(value, out)
    elif isinstance(node, list):
        for value in node:
            keys_and_ids(value, out)
    return out


def parts_resolve(objs: dict[tuple[str, str], dict[str, Any]]) -> int:
    """Every ``<id>#<pointer>`` naming an object of ``objs`` points at something inside it.
    Returns how many there are."""
    definitions = {k[1]: o["definition"] for k, o in objs.items()}
    count = 0
    for obj in objs.values():
        for _where, uri in xdm_library.named(obj["definition"]):
            base, fragment = split(uri)
            if fragment and base in definitions and base != obj["id"]:
                pointer.get(definitions[base], fragment[1:])  # raises if it does not resolve
                count += 1
    return count


def test_whole_library_moves_between_sandboxes_and_orgs(
    source: Api, other: Api, library: Library
) -> None:
    started = time.monotonic()
    assert len(library.documents) == 435  # 438 files, the 3 behaviours stay standard
    load(source, library)
    loaded = xdm_objects(source, "prod")
    assert len(loaded) == len(library.documents)
    for doc in library.documents.values():
        obj = loaded[(doc.type, doc.new_id)]
        assert without_alt_id(obj["definition"]) == doc.definition, doc.path
    schemas = class_schemas(source, library)
    assert len(schemas) == sum(d.type == "REGISTRY_CLASS" for d in library.documents.values())
    source_objects = xdm_objects(source, "prod")
    source_schemas = {
        k[1]: o["definition"] for k, o in source_objects.items() if k[0] == "REGISTRY_SCHEMA"
    }

    # A FULL package of the sandbox, imported into an empty one of the same org.
    r = source.post(
        P, json={"name": "XDM library", "packageType": "FULL", "sourceSandbox": {"name": "prod"}}
    )
    assert r.status_code == 200, r.text
    full = r.json()["id"]
    published = source.publish(full)
    assert published["jobStatus"] == "SUCCESS", published
    assert published["snapshot"]["artifactCount"] == len(source_objects)
    # The package's graph: a document's children are the library documents it names,
    # through a fragment (forecasted-weather uses parts of current-weather) or not.
    r = source.post(
        f"{P}/{full}/children",
        json=[{"id": d.new_id, "type": d.type} for d in library.documents.values()],
    )
    assert r.status_code == 200, r.text
    by_new_id = library.by_new_id()
    for entry in r.json():
        doc = by_new_id[entry["id"]]
        expected = {library.id_map[d] for d in doc.deps}
        assert {c["id"] for c in entry["children"]} == expected, doc.path
    sandbox(source, "dev")
    job = run_import(source, full, "dev")
    assert job["jobStatus"] == "SUCCESS", job.get("errorMessage")
    assert job["summary"]["create"] == len(source_objects)
    mapping = job["importReplacementMap"]
    check_unchanged(library, source_schemas, xdm_objects(source, "dev"), mapping)

    # Into another org: the tenant is rewritten everywhere.
    link(source, other)
    r = source.post(
        "/data/foundation/exim/transfer",
        json={"packageId": full, "targets": [{"imsOrgId": OTHER_ORG}]},
    )
    assert r.status_code == 200, r.text
    transfer = wait_transfer(source, r.json()[0]["id"])
    assert transfer["status"] == "COMPLETED", transfer
    job = run_import(other, transfer["targetPackageId"], "prod")
    assert job["jobStatus"] == "SUCCESS", job.get("errorMessage")
    received = xdm_objects(other, "prod")
    check_unchanged(library, source_schemas, received, job["importReplacementMap"])
    for obj in received.values():
        assert obj["id"].startswith(f"https://ns.adobe.com/{OTHER_TENANT}/")
        assert not any(SOURCE_TENANT in s for s in keys_and_ids(obj["definition"], []))
    assert SOURCE_TENANT not in json.dumps(list(received.values()))
    assert parts_resolve(received) == parts_resolve(source_objects) > 150

    # Compare: a FULL package is not VERSIONABLE, so the same objects go into a PARTIAL
    # package (every one a root) whose compare pairs them with the import's copies.
    r = source.post(
        P,
        json={
            "name": "XDM library, versionable",
            "packageType": "PARTIAL",
            "sourceSandbox": {"name": "prod"},
            "artifacts": [{"id": i, "type": t} for t, i in sorted(source_objects)],
        },
    )
    assert r.status_code == 200, r.text
    partial = r.json()["id"]
    assert source.publish(partial)["jobStatus"] == "SUCCESS"
    r = source.post(
        f"{P}/{partial}/version/compare",
        json={
            "triggerNew": True,
            "targetSandbox": "dev",
            "overwriteMappings": {i: {"id": mapping[i], "type": t} for t, i in source_objects},
        },
    )
    assert r.status_code == 200, r.text
    compared = source.wait_job(r.json()["object"]["id"])
    assert compared["jobStatus"] == "SUCCESS", compared.get("errorMessage")
    delta = compared["deltaPackageVersion"]
    assert delta["validated"] is True
    assert delta["eximGraphDelta"] == {"vertices": [], "pluginDeltas": []}
    print(f"\nXDM library round trip: {time.monotonic() - started:.1f}s")


def test_titles_shared_in_the_package_are_kept(api: Api) -> None:
    """The library has data types and field groups sharing a title: an import keeps them
    as they are, and suffixes (distinctly) only titles the target had before."""
    for _ in range(2):
        api.create("REGISTRY_DATATYPE", {"title": "Impressions", "type": "object"})
    r = api.post(
        P, json={"name": "twins", "packageType": "FULL", "sourceSandbox": {"name": "prod"}}
    )
    full = r.json()["id"]
    assert api.publish(full)["jobStatus"] == "SUCCESS"
    sandbox(api, "dev")
    assert run_import(api, full, "dev")["jobStatus"] == "SUCCESS"
    assert [o["title"] for o in objects(api, "dev").values()] == ["Impressions"] * 2
    sandbox(api, "qa")
    api.create("REGISTRY_DATATYPE", {"title": "Impressions", "type": "object"}, "qa")
    assert run_import(api, full, "qa")["jobStatus"] == "SUCCESS"
    titles = sorted(o["title"] for o in objects(api, "qa").values())
    assert titles[0] == "Impressions" and len(set(titles)) == 3
    assert titles[1].startswith("Impressions_") and titles[2] == titles[1] + "_2"
