"""The ASGI middleware: body size limit, the Content-Type rule, trailing slashes."""

from __future__ import annotations

from tests.helpers import Api

P = "/data/foundation/exim/packages"


def test_oversized_body_is_413(api: Api) -> None:
    big = b'{"name": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    r = api.post(P, content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "limit" in r.json()["detail"]


def test_wrong_content_type_is_400(api: Api) -> None:
    r = api.post(P, content=b'{"name": "x"}', headers={"Content-Type": "text/plain"})
    assert r.status_code == 400 and "content-type" in r.json()["detail"]


def test_trailing_slashes_as_in_the_documents(api: Api) -> None:
    r = api.post(f"{P}/", json={"name": "slash", "packageType": "FULL"})
    assert r.status_code == 200, r.text
    assert api.get(f"{P}/{r.json()['id']}/").json()["name"] == "slash"
    assert api.get("/data/foundation/sandbox-management/").status_code == 200
    assert api.get("/data/foundation/sandbox-management").status_code == 200
