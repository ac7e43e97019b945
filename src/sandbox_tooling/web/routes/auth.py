"""Sign-in (password or credential), sign-out and the header's sandbox switcher."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from sandbox_tooling.api.deps import RuntimeDep, SessionDep
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.identity.errors import InvalidSignIn
from sandbox_tooling.web.context import (
    PREFIX,
    CheckedForm,
    Page,
    cookie_of,
    safe_next,
    start_session,
)
from sandbox_tooling.web.render import bare

router = APIRouter(prefix=PREFIX)


def _text(form: CheckedForm, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.get("")
def home() -> RedirectResponse:
    return RedirectResponse(PREFIX + "/sandboxes", status_code=303)


@router.get("/sign-in")
def sign_in_form(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    return bare(request, "sign_in.html", next=safe_next(next), user="", org="")


@router.post("/sign-in")
def sign_in(request: Request, form: CheckedForm, session: SessionDep, rt: RuntimeDep) -> Response:
    user, org = _text(form, "user").strip(), _text(form, "org").strip()
    next_url = safe_next(_text(form, "next"))
    try:
        principal = identity_service.sign_in_password(
            session, user_id=user, password=_text(form, "password"), org_id=org or None
        )
    except InvalidSignIn as exc:
        session.commit()  # the failed attempt's audit event
        return bare(
            request,
            "sign_in.html",
            http_status=401,
            error=exc.detail,
            next=next_url,
            user=user,
            org=org,
        )
    session.commit()
    start_session(cookie_of(request), principal, "password", rt.settings.console_session_hours)
    return RedirectResponse(next_url, status_code=303)


@router.post("/sign-in/credential")
def sign_in_credential(
    request: Request, form: CheckedForm, session: SessionDep, rt: RuntimeDep
) -> Response:
    next_url = safe_next(_text(form, "next"))
    try:
        principal = identity_service.sign_in_credential(
            session, client_id=_text(form, "client_id"), client_secret=_text(form, "client_secret")
        )
    except InvalidSignIn as exc:
        session.commit()  # the failed attempt's audit event
        return bare(
            request,
            "sign_in.html",
            http_status=401,
            credential_error=True,
            error=exc.detail,
            next=next_url,
            user="",
            org="",
        )
    session.commit()
    start_session(cookie_of(request), principal, "credential", rt.settings.console_session_hours)
    return RedirectResponse(next_url, status_code=303)


@router.post("/sign-out")
def sign_out(request: Request, form: CheckedForm) -> RedirectResponse:
    cookie_of(request).replace({})
    return RedirectResponse(PREFIX + "/sign-in", status_code=303)


@router.post("/switch-sandbox")
def switch_sandbox(c: Page, form: CheckedForm) -> RedirectResponse:
    name = _text(form, "sandbox")
    if name and c.can_use(name):
        c.cookie.set("sandbox", name)
    return RedirectResponse(safe_next(_text(form, "next")), status_code=303)
