"""The built-in artifact types: references and rewriting for every type, new ids, redaction,
declared permissions, documentation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sandbox_tooling.artifact_type.builtin.flow import SECRET_PLACEHOLDER
from sandbox_tooling.artifact_type.plugins import load_types
from sandbox_tooling.artifact_type.spec import TypeContext
from tests import factories as f

REG = load_types()


CTX = TypeContext(org_id="X@AdobeOrg", tenant="alpha")


T = "https://ns.adobe.com/alpha"


SPEC_TYPES = {
    "JOURNEY",
    "ID_NAMESPACE",
    "REGISTRY_DATATYPE",
    "REGISTRY_CLASS",
    "REGISTRY_MIXIN",
    "REGISTRY_SCHEMA",
    "CATALOG_DATASET",
    "DULE_CONSENT_POLICY",
    "PROFILE_SEGMENT",
    "FLOW",
    "MAPPING_SET",
    "PROFILE_MERGE",
    "REGISTRY_DESCRIPTOR",
}


CASES = {
    "REGISTRY_SCHEMA": (
        f.schema("S", f"{T}/classes/c1", (f"{T}/mixins/m1",)),
        {("REGISTRY_CLASS", f"{T}/classes/c1"), ("REGISTRY_MIXIN", f"{T}/mixins/m1")},
    ),
    "REGISTRY_MIXIN": (
        f.field_group("alpha", datatype_id=f"{T}/datatypes/d1"),
        {("REGISTRY_DATATYPE", f"{T}/datatypes/d1")},
    ),
    "REGISTRY_DATATYPE": (
        f.datatype(ref=f"{T}/datatypes/d2"),
        {("REGISTRY_DATATYPE", f"{T}/datatypes/d2")},
    ),
    "REGISTRY_CLASS": (
        {"title": "C", "definitions": {"x": {"properties": {"a": {"$ref": f"{T}/datatypes/d3"}}}}},
        {("REGISTRY_DATATYPE", f"{T}/datatypes/d3")},
    ),
    "REGISTRY_DESCRIPTOR": (
        {**f.relationship(f"{T}/schemas/s1", f"{T}/schemas/s2"), "xdm:namespace": "loy"},
        {
            ("REGISTRY_SCHEMA", f"{T}/schemas/s1"),
            ("REGISTRY_SCHEMA", f"{T}/schemas/s2"),
            ("ID_NAMESPACE", "loy"),
        },
    ),
    "CATALOG_DATASET": (f.dataset(f"{T}/schemas/s1"), {("REGISTRY_SCHEMA", f"{T}/schemas/s1")}),
    "MAPPING_SET": (f.mapping_set(f"{T}/schemas/s1"), {("REGISTRY_SCHEMA", f"{T}/schemas/s1")}),
    "FLOW": (
        f.flow("a" * 32, "b" * 24),
        {("MAPPING_SET", "a" * 32), ("CATALOG_DATASET", "b" * 24)},
    ),
    "PROFILE_MERGE": (f.merge_policy(order=["c" * 24]), {("CATALOG_DATASET", "c" * 24)}),
    "PROFILE_SEGMENT": (
        f.audience("11111111-1111-1111-1111-111111111111"),
        {("PROFILE_MERGE", "11111111-1111-1111-1111-111111111111")},
    ),
    "JOURNEY": (
        {
            **f.journey("22222222-2222-2222-2222-222222222222", f"{T}/schemas/s1"),
            "nodes": [
                {
                    "id": "a",
                    "type": "readAudience",
                    "audienceId": "22222222-2222-2222-2222-222222222222",
                },
                {"id": "b", "type": "event", "eventSchemaId": f"{T}/schemas/s1"},
                {"id": "c", "type": "message", "fieldGroupId": f"{T}/mixins/m1"},
            ],
        },
        {
            ("PROFILE_SEGMENT", "22222222-2222-2222-2222-222222222222"),
            ("REGISTRY_SCHEMA", f"{T}/schemas/s1"),
            ("REGISTRY_MIXIN", f"{T}/mixins/m1"),
        },
    ),
    "ID_NAMESPACE": (f.namespace(), set()),
    "DULE_CONSENT_POLICY": (f.consent_policy(), set()),
}


def test_all_spec_types_registered() -> None:
    assert set(REG.names()) == SPEC_TYPES
    assert set(CASES) == SPEC_TYPES


@pytest.mark.parametrize("type_name", sorted(SPEC_TYPES))
def test_references_and_rewrite(type_name: str) -> None:
    atype = REG.get(type_name)
    definition, expected = CASES[type_name]
    atype.validate(definition)
    refs = {(r.type, r.id) for r in atype.references(definition) if not r.standard}
    assert refs == expected
    id_map = {key: f"NEW::{key[1]}" for key in expected}
    rewritten = atype.rewrite(definition, id_map)
    after = {(r.type, r.id) for r in atype.references(rewritten) if not r.standard}
    assert after == {(t, f"NEW::{i}") for t, i in expected}
    assert {(r.type, r.id) for r in atype.references(definition) if not r.standard} == expected


@pytest.mark.parametrize("type_name", sorted(SPEC_TYPES - {"ID_NAMESPACE"}))
def test_new_ids_are_valid(type_name: str) -> None:
    atype = REG.get(type_name)
    new = atype.new_id(CTX)
    assert atype.id_problem(new, CTX) is None
    assert atype.get_id(atype.with_id({}, new, CTX)) == new


def test_permissions_and_updates_declared() -> None:
    for atype in REG.all():
        assert atype.required_permissions()
        assert all(p.actions for p in atype.required_permissions())
    assert {t.name for t in REG.all() if t.supports_update} == {
        "REGISTRY_SCHEMA",
        "REGISTRY_MIXIN",
        "REGISTRY_DATATYPE",
        "REGISTRY_CLASS",
    }


def test_flow_redaction_keeps_shape() -> None:
    flow = REG.get("FLOW")
    d = f.flow("a" * 32, "b" * 24)
    red = flow.redact(d)
    auth = red["sourceConnections"][0]["baseConnection"]["auth"]
    assert auth["params"] == {"username": SECRET_PLACEHOLDER, "password": SECRET_PLACEHOLDER}
    assert auth["specName"] == "Basic"
    assert d["sourceConnections"][0]["baseConnection"]["auth"]["params"]["password"] == "hunter2"
    assert red["targetConnections"] == d["targetConnections"]


def test_every_type_is_documented() -> None:
    doc = (Path(__file__).parent.parent.parent / "docs" / "artifact-types.md").read_text()
    for name in SPEC_TYPES:
        assert re.search(rf"^## `{name}`", doc, re.M), f"{name} lacks a section"
