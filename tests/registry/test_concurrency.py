"""Concurrent creates of one object: one wins, the others are told (409), never a 500."""

from __future__ import annotations

from collections import Counter

from tests import factories as f
from tests.helpers import Api, concurrently

OBJ = "/data/foundation/registry/objects"


def test_same_namespace_created_at_once(api: Api) -> None:
    codes = concurrently(
        6, lambda i: api.post(f"{OBJ}/ID_NAMESPACE", json=f.namespace("race")).status_code
    )
    assert Counter(codes) == {201: 1, 409: 5}, codes


def test_same_objects_batched_at_once(api: Api) -> None:
    items = [{"type": "ID_NAMESPACE", "definition": f.namespace(f"b{i}")} for i in range(20)]
    codes = concurrently(
        4, lambda i: api.post("/data/foundation/registry/objects:batch", json=items).status_code
    )
    assert Counter(codes) == {201: 1, 409: 3}, codes
