"""Unit tests of tenant rewriting: XDM ids, ``_{tenant}`` tokens in keys, pointers, dotted
paths and expressions; nothing else."""

from __future__ import annotations

import pytest

from sandbox_tooling.kit.tenant import TenantRewriter

R = TenantRewriter("acme", "globex")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("https://ns.adobe.com/acme/schemas/abc", "https://ns.adobe.com/globex/schemas/abc"),
        ("_acme", "_globex"),
        ("_acme.loyaltyId", "_globex.loyaltyId"),
        ("/_acme/storeId", "/_globex/storeId"),
        ("_acme.schemas.abc", "_globex.schemas.abc"),
        ('_acme.loyalty.tier = "gold" and _acme.x', '_globex.loyalty.tier = "gold" and _globex.x'),
        (
            "https://ns.adobe.com/acme/mixins/m#/_acme",
            "https://ns.adobe.com/globex/mixins/m#/_globex",
        ),
    ],
)
def test_rewritten(before: str, after: str) -> None:
    assert R.text(before) == after


@pytest.mark.parametrize(
    "kept",
    [
        "acme",  # the bare name is not a tenant reference
        "_acmecorp",  # another tenant
        "x_acme",
        "_acme_x",
        "acme_",
        "https://ns.adobe.com/acmecorp/schemas/a",
        "https://ns.adobe.com/xdm/context/profile",
        "Acme loyalty programme",
        "_ACME",
    ],
)
def test_kept(kept: str) -> None:
    assert R.text(kept) == kept


def test_text_without_the_tenant_is_returned_as_is() -> None:
    value = "nothing to do here"
    assert R.text(value) is value


def test_document_rewrites_keys_and_strings_in_a_copy() -> None:
    doc = {
        "$id": "https://ns.adobe.com/acme/schemas/s",
        "definitions": {
            "main": {"properties": {"_acme": {"properties": {"n": {"type": "integer"}}}}}
        },
        "allOf": [{"$ref": "https://ns.adobe.com/acme/mixins/m"}, {"$ref": "#/definitions/main"}],
        "count": 3,
        "flag": True,
        "none": None,
        "mappings": [{"destination": "_acme.loyaltyId", "source": "acme_id"}],
    }
    out = R.document(doc)
    assert out == {
        "$id": "https://ns.adobe.com/globex/schemas/s",
        "definitions": {
            "main": {"properties": {"_globex": {"properties": {"n": {"type": "integer"}}}}}
        },
        "allOf": [{"$ref": "https://ns.adobe.com/globex/mixins/m"}, {"$ref": "#/definitions/main"}],
        "count": 3,
        "flag": True,
        "none": None,
        "mappings": [{"destination": "_globex.loyaltyId", "source": "acme_id"}],
    }
    assert doc["$id"] == "https://ns.adobe.com/acme/schemas/s"  # the input is untouched
    assert "_acme" in doc["definitions"]["main"]["properties"]


def test_tenant_with_regex_characters() -> None:
    r = TenantRewriter("a.b", "c")
    assert r.text("_a.b.x") == "_c.x"
    assert r.text("_aXb.x") == "_aXb.x"
