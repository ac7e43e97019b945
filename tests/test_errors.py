"""Bad input never yields a 500: malformed JSON, wrong types, size, content type, routes."""

from __future__ import annotations

from tests.conftest import Api

P = "/data/foundation/exim/packages"


def test_malformed_json_is_400(api: Api) -> None:
    r = api.post(P, content=b'{"name": ', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["detail"].startswith("body: malformed JSON")


def test_missing_body_is_400(api: Api) -> None:
    r = api.post(P, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "body" in r.json()["detail"]


def test_wrong_types_are_400(api: Api) -> None:
    r = api.post(P, json={"name": ["a"], "packageType": "PARTIAL"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "name"
    r = api.post(
        P, json={"name": "a", "packageType": "PARTIAL", "artifacts": [{"id": 5, "type": []}]}
    )
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} == {"artifacts[0].id", "artifacts[0].type"}


def test_body_must_be_object(api: Api) -> None:
    r = api.post(P, json=[1])
    assert r.status_code == 400


def test_oversized_body_is_413(api: Api) -> None:
    big = b'{"name": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    r = api.post(P, content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "limit" in r.json()["detail"]


def test_wrong_content_type_is_400(api: Api) -> None:
    r = api.post(P, content=b'{"name": "x"}', headers={"Content-Type": "text/plain"})
    assert r.status_code == 400 and "content-type" in r.json()["detail"]


def test_unknown_route_and_method_are_json(api: Api) -> None:
    r = api.get("/data/foundation/exim/nothing-here")
    assert r.status_code == 404 and r.json()["status"] == 404
    r = api.request("PATCH", P, json={})
    assert r.status_code == 405 and "PATCH" in r.json()["detail"]


def test_openapi_is_served(api: Api) -> None:
    r = api.client.get("/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/data/foundation/exim/packages/{package_id}/export" in paths
    assert "/data/foundation/registry/objects/{type_name}" in paths


def test_trailing_slashes_as_in_the_documents(api: Api) -> None:
    r = api.post(f"{P}/", json={"name": "slash", "packageType": "FULL"})
    assert r.status_code == 200, r.text
    assert api.get(f"{P}/{r.json()['id']}/").json()["name"] == "slash"
    assert api.get("/data/foundation/sandbox-management/").status_code == 200
    assert api.get("/data/foundation/sandbox-management").status_code == 200
