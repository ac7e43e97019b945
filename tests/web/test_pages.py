"""The console's pages over HTTP (TestClient): every screen renders, forms do what the API
does, errors are pages with the service's message, permissions are the API's."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from sandbox_tooling.runtime import Runtime
from tests.factories import datatype, seed_world
from tests.helpers import ORG_B, Api, P, make_api, package, run_import, sandbox
from tests.sharing.helpers import link
from tests.web.helpers import add_user, post, sign_in

FLASH = re.compile(r'<div class="flash (\w+)" role="\w+">([^<]*)</div>')


def flashes(client: TestClient, path: str) -> list[tuple[str, str]]:
    return [
        (k, t.replace("&#39;", "'").replace("&#34;", '"'))
        for k, t in FLASH.findall(client.get(path).text)
    ]


@pytest.fixture
def world(api: Api) -> dict[str, str]:
    ids = seed_world(api)
    sandbox(api, "dev")
    return ids


def draft(api: Api, roots: list[tuple[str, str]], name: str = "draft") -> str:
    r = api.post(
        P,
        json={
            "name": name,
            "packageType": "PARTIAL",
            "artifacts": [{"id": i, "type": t} for t, i in roots],
        },
    )
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


class TestScreens:
    def test_every_screen_renders(
        self, console: TestClient, api: Api, world: dict[str, str]
    ) -> None:
        pid = package(api, [("REGISTRY_SCHEMA", world["schema"])], name="published")
        job = run_import(api, pid, "dev")
        pages = [
            "/console/sandboxes",
            "/console/objects",
            "/console/objects?type=CATALOG_DATASET&q=a",
            f"/console/object?type=REGISTRY_SCHEMA&id={quote(world['schema'], safe='')}",
            "/console/packages",
            "/console/packages?status=PUBLISHED&type=PARTIAL&visibility=PRIVATE&q=pub&sort=name",
            "/console/packages/new",
            f"/console/packages/{pid}",
            f"/console/packages/{pid}/versions",
            "/console/jobs",
            "/console/jobs?kind=import&status=SUCCESS",
            f"/console/jobs/{job['id']}",
            "/console/partners",
            f"/console/import?package={pid}",
            f"/console/import/plan?package={pid}&target=dev",
        ]
        for path in pages:
            r = console.get(path)
            assert r.status_code == 200, (path, r.text[:3000])
            assert r.headers["content-type"].startswith("text/html")
            assert "Traceback" not in r.text

    def test_sandboxes_list_counts_objects_by_type(
        self, console: TestClient, world: dict[str, str]
    ) -> None:
        text = console.get("/console/sandboxes").text
        assert re.search(r'<td class="num">15</td>', text)  # one object of every type
        assert "2 XDM schema" in text and "2 XDM descriptor" in text

    def test_the_object_page_shows_both_directions(
        self, console: TestClient, world: dict[str, str]
    ) -> None:
        text = console.get(
            f"/console/object?type=REGISTRY_MIXIN&id={quote(world['fg'], safe='')}"
        ).text
        assert "Loyalty" in text and "&#34;meta:intendedToExtend&#34;" in text
        references = text.split("<h2>References")[1].split("<h2>Referenced by")[0]
        assert "Tier" in references  # the data type it uses
        referrers = text.split("<h2>Referenced by")[1]
        assert "Members" in referrers  # the schema that uses it

    def test_search_and_paging_of_objects(self, console: TestClient, api: Api) -> None:
        ids = [api.create("REGISTRY_DATATYPE", datatype(title=f"Type {i:02d}")) for i in range(55)]
        first = console.get("/console/objects?type=REGISTRY_DATATYPE").text
        assert "1\u201350 of 55" in first and "Type 00" in first and "Type 50" not in first
        second = console.get("/console/objects?type=REGISTRY_DATATYPE&start=50").text
        assert "51\u201355 of 55" in second and "Type 54" in second
        middle = console.get("/console/objects?type=REGISTRY_DATATYPE&start=20").text
        assert re.findall(r">Type (\d\d)</a>", middle) == [f"{i:02d}" for i in range(20, 55)]
        found = console.get("/console/objects?type=REGISTRY_DATATYPE&q=type 4").text
        assert "Type 41" in found and "Type 31" not in found
        by_id = console.get(f"/console/objects?type=REGISTRY_DATATYPE&q={quote(ids[7], safe='')}")
        assert re.findall(r">Type (\d\d)</a>", by_id.text) == ["07"]
        partial = console.get(
            "/console/objects?type=REGISTRY_DATATYPE&q=42",
            headers={"HX-Request": "true", "HX-Target": "inventory"},
        ).text
        assert "<html" not in partial and "Type 42" in partial

    def test_the_graph_json(self, console: TestClient, api: Api, world: dict[str, str]) -> None:
        pid = draft(api, [("JOURNEY", world["journey"])])
        data = console.get(f"/console/packages/{pid}/graph.json").json()
        assert len(data["nodes"]) == 12 and data["collapse"] is False
        roots = [n for n in data["nodes"] if n["root"]]
        assert [n["type"] for n in roots] == ["JOURNEY"]
        assert data["types"]["REGISTRY_SCHEMA"]["count"] == 2
        assert all(0 <= a < 12 and 0 <= b < 12 for a, b in data["edges"])

    def test_switching_sandboxes(self, console: TestClient, world: dict[str, str]) -> None:
        r = post(
            console,
            "/console/switch-sandbox",
            {"sandbox": "dev", "next": "/console/objects"},
            "/console/sandboxes",
        )
        assert r.status_code == 303 and r.headers["location"] == "/console/objects"
        assert "in dev (dev)" in console.get("/console/objects").text

    def test_htmx_fragments(self, console: TestClient, world: dict[str, str]) -> None:
        r = console.get(
            "/console/packages?q=x", headers={"HX-Request": "true", "HX-Target": "package-list"}
        )
        assert r.status_code == 200 and "<html" not in r.text and "No package matches" in r.text


class TestForms:
    def test_add_objects_to_a_new_package_then_to_the_draft(
        self, console: TestClient, api: Api, world: dict[str, str]
    ) -> None:
        r = post(
            console,
            "/console/objects/add-to-package",
            {
                "object": [f"REGISTRY_SCHEMA|{world['schema']}", f"CATALOG_DATASET|{world['ds']}"],
                "target": "new",
                "name": "From the console",
                "description": "two roots",
            },
            "/console/objects",
        )
        assert r.status_code == 303
        pid = r.headers["location"].rsplit("/", 1)[1]
        pkg = api.get(f"{P}/{pid}").json()
        assert pkg["name"] == "From the console" and pkg["status"] == "DRAFT"
        assert {a["type"] for a in pkg["artifactsList"]} == {"REGISTRY_SCHEMA", "CATALOG_DATASET"}
        r = post(
            console,
            "/console/objects/add-to-package",
            {"object": [f"JOURNEY|{world['journey']}"], "target": "existing", "package": pid},
            "/console/objects",
        )
        assert len(api.get(f"{P}/{pid}").json()["artifactsList"]) == 3
        r = post(
            console,
            f"/console/packages/{pid}/remove-roots",
            {"root": [f"JOURNEY|{world['journey']}"]},
            f"/console/packages/{pid}",
        )
        assert len(api.get(f"{P}/{pid}").json()["artifactsList"]) == 2

    def test_a_service_error_is_shown_with_its_message(
        self, console: TestClient, world: dict[str, str]
    ) -> None:
        r = post(
            console,
            "/console/objects/add-to-package",
            {"object": [f"PROFILE_MERGE|{world['merge']}"], "target": "new", "name": "x"},
            "/console/objects",
        )
        assert r.status_code == 303 and r.headers["location"] == "/console/objects"
        [(kind, text)] = flashes(console, "/console/objects")
        assert kind == "error" and text.startswith("InvalidArtifacts: artifacts[0].type:")
        post(
            console,
            "/console/sandboxes",
            {"name": "Bad Name", "type": "development"},
            "/console/sandboxes",
        )
        [(kind, text)] = flashes(console, "/console/sandboxes")
        assert (
            kind == "error"
            and "InvalidSandbox: name: 'Bad Name' is not a valid sandbox name" in text
        )
        post(
            console,
            "/console/objects/add-to-package",
            {"object": [f"REGISTRY_SCHEMA|{world['schema']}"], "target": "new", "name": ""},
            "/console/objects",
        )
        [(kind, text)] = flashes(console, "/console/objects")
        assert kind == "error" and text.startswith("ValidationFailed: name:")

    def test_reset_and_delete_need_the_typed_name(
        self, console: TestClient, api: Api, world: dict[str, str]
    ) -> None:
        api.create("REGISTRY_DATATYPE", datatype(title="In dev"), sandbox="dev")
        post(console, "/console/sandboxes/dev/reset", {"confirm": "prod"}, "/console/sandboxes")
        [(kind, text)] = flashes(console, "/console/sandboxes")
        assert kind == "error" and "confirm: type the sandbox name 'dev'" in text
        post(console, "/console/sandboxes/dev/reset", {"confirm": "dev"}, "/console/sandboxes")
        assert (
            api.get("/data/foundation/registry/objects/REGISTRY_DATATYPE", sandbox="dev").json()[
                "totalElements"
            ]
            == 0
        )
        post(console, "/console/sandboxes/dev/delete", {"confirm": "dev"}, "/console/sandboxes")
        r = api.get("/data/foundation/sandbox-management/sandboxes/dev")
        assert r.json()["state"] == "deleted"

    def test_publish_then_share_make_public_and_pull_by_payload(
        self,
        console: TestClient,
        client: TestClient,
        api: Api,
        state: Runtime,
        world: dict[str, str],
    ) -> None:
        b = make_api(client, state, ORG_B, "bravo")
        link(api, b)
        pid = draft(api, [("REGISTRY_SCHEMA", world["schema"])])
        r = post(
            console,
            f"/console/packages/{pid}/publish",
            {"expiry_days": "30"},
            f"/console/packages/{pid}",
        )
        assert r.status_code == 303 and "?job=" in r.headers["location"]
        job_id = r.headers["location"].split("?job=")[1]
        assert api.wait_job(job_id)["jobStatus"] == "SUCCESS"
        page = console.get(f"/console/packages/{pid}").text
        assert "Share with partner orgs" in page and "Org bravo" in page
        r = post(
            console, f"/console/packages/{pid}/share", {"org": [ORG_B]}, f"/console/packages/{pid}"
        )
        assert r.headers["location"] == "/console/partners"
        state.jobs.wait_idle(30)
        assert "completed" in console.get("/console/partners").text.lower()
        post(
            console,
            f"/console/packages/{pid}/make-public",
            {"confirm": "wrong"},
            f"/console/packages/{pid}",
        )
        assert api.get(f"{P}/{pid}").json()["packageVisibility"] == "PRIVATE"
        post(
            console,
            f"/console/packages/{pid}/make-public",
            {"confirm": "draft"},
            f"/console/packages/{pid}",
        )
        assert api.get(f"{P}/{pid}").json()["packageVisibility"] == "PUBLIC"
        page = console.get(f"/console/packages/{pid}").text
        payload = re.search(r'<textarea id="payload-text"[^>]*>([^<]+)</textarea>', page).group(1)
        assert pid in payload and api.org_id in payload
        # Org B pastes the payload.
        b_console = TestClient(client.app)
        add_user(state, ORG_B, "pat@bravo.example", roles=["admin"])
        assert sign_in(b_console, "pat@bravo.example").status_code == 303
        r = post(
            b_console,
            "/console/packages",
            {"kind": "payload", "payload": payload.replace("&#34;", '"')},
            "/console/packages/new",
        )
        assert r.status_code == 303 and r.headers["location"].startswith("/console/jobs/")
        state.jobs.wait_idle(30)
        names = [p["name"] for p in b.get(P).json()["data"]]
        # Shared privately, then pulled as public (the second copy's name is suffixed).
        assert sorted(n.split("_")[0] for n in names) == ["draft", "draft"]

    def test_import_with_a_use_existing_choice_and_rollback(
        self, console: TestClient, api: Api, state: Runtime, world: dict[str, str]
    ) -> None:
        pid = package(api, [("REGISTRY_SCHEMA", world["schema"])], name="members")
        existing = api.create(
            "REGISTRY_DATATYPE", datatype(title="Tier_1732330000000"), sandbox="dev"
        )
        plan = console.get(
            f"/console/import/plan?package={pid}&target=dev&alt={quote(world['dt'], safe='')}={quote(existing, safe='')}"
        ).text
        assert "a-row-SUBSTITUTE" in plan and "Tier_1732330000000" in plan
        picker = console.get(
            f"/console/import/candidates?target=dev&type=REGISTRY_DATATYPE&source={quote(world['dt'], safe='')}&title=Tier&suggested={quote(existing + '|Tier_1732330000000', safe='')}"
        ).text
        assert "Tier_1732330000000 (suggested)" in picker and 'name="alt"' in picker
        r = post(
            console,
            "/console/import",
            {
                "package": pid,
                "target": "dev",
                "name": "console import",
                "alt": [f"{world['dt']}={existing}"],
            },
            f"/console/import?package={pid}",
        )
        assert r.status_code == 303
        job_id = r.headers["location"].rsplit("/", 1)[1]
        job = api.wait_job(job_id)
        assert job["jobStatus"] == "SUCCESS" and job["name"] == "console import"
        assert job["importReplacementMap"][world["dt"]] == existing
        page = console.get(f"/console/jobs/{job_id}").text
        assert "Roll back the import" in page
        r = post(console, f"/console/jobs/{job_id}/rollback", {}, f"/console/jobs/{job_id}")
        rollback_id = r.headers["location"].rsplit("/", 1)[1]
        assert api.wait_job(rollback_id)["jobStatus"] == "SUCCESS"
        assert "rolled back by" in console.get(f"/console/jobs/{job_id}").text

    def test_the_job_status_partial_stops_polling_and_reloads(
        self, console: TestClient, api: Api, world: dict[str, str]
    ) -> None:
        pid = package(api, [("REGISTRY_SCHEMA", world["schema"])])
        job = run_import(api, pid, "dev")
        r = console.get(
            f"/console/jobs/{job['id']}/status?reload=1", headers={"HX-Request": "true"}
        )
        assert r.headers.get("HX-Refresh") == "true"
        r = console.get(f"/console/jobs/{job['id']}/status")
        assert "hx-trigger" not in r.text and "Finished" in r.text


class TestPermissions:
    @pytest.fixture
    def viewer(
        self, client: TestClient, api: Api, state: Runtime, world: dict[str, str]
    ) -> TestClient:
        add_user(
            state,
            api.org_id,
            "viewer@alpha.example",
            permissions=["Package:view", "Sandbox:view", "Schema:read"],
        )
        viewer = TestClient(client.app)
        assert sign_in(viewer, "viewer@alpha.example").status_code == 303
        return viewer

    def test_a_read_only_user_sees_no_write_buttons(
        self, viewer: TestClient, api: Api, world: dict[str, str]
    ) -> None:
        pid = draft(api, [("REGISTRY_SCHEMA", world["schema"])])
        page = viewer.get(f"/console/packages/{pid}").text
        assert "Publish…" not in page and "Delete…" not in page and "Remove ticked" not in page
        assert "Create a sandbox" not in viewer.get("/console/sandboxes").text
        objects = viewer.get("/console/objects?type=REGISTRY_SCHEMA").text
        assert "Add to package" not in objects.split("</table>")[1]
        assert viewer.get("/console/objects?type=CATALOG_DATASET").status_code == 403

    def test_and_is_refused_when_posting_anyway(
        self, viewer: TestClient, api: Api, world: dict[str, str]
    ) -> None:
        pid = draft(api, [("REGISTRY_SCHEMA", world["schema"])])
        published = package(api, [("REGISTRY_SCHEMA", world["schema"])], name="pub")
        page = "/console/sandboxes"
        for path, data in (
            (f"/console/packages/{pid}/publish", {"expiry_days": "9"}),
            ("/console/sandboxes", {"name": "x1", "type": "development"}),
            (
                "/console/objects/add-to-package",
                {"object": [f"REGISTRY_SCHEMA|{world['schema']}"], "name": "n"},
            ),
            (f"/console/packages/{published}/make-public", {"confirm": "pub"}),
            (f"/console/packages/{published}/share", {"org": [ORG_B]}),
            ("/console/import", {"package": published, "target": "dev"}),
            ("/console/partners/request", {"orgs": ORG_B}),
        ):
            r = post(viewer, path, data, page)
            assert r.status_code == 403, (path, r.status_code, r.text[:500])
            assert r.headers["content-type"].startswith("text/html")
            assert "lacks" in r.text
        assert api.get(f"{P}/{pid}").json()["status"] == "DRAFT"

    def test_another_orgs_package_is_not_found(
        self, console: TestClient, client: TestClient, state: Runtime
    ) -> None:
        b = make_api(client, state, ORG_B, "bravo")
        theirs = seed_world(b)
        pid = draft(b, [("REGISTRY_SCHEMA", theirs["schema"])])
        for path in (f"/console/packages/{pid}", f"/console/packages/{pid}/graph.json"):
            r = console.get(path)
            assert r.status_code == 404 and "PackageNotFound" in r.text
        assert pid not in console.get("/console/packages").text


class TestErrors:
    def test_errors_are_pages_not_json(self, console: TestClient) -> None:
        r = console.get("/console/no-such-page")
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert "no such page: /console/no-such-page" in r.text
        r = console.get("/console/packages?bogus=1")
        assert (
            r.status_code == 400 and "query parameter &#39;bogus&#39;: unknown parameter" in r.text
        )
        r = console.get("/console/packages?start=-1")
        assert r.status_code == 400 and "ValidationFailed" in r.text
        r = console.get("/console/jobs/0123456789abcdef0123456789abcdef")
        assert r.status_code == 404 and "JobNotFound" in r.text

    def test_the_api_keeps_its_json_errors(self, client: TestClient) -> None:
        r = client.get("/data/foundation/no-such-endpoint")
        assert r.status_code == 404 and r.json()["error"] == "HTTPError"

    def test_the_console_is_not_in_the_openapi_description(self, client: TestClient) -> None:
        paths = client.get("/openapi.json").json()["paths"]
        assert not [p for p in paths if p == "/" or p.startswith("/console")]

    def test_static_files(self, client: TestClient) -> None:
        for name in ("console.css", "console.js", "graph.js", "vendor/htmx-2.0.11.min.js"):
            assert client.get(f"/console/static/{name}").status_code == 200
