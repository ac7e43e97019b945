"""Mount the console on the app: routes, static files, session cookies, error pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from sandbox_tooling.config import Settings
from sandbox_tooling.web.context import PREFIX, SignInRequired, cookie_of, sign_in_url
from sandbox_tooling.web.render import bare
from sandbox_tooling.web.routes import router
from sandbox_tooling.web.session import SessionCookies, secret_key

STATIC = Path(__file__).parent / "static"

TITLES = {400: "Bad request", 401: "Sign-in failed", 403: "Forbidden", 404: "Not found"}


def is_console(request: Request) -> bool:
    path = request.url.path
    return path == PREFIX or path.startswith(PREFIX + "/") or path == "/"


def render_error(request: Request, status: int, error: str, detail: str) -> Response | None:
    """An error on a console path as a page: the service's message, never a stack trace."""
    if not is_console(request):
        return None
    title = TITLES.get(status, "Conflict" if status == 409 else "Error")
    signed_in = bool(cookie_of(request).get("user"))
    return bare(
        request,
        "error.html",
        http_status=status,
        status_code=status,
        title=title,
        error=error,
        detail=detail,
        signed_in=signed_in,
    )


def install(app: FastAPI, settings: Settings) -> None:
    app.include_router(router)
    app.mount(PREFIX + "/static", StaticFiles(directory=STATIC), name="console-static")
    app.add_middleware(
        SessionCookies,
        secret=secret_key(settings),
        max_age=int(settings.console_session_hours * 3600),
        prefix=PREFIX,
    )

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.headers.get("hx-request"):
            # An htmx swap cannot follow a redirect to a full page: ask for a reload there.
            return Response(status_code=204, headers={"HX-Redirect": sign_in_url(exc.next_url)})
        return RedirectResponse(sign_in_url(exc.next_url), status_code=303)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        """The console."""
        return RedirectResponse(PREFIX + "/sandboxes", status_code=303)
