"""Sign-in, the session cookie, CSRF and sign-out."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.runtime import Runtime
from tests.helpers import ORG_B, Api, make_api
from tests.web.helpers import PASSWORD, csrf, post, set_password, sign_in


class TestSignIn:
    def test_pages_redirect_to_the_sign_in_form_and_back(self, client: TestClient) -> None:
        r = client.get("/console/packages?status=DRAFT", follow_redirects=False)
        assert r.status_code == 303
        assert (
            r.headers["location"] == "/console/sign-in?next=%2Fconsole%2Fpackages%3Fstatus%3DDRAFT"
        )
        page = client.get(r.headers["location"])
        assert 'for="user">User<' in page.text and 'for="password">Password<' in page.text
        assert ">Sign in</button>" in page.text

    def test_the_root_is_the_console(self, client: TestClient) -> None:
        r = client.get("/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/console/sandboxes"

    def test_password_sign_in_sets_a_strict_http_only_cookie(
        self, client: TestClient, api: Api, state: Runtime
    ) -> None:
        set_password(state, api.org_id, api.user_id)
        r = sign_in(client, api.user_id)
        assert r.status_code == 303 and r.headers["location"] == "/console/sandboxes"
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("sbx_console=")
        for attribute in ("HttpOnly", "SameSite=Strict", "Path=/console", "Max-Age=43200"):
            assert attribute in cookie
        assert "Secure" not in cookie  # plain http here; https requests get Secure
        page = client.get("/console/sandboxes")
        assert page.status_code == 200 and api.user_id in page.text

    def test_secure_over_https(self, client: TestClient, api: Api, state: Runtime) -> None:
        set_password(state, api.org_id, api.user_id)
        https = TestClient(client.app, base_url="https://testserver")
        r = sign_in(https, api.user_id)
        assert "Secure" in r.headers["set-cookie"]

    def test_wrong_password_and_unknown_user_answer_alike(
        self, client: TestClient, api: Api, state: Runtime
    ) -> None:
        set_password(state, api.org_id, api.user_id)
        wrong = sign_in(client, api.user_id, "not the password")
        unknown = sign_in(client, "nobody@example.com", PASSWORD)
        for r in (wrong, unknown):
            assert r.status_code == 401
            assert "unknown user or wrong password" in r.text
        assert "sbx_console=" not in wrong.headers.get("set-cookie", "x") or "org" not in wrong.text

    def test_a_user_without_a_password_cannot_sign_in(self, client: TestClient, api: Api) -> None:
        assert sign_in(client, api.user_id, "").status_code == 401

    def test_a_user_id_in_two_orgs_needs_the_org(
        self, client: TestClient, api: Api, state: Runtime
    ) -> None:
        make_api(client, state, ORG_B, "bravo", user_id=api.user_id)
        set_password(state, api.org_id, api.user_id)
        set_password(state, ORG_B, api.user_id)
        r = sign_in(client, api.user_id)
        assert r.status_code == 401 and "several orgs" in r.text
        r = sign_in(client, api.user_id, org=ORG_B)
        assert r.status_code == 303
        assert "Org bravo" in client.get("/console/sandboxes").text

    def test_next_is_followed_within_the_console_only(
        self, client: TestClient, api: Api, state: Runtime
    ) -> None:
        set_password(state, api.org_id, api.user_id)
        for given, expected in (
            ("/console/jobs", "/console/jobs"),
            ("https://evil.example/", "/console/sandboxes"),
            ("//evil.example/console", "/console/sandboxes"),
        ):
            token = csrf(client)
            r = client.post(
                "/console/sign-in",
                data={
                    "csrf_token": token,
                    "user": api.user_id,
                    "password": PASSWORD,
                    "next": given,
                },
                follow_redirects=False,
            )
            assert r.headers["location"] == expected

    def test_credential_sign_in(self, client: TestClient, api: Api, state: Runtime) -> None:
        with state.db.transaction() as session:
            cred, secret = identity_service.create_credential(
                session, org_id=api.org_id, user_id=api.user_id
            )
        token = csrf(client)
        bad = client.post(
            "/console/sign-in/credential",
            data={"csrf_token": token, "client_id": cred.client_id, "client_secret": "nope"},
        )
        assert bad.status_code == 401 and "wrong secret" in bad.text
        r = client.post(
            "/console/sign-in/credential",
            data={"csrf_token": token, "client_id": cred.client_id, "client_secret": secret},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert client.get("/console/packages").status_code == 200


class TestSession:
    def test_sign_out(self, console: TestClient) -> None:
        r = post(console, "/console/sign-out", {}, "/console/sandboxes")
        assert r.status_code == 303 and "Max-Age=0" in r.headers["set-cookie"]
        assert console.get("/console/sandboxes", follow_redirects=False).status_code == 303

    def test_a_new_password_signs_every_session_out(
        self, console: TestClient, api: Api, state: Runtime
    ) -> None:
        set_password(state, api.org_id, api.user_id, "another password entirely")
        r = console.get("/console/sandboxes", follow_redirects=False)
        assert r.status_code == 303 and "/console/sign-in" in r.headers["location"]

    def test_sessions_expire(self, console: TestClient, state: Runtime, monkeypatch) -> None:
        import sandbox_tooling.web.context as context

        later = int(time.time() * 1000) + 13 * 3_600_000
        monkeypatch.setattr(context, "now_ms", lambda: later)
        assert console.get("/console/sandboxes", follow_redirects=False).status_code == 303

    def test_a_tampered_cookie_is_no_session(self, console: TestClient) -> None:
        value = console.cookies.get("sbx_console")
        assert value
        console.cookies.clear()
        console.cookies.set("sbx_console", value)
        assert console.get("/console/sandboxes", follow_redirects=False).status_code == 200
        console.cookies.clear()
        console.cookies.set("sbx_console", value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB"))
        assert console.get("/console/sandboxes", follow_redirects=False).status_code == 303


class TestCsrf:
    def test_a_post_without_the_token_is_refused(self, console: TestClient) -> None:
        r = console.post(
            "/console/sandboxes",
            data={"name": "dev2", "type": "development"},
            follow_redirects=False,
        )
        assert r.status_code == 403
        assert "CsrfFailed" in r.text and "csrf_token" in r.text
        assert r.headers["content-type"].startswith("text/html")

    def test_a_post_with_another_sessions_token_is_refused(
        self, console: TestClient, client: TestClient
    ) -> None:
        other = TestClient(client.app)
        foreign = csrf(other)
        r = console.post(
            "/console/sandboxes",
            data={"csrf_token": foreign, "name": "dev2", "type": "development"},
            follow_redirects=False,
        )
        assert r.status_code == 403

    def test_the_sign_in_form_is_protected_too(self, client: TestClient, api: Api) -> None:
        r = client.post("/console/sign-in", data={"user": api.user_id, "password": PASSWORD})
        assert r.status_code == 403

    def test_htmx_requests_send_it_as_a_header(self, console: TestClient) -> None:
        token = csrf(console, "/console/sandboxes")
        r = console.post(
            "/console/sandboxes",
            data={"name": "dev2", "title": "Dev 2", "type": "development"},
            headers={"X-CSRF-Token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303


class TestAudit:
    def test_sign_ins_are_audited(self, client: TestClient, api: Api, state: Runtime) -> None:
        set_password(state, api.org_id, api.user_id)
        assert sign_in(client, api.user_id, "wrong password").status_code == 401
        assert sign_in(client, "nobody@example.com").status_code == 401  # no org: not recorded
        assert sign_in(client, api.user_id).status_code == 303
        events = api.get("/data/foundation/audit/events?property=action==console.signIn")
        assert events.status_code == 200, events.text
        rows = sorted(events.json()["data"], key=lambda e: e["timestamp"])
        assert [(e["status"], e["user"], e["assetId"]) for e in rows] == [
            ("Failure", api.user_id, api.user_id),
            ("Success", api.user_id, api.user_id),
        ]
