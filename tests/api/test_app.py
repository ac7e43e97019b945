"""The application: every router mounted and described in OpenAPI."""

from __future__ import annotations

from tests.helpers import Api


def test_openapi_is_served(api: Api) -> None:
    r = api.client.get("/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/data/foundation/exim/packages/{package_id}/export" in paths
    assert "/data/foundation/registry/objects/{type_name}" in paths
