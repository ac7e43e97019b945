"""What every console page works with: the signed-in user's ``Principal``, the database
session, the runtime, the cookie session (CSRF token, chosen sandbox, flash messages).

``Page`` is the dependency of pages that need a signed-in user; ``Form`` that of form posts
(it also checks the CSRF token). A missing or expired sign-in redirects to the sign-in page.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from sandbox_tooling.api.deps import RuntimeDep, SessionDep
from sandbox_tooling.errors import AppError, Forbidden
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.kit.clock import now_ms
from sandbox_tooling.models import Sandbox
from sandbox_tooling.runtime import Runtime
from sandbox_tooling.sandbox import service as sandbox_service
from sandbox_tooling.web.session import SCOPE_KEY, CookieSession

PREFIX = "/console"


class SignInRequired(Exception):
    """No valid sign-in: the page redirects to the sign-in form (then back to ``next``)."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class CsrfFailed(Forbidden):
    """A console form was posted without this session's CSRF token."""


def cookie_of(request: Request) -> CookieSession:
    cookie = request.scope.get(SCOPE_KEY)
    if cookie is None:  # not under the console's prefix: a throw-away session
        cookie = CookieSession({})
        request.scope[SCOPE_KEY] = cookie
    assert isinstance(cookie, CookieSession)
    return cookie


def password_stamp(password_hash: str | None) -> str:
    """Ties a password sign-in to the password: changing it signs every session out."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def start_session(cookie: CookieSession, principal: Principal, via: str, hours: float) -> None:
    """A new session for a signed-in user (a fresh CSRF token: no fixation across sign-in)."""
    data: dict[str, Any] = {
        "org": principal.org_id,
        "user": principal.user_id,
        "via": via,
        "cid": principal.client_id,
        "exp": now_ms() + int(hours * 3_600_000),
    }
    if via == "password":
        data["pw"] = password_stamp(principal.user.password_hash)
    cookie.replace(data)
    cookie.csrf_token()


@dataclass
class Console:
    """A signed-in request."""

    request: Request
    session: Session
    rt: Runtime
    principal: Principal
    cookie: CookieSession

    @property
    def csrf(self) -> str:
        return self.cookie.csrf_token()

    def flash(self, kind: str, text: str) -> None:
        """A message for the next page shown (``success`` or ``error``)."""
        messages = list(self.cookie.get("flash") or [])
        messages.append([kind, text[:2000]])
        self.cookie.set("flash", messages[-3:])

    def take_flashes(self) -> list[tuple[str, str]]:
        return [(k, t) for k, t in self.cookie.pop("flash") or []]

    @property
    def sandbox_name(self) -> str:
        name = self.cookie.get("sandbox")
        return name if isinstance(name, str) and name else "prod"

    def sandbox(self) -> Sandbox:
        """The chosen sandbox (the header's switcher), falling back to the first usable one."""
        name = self.sandbox_name
        sandbox = sandbox_service.live(self.session, self.principal.org_id, name)
        if sandbox is not None and self.can_use(name):
            return sandbox
        usable, _total = sandbox_service.list_usable(self.session, self.principal, 1, 0)
        if not usable:
            raise Forbidden(f"user {self.principal.user_id} may use no sandbox of the org")
        self.cookie.set("sandbox", usable[0].name)
        return usable[0]

    def can_use(self, sandbox: str) -> bool:
        for role in self.principal.roles:
            if role.is_admin or role.sandboxes is None or sandbox in role.sandboxes:
                return True
        return False

    def can(self, resource: str, action: str, sandbox: str | None = None) -> bool:
        return self.principal.can(resource, action, sandbox)


def _principal(request: Request, session: Session, cookie: CookieSession) -> Principal | None:
    data = cookie.data
    org, user, cid = data.get("org"), data.get("user"), data.get("cid")
    exp = data.get("exp")
    if not (isinstance(org, str) and isinstance(user, str) and isinstance(cid, str)):
        return None
    if not isinstance(exp, int) or exp < now_ms():
        return None
    try:
        principal = identity_service.principal_for(session, org, user, client_id=cid)
    except AppError:
        return None
    if data.get("via") == "password":
        if not principal.user.password_hash or not hmac.compare_digest(
            str(data.get("pw", "")), password_stamp(principal.user.password_hash)
        ):
            return None
    elif not identity_service.credential_exists(session, cid):
        return None
    return principal


def _next_url(request: Request) -> str:
    url = request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return url


def get_console(request: Request, session: SessionDep, rt: RuntimeDep) -> Console:
    cookie = cookie_of(request)
    principal = _principal(request, session, cookie)
    if principal is None:
        if cookie.get("org"):
            cookie.replace({"csrf": cookie.csrf_token()})
        raise SignInRequired(_next_url(request) if request.method == "GET" else PREFIX)
    return Console(request, session, rt, principal, cookie)


Page = Annotated[Console, Depends(get_console)]


def check_csrf(cookie: CookieSession, form: FormData, request: Request) -> None:
    sent = form.get("csrf_token") or request.headers.get("x-csrf-token") or ""
    expected = cookie.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str) or not expected:
        raise CsrfFailed("csrf_token: missing; reload the page and try again")
    if not hmac.compare_digest(sent, expected):
        raise CsrfFailed("csrf_token: does not match this session; reload the page and try again")


async def read_form(request: Request) -> FormData:
    """The posted form, its CSRF token checked against the session's."""
    form = await request.form()
    check_csrf(cookie_of(request), form, request)
    return form


CheckedForm = Annotated[FormData, Depends(read_form)]


def sign_in_url(next_url: str) -> str:
    return f"{PREFIX}/sign-in?next={quote(next_url, safe='')}"


def safe_next(value: str | None) -> str:
    """Only console paths are followed after sign-in (no open redirect)."""
    if value and value.startswith(PREFIX) and not value.startswith("//") and "\\" not in value:
        return value
    return PREFIX + "/sandboxes"
