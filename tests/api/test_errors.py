"""Bad input never yields a 500: malformed JSON, wrong types, unknown routes and methods
all leave as JSON naming the problem."""

from __future__ import annotations

from tests.helpers import Api

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


def test_unknown_route_and_method_are_json(api: Api) -> None:
    r = api.get("/data/foundation/exim/nothing-here")
    assert r.status_code == 404 and r.json()["status"] == 404
    r = api.request("PATCH", P, json={})
    assert r.status_code == 405 and "PATCH" in r.json()["detail"]
