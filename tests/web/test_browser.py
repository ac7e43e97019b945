"""End-to-end: the console in a real Chromium (Debian's, driven by Playwright), against the
real app and job runner on a free port. Role and label locators throughout, so the forms are
checked to be labelled too. Screenshots of each screen go to ``$SBX_SCREENSHOTS`` when set
(``SBX_SCREENSHOTS=docs/console`` refreshes the docs' pictures)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sandbox_tooling.api.app import create_app
from sandbox_tooling.config import Settings
from sandbox_tooling.runtime import Runtime
from tests.factories import datatype, seed_world
from tests.helpers import ORG_A, ORG_B, Api, make_api, sandbox
from tests.sharing.helpers import ORG_C, link
from tests.version.helpers import change_source
from tests.web.conftest import Server
from tests.web.helpers import PASSWORD, add_user, set_password

pytestmark = pytest.mark.browser
P = "/data/foundation/exim/packages"


@pytest.fixture
def apis(settings: Settings, state: Runtime) -> Iterator[tuple[Api, Api]]:
    """Org A's and org B's admins over a TestClient without lifespan: the server's job runner
    is the only one running."""
    client = TestClient(create_app(settings, state), raise_server_exceptions=False)
    a = make_api(client, state, ORG_A, "alpha")
    b = make_api(client, state, ORG_B, "bravo")
    yield a, b
    client.close()


def sign_in(page: Any, server: Server, user: str, password: str = PASSWORD) -> None:
    page.goto(server.url + "/")
    page.get_by_label("User").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r".*/console/sandboxes$"))


def click_node(page: Any, title: str) -> None:
    """Click the graph node labelled ``title`` (cytoscape draws on a canvas)."""
    pos = page.evaluate(
        """(title) => {
            const n = window.sbxGraph.cy.nodes().filter((x) => x.data('label') === title)[0];
            const p = n.renderedPosition();
            const box = document.getElementById('graph').getBoundingClientRect();
            return {x: box.left + p.x, y: box.top + p.y};
        }""",
        title,
    )
    page.mouse.click(pos["x"], pos["y"])


def status_text(page: Any) -> str:
    return str(page.locator("h1 .status").inner_text()).strip().lower()


def test_the_administrator_journey(
    page: Any, server: Server, apis: tuple[Api, Api], state: Runtime, shot: Any
) -> None:
    a, b = apis
    world = seed_world(a)
    sandbox(a, "dev")
    # A data type from an earlier import: the suggestion for the package's "Tier".
    a.create("REGISTRY_DATATYPE", datatype(title="Tier_1732330000000"), sandbox="dev")
    link(a, b)
    c = make_api(a.client, state, ORG_C, "charlie")
    link(c, a, approve=False)  # an incoming request, decided in the console below
    set_password(state, a.org_id, a.user_id)

    # Sign in.
    page.goto(server.url + "/")
    expect_heading(page, "Sign in to sbx")
    shot(page, "sign-in")
    sign_in(page, server, a.user_id)
    nav = page.get_by_role("navigation", name="Main")
    for screen in ("Sandboxes", "Objects", "Packages", "Jobs", "Partner orgs"):
        assert nav.get_by_role("link", name=screen).is_visible()
    assert page.get_by_role("row", name=re.compile(r"^prod ")).is_visible()
    shot(page, "sandboxes")

    # An object's page: its definition, what it refers to and what refers to it.
    nav.get_by_role("link", name="Objects").click()
    page.get_by_role("link", name=re.compile("XDM field group")).click()
    page.get_by_role("link", name="Loyalty", exact=True).click()
    assert page.get_by_role("heading", name=re.compile(r"^References \(\d\)$")).is_visible()
    assert page.get_by_role("link", name="Tier").is_visible()
    assert page.get_by_role("link", name="Members").is_visible()  # refers to the field group
    shot(page, "object")

    # Add two objects to a new package.
    nav.get_by_role("link", name="Objects").click()
    page.get_by_role("link", name=re.compile("XDM schema")).click()
    page.get_by_label("Add Members to package").check()
    page.get_by_label("Add Stores to package").check()
    page.get_by_label("Package name").fill("Loyalty e2e")
    page.get_by_label("Description").fill("Two schemas and what they need")
    shot(page, "objects")
    page.get_by_role("button", name="Add to package").click()
    page.wait_for_url(re.compile(r".*/console/packages/[0-9a-f]{32}$"))
    package_url = page.url
    assert page.get_by_role("heading", name=re.compile("Loyalty e2e")).is_visible()
    assert "2 objects in the new package Loyalty e2e" in page.get_by_role("status").inner_text()

    # See the graph: every object of the closure drawn; a click shows the object.
    page.wait_for_selector("#graph[data-drawn]")
    drawn = int(page.get_attribute("#graph", "data-drawn"))
    closure_rows = page.locator("#closure-table tbody tr").count()
    assert (
        drawn == closure_rows == 8
    )  # schemas, field group, data type, class, 2 descriptors, namespace
    click_node(page, "Tier")
    info = page.locator("#graph-info")
    assert "Tier" in info.inner_text() and "XDM data type" in info.inner_text()
    shot(page, "package-draft")

    # Publish and watch it finish.
    page.get_by_text("Publish…").click()
    page.get_by_role("button", name="Publish now").click()
    page.wait_for_function(
        "() => document.querySelector('h1 .status').textContent.trim() === 'published'"
    )
    assert status_text(page) == "published"
    assert page.get_by_text(re.compile(r"^Finished ")).is_visible()
    shot(page, "package-published")

    # The import wizard, with one "Use existing" choice, then the summary.
    page.get_by_role("link", name="Import…").click()
    page.get_by_label("Target sandbox").select_option("dev")
    page.get_by_label("Job name").fill("Loyalty into dev")
    shot(page, "import-start")
    page.get_by_role("button", name="Next: review the plan").click()
    tier = page.get_by_role("row").filter(has_text="Tier").filter(has_text="XDM data type")
    assert "create" in tier.inner_text().lower()
    tier.get_by_role("button", name="Use existing…").click()
    picker = page.get_by_label("Use existing XDM data type for “Tier”")
    with page.expect_navigation():  # choosing re-plans the import (the form is submitted)
        picker.select_option(label="Tier_1732330000000 (suggested)")
    tier = page.get_by_role("row").filter(has_text="Tier").filter(has_text="XDM data type")
    assert "substitute" in tier.inner_text().lower()
    assert tier.get_by_role("link", name="Tier_1732330000000").is_visible()
    assert page.locator("#preflight .missing").count() == 0
    shot(page, "import-plan")
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r".*/console/jobs/[0-9a-f]{32}$"))
    page.wait_for_selector(".job-status .s-SUCCESS")
    summary = page.get_by_role("table").first
    schema_row = summary.get_by_role("row", name=re.compile("XDM schema"))
    assert schema_row.get_by_role("cell").nth(1).inner_text() == "2"
    datatype_row = summary.get_by_role("row", name=re.compile("XDM data type"))
    assert datatype_row.get_by_role("cell").nth(2).inner_text() == "1"  # reused: substituted
    assert page.get_by_role("link", name="Members").first.is_visible()
    assert page.get_by_text("Roll back…").is_visible()
    shot(page, "import-summary")

    # Check for updates against dev and see a diff.
    change_source(a, world)
    page.goto(package_url)
    page.get_by_role("link", name="Versions").click()
    page.get_by_label("Target sandbox").select_option("dev")
    shot(page, "versions")
    page.get_by_role("button", name="Check for updates").click()
    page.wait_for_selector("article.diff")
    loyalty = page.get_by_role("article", name="Diff of Loyalty")
    assert loyalty.locator("tr.added, tr.changed").count() > 0
    assert "points" in loyalty.locator("tr.added td.new, tr.changed td.new").all_inner_texts()[
        0
    ] or any("points" in t for t in loyalty.locator("td.new").all_inner_texts())
    shot(page, "compare")

    # Approve the incoming link request, with a reason.
    nav.get_by_role("link", name="Partner orgs").click()
    incoming = page.get_by_role("row", name=re.compile("Org charlie"))
    incoming.get_by_label("Reason").fill("Our agency")
    incoming.get_by_role("button", name="Approve").click()
    assert (
        "Link with CCCC3333CCCC3333CCCC3333@AdobeOrg approved."
        in page.get_by_role("status").inner_text()
    )

    # Share with a partner org.
    page.goto(package_url)
    page.get_by_label(re.compile("Org bravo")).check()
    page.get_by_role("button", name="Share with partner orgs").click()
    page.wait_for_url(re.compile(r".*/console/partners$"))
    for _ in range(100):
        if "completed" in page.locator("section", has_text="Transfers").inner_text().lower():
            break
        page.wait_for_timeout(100)
        page.reload()
    transfers = page.locator("section", has_text="Transfers")
    assert "completed" in transfers.inner_text().lower()
    assert "Org bravo" in transfers.inner_text()
    shot(page, "partners")

    # Jobs: every kind so far, with its status.
    nav.get_by_role("link", name="Jobs").click()
    jobs = page.get_by_role("table").inner_text()
    for kind in ("publish", "import", "compare", "transfer"):
        assert kind in jobs
    shot(page, "jobs")


def expect_heading(page: Any, name: str) -> None:
    assert page.get_by_role("heading", name=name).is_visible()


def test_a_read_only_user_cannot_publish(
    page: Any, server: Server, apis: tuple[Api, Api], state: Runtime, shot: Any
) -> None:
    a, _b = apis
    world = seed_world(a)
    r = a.post(
        P,
        json={
            "name": "Draft for viewers",
            "packageType": "PARTIAL",
            "artifacts": [{"id": world["schema"], "type": "REGISTRY_SCHEMA"}],
        },
    )
    assert r.status_code == 200, r.text
    pid = r.json()["id"]
    add_user(
        state,
        a.org_id,
        "viewer@alpha.example",
        permissions=["Package:view", "Sandbox:view", "Schema:read"],
    )
    sign_in(page, server, "viewer@alpha.example")
    page.goto(f"{server.url}/console/packages/{pid}")
    assert page.get_by_role("heading", name=re.compile("Draft for viewers")).is_visible()
    assert page.get_by_text("Publish…").count() == 0
    assert page.get_by_role("button", name="Remove ticked roots").count() == 0
    page.goto(f"{server.url}/console/objects")
    assert page.get_by_role("button", name="Add to package").count() == 0
    # Posting anyway (the form the page does not offer, with a valid CSRF token): refused.
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(
        f"{server.url}/console/packages/{pid}/publish",
        form={"csrf_token": token, "expiry_days": "90"},
        max_redirects=0,
    )
    assert response.status == 403
    assert "lacks permission Package:manage" in response.text()
    page.set_content(response.text())
    shot(page, "forbidden")
    assert a.get(f"{P}/{pid}").json()["status"] == "DRAFT"
