"""Sandbox management API (SPEC §10)."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.helpers import Api

SM = "/data/foundation/sandbox-management"


def create(api: Api, name: str = "dev", type_: str = "development") -> dict:
    r = api.post(f"{SM}/sandboxes", json={"name": name, "title": name.title(), "type": type_})
    assert r.status_code == 201, r.text
    return r.json()


class TestSandboxes:
    def test_create_get_list(self, api: Api) -> None:
        sb = create(api)
        assert sb["state"] == "active" and sb["type"] == "development"
        assert sb["region"] == "VA7" and sb["isDefault"] is False and "id" in sb
        assert api.get(f"{SM}/sandboxes/dev").json()["name"] == "dev"
        body = api.get(f"{SM}/sandboxes").json()
        assert [s["name"] for s in body["sandboxes"]] == ["prod", "dev"]
        assert body["_page"] == {"limit": 50, "count": 2}
        body = api.get(f"{SM}/sandboxes?limit=1&offset=1").json()
        assert [s["name"] for s in body["sandboxes"]] == ["dev"]
        assert "prev" in body["_links"] and "next" not in body["_links"]
        assert [s["name"] for s in api.get(f"{SM}/").json()["sandboxes"]] == ["prod", "dev"]

    def test_types(self, api: Api) -> None:
        assert api.get(f"{SM}/sandboxTypes").json() == {
            "sandboxTypes": ["production", "development"]
        }

    @pytest.mark.parametrize("name", ["Dev", "dev env", "-dev", "dev-", "dév", "a" * 300, ""])
    def test_bad_name_is_400(self, api: Api, name: str) -> None:
        r = api.post(f"{SM}/sandboxes", json={"name": name, "title": "t", "type": "development"})
        assert r.status_code == 400 and "name" in r.json()["detail"]

    def test_bad_type_is_400(self, api: Api) -> None:
        r = api.post(f"{SM}/sandboxes", json={"name": "x", "title": "t", "type": "test"})
        assert r.status_code == 400 and r.json()["detail"].startswith("type")

    def test_duplicate_is_409(self, api: Api) -> None:
        create(api)
        r = api.post(f"{SM}/sandboxes", json={"name": "dev", "title": "t", "type": "development"})
        assert r.status_code == 409

    def test_patch_title(self, api: Api) -> None:
        create(api)
        r = api.patch(f"{SM}/sandboxes/dev", json={"title": "Development 2"})
        assert r.status_code == 200 and r.json()["title"] == "Development 2"
        assert r.json()["eTag"] == 2
        r = api.patch(f"{SM}/sandboxes/dev", json={"name": "other"})
        assert r.status_code == 400

    def test_reset_empties(self, api: Api) -> None:
        create(api)
        f.seed_world(api, sandbox="dev")
        r = api.put(f"{SM}/sandboxes/dev?validationOnly=true", json={"action": "reset"})
        assert r.status_code == 200
        assert (
            api.get("/data/foundation/registry/objects/REGISTRY_SCHEMA", sandbox="dev").json()[
                "totalElements"
            ]
            == 2
        )
        r = api.put(f"{SM}/sandboxes/dev", json={"action": "reset"})
        assert r.status_code == 200 and r.json()["state"] == "active"
        for t in ("REGISTRY_SCHEMA", "CATALOG_DATASET", "JOURNEY"):
            assert (
                api.get(f"/data/foundation/registry/objects/{t}", sandbox="dev").json()[
                    "totalElements"
                ]
                == 0
            )
        assert api.put(f"{SM}/sandboxes/dev", json={"action": "explode"}).status_code == 400

    def test_soft_delete(self, api: Api) -> None:
        create(api)
        r = api.delete(f"{SM}/sandboxes/dev")
        assert r.status_code == 200 and r.json()["state"] == "deleted"
        assert api.get(f"{SM}/sandboxes/dev").json()["state"] == "deleted"
        assert [s["name"] for s in api.get(f"{SM}/").json()["sandboxes"]] == ["prod"]
        assert (
            api.get("/data/foundation/registry/objects/REGISTRY_SCHEMA", sandbox="dev").status_code
            == 404
        )
        assert api.delete(f"{SM}/sandboxes/dev").status_code == 404
        create(api)  # the name is free again

    def test_default_prod_cannot_be_deleted(self, api: Api) -> None:
        r = api.delete(f"{SM}/sandboxes/prod")
        assert r.status_code == 400 and "default" in r.json()["detail"]

    @pytest.mark.parametrize(
        "query",
        ["limit=5", "offset=1", "limit=0&offset=0", "limit=5&offset=-1", "limit=x&offset=0"],
    )
    def test_bad_paging_is_400(self, api: Api, query: str) -> None:
        assert api.get(f"{SM}/sandboxes?{query}").status_code == 400

    def test_unknown_is_404(self, api: Api) -> None:
        assert api.get(f"{SM}/sandboxes/nope").status_code == 404
        assert api.patch(f"{SM}/sandboxes/nope", json={"title": "t"}).status_code == 404
