"""Helpers of the console's tests: users with passwords, signing in with a TestClient."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.runtime import Runtime

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def set_password(state: Runtime, org_id: str, user_id: str, password: str = PASSWORD) -> None:
    with state.db.transaction() as session:
        identity_service.set_password(session, org_id=org_id, user_id=user_id, password=password)


def add_user(
    state: Runtime,
    org_id: str,
    user_id: str,
    *,
    permissions: list[str] | None = None,
    sandboxes: list[str] | None = None,
    roles: list[str] | None = None,
    password: str = PASSWORD,
) -> None:
    """A user with a password; ``permissions``: a role of its own holding them."""
    with state.db.transaction() as session:
        names = list(roles or [])
        if permissions:
            role = "role-" + re.sub(r"[^A-Za-z0-9_.-]", "-", user_id)
            identity_service.create_role(
                session, org_id=org_id, name=role, permissions=permissions, sandboxes=sandboxes
            )
            names.append(role)
        identity_service.create_user(
            session, org_id=org_id, user_id=user_id, name=None, roles=names
        )
        identity_service.set_password(session, org_id=org_id, user_id=user_id, password=password)


def csrf(client: TestClient, path: str = "/console/sign-in") -> str:
    r = client.get(path)
    match = CSRF.search(r.text)
    assert match, r.text[:500]
    return match.group(1)


def sign_in(client: TestClient, user: str, password: str = PASSWORD, org: str = "") -> Any:
    token = csrf(client)
    return client.post(
        "/console/sign-in",
        data={"csrf_token": token, "user": user, "password": password, "org": org, "next": ""},
        follow_redirects=False,
    )


def post(client: TestClient, path: str, data: dict[str, Any], page: str) -> Any:
    """A form post with the CSRF token of ``page`` (as the browser would send it)."""
    return client.post(
        path, data={"csrf_token": csrf(client, page), **data}, follow_redirects=False
    )
