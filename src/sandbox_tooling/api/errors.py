"""Exception handlers: every error leaves as JSON naming the problem."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from sandbox_tooling.api.admission import READ_METHODS, overloaded_body, overloaded_headers
from sandbox_tooling.errors import AppError, ConcurrentWrite, GatewayError, Overloaded
from sandbox_tooling.identity.errors import InvalidClient, InvalidTokenRequest
from sandbox_tooling.kit import metrics

log = logging.getLogger(__name__)
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    error: str,
    errors: list[Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"http://ns.adobe.com/aep/errors/{code}",
        "status": status,
        "title": title,
        "detail": detail,
        "error": error,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """The methods served at the request's path. A documented path answers with the methods
    of its most specific template in the OpenAPI description (a literal ``/packages/jobs``
    wins over ``/packages/{package_id}``, which also matches it); any other path with every
    method some route serves there."""
    path = request.scope["path"]
    documented = [
        (template.count("{"), operations)
        for template, operations in request.app.openapi().get("paths", {}).items()
        if _template_regex(template).fullmatch(path)
    ]
    if documented:
        fewest = min(n for n, _ops in documented)
        methods = {m.upper() for n, ops in documented if n == fewest for m in ops}
        return [m for m in HTTP_METHODS if m in methods]
    allowed = []
    for method in HTTP_METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


@functools.lru_cache(maxsize=256)
def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


def _field(loc: tuple[Any, ...]) -> str:
    if not loc:
        return "request"
    where, rest = loc[0], loc[1:]
    path = ""
    for part in rest:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    if where == "body":
        return path or "body"
    if where == "query":
        return f"query parameter '{path}'"
    if where == "header":
        return f"header '{path.replace('_', '-')}'"
    if where == "path":
        return f"path parameter '{path}'"
    return path or str(where)


def _validation_message(err: dict[str, Any]) -> tuple[str, str]:
    loc = tuple(err.get("loc", ()))
    if err.get("type") == "json_invalid":
        pos = loc[1] if len(loc) > 1 else "?"
        return "body", f"malformed JSON at position {pos}: {err.get('ctx', {}).get('error', '')}"
    if err.get("type") == "missing" and loc == ("body",):
        return "body", "a JSON body is required"
    return _field(loc), str(err.get("msg", "invalid"))


#: Renders an error as a page where the path is not the API's (the console): ``(request,
#: status, error class name, detail)``, or None to answer JSON.
HtmlErrors = Callable[[Request, int, str, str], Response | None]


def install(app: FastAPI, html: HtmlErrors | None = None) -> None:
    """The JSON handlers; ``html`` answers the console's paths with pages instead."""

    def page(request: Request, status: int, error: str, detail: str) -> Response | None:
        return html(request, status, error, detail) if html is not None else None

    @app.exception_handler(GatewayError)
    async def _gateway(_: Request, exc: GatewayError) -> JSONResponse:
        return JSONResponse(
            {"error_code": exc.error_code, "message": exc.detail}, status_code=exc.gateway_status
        )

    @app.exception_handler(InvalidClient)
    @app.exception_handler(InvalidTokenRequest)
    async def _oauth(_: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(
            {"error": exc.title, "error_description": exc.detail}, status_code=exc.status_code
        )

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        shown = page(request, exc.status_code, type(exc).__name__, exc.detail)
        if shown is not None:
            return shown
        return problem(
            exc.status_code, exc.code, exc.title, exc.detail, type(exc).__name__, exc.errors
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"field": f, "message": m} for f, m in (_validation_message(e) for e in exc.errors())
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        shown = page(request, 400, "ValidationFailed", detail)
        if shown is not None:
            return shown
        return problem(
            400, "EXIM-400-VALIDATION", "Validation failed", detail, "ValidationFailed", errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = str(exc.detail)
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            detail = f"no such endpoint: {request.method} {request.url.path}"
            shown = page(request, 404, "HTTPError", f"no such page: {request.url.path}")
            if shown is not None:
                return shown
        elif exc.status_code == 405:
            allowed = allowed_methods(request)
            if allowed:
                headers["Allow"] = ", ".join(allowed)
            detail = (
                f"method {request.method} is not allowed on {request.url.path}; "
                f"allowed: {headers.get('Allow', 'none')}"
            )
        return problem(
            exc.status_code, f"EXIM-{exc.status_code}", detail, detail, "HTTPError", None, headers
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        # Two requests created the same thing at once; the database kept one. Checks before
        # the write see committed rows only, so this is the race's other half, not a bug.
        err = ConcurrentWrite(
            "another request created or changed the same object at the same time; "
            "nothing was written by this one (reload and retry)"
        )
        shown = page(request, err.status_code, "ConcurrentWrite", err.detail)
        if shown is not None:
            return shown
        return problem(err.status_code, err.code, err.title, err.detail, "ConcurrentWrite")

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(request: Request, exc: PoolTimeout) -> Response:
        # No connection came free within SBX_DB_POOL_TIMEOUT_SECONDS: overloaded, not broken.
        kind = "read" if request.method in READ_METHODS else "write"
        metrics.REJECTED.labels(kind, "pool_timeout").inc()
        log.warning("no database connection within the pool timeout: %s", exc)
        body = overloaded_body(
            "no database connection came free in time (the service is at capacity); "
            f"retry after {Overloaded.retry_after} s"
        )
        return JSONResponse(body, status_code=503, headers=overloaded_headers())

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        detail = "an unexpected error occurred; it has been logged"
        shown = page(request, 500, "InternalError", detail)
        if shown is not None:
            return shown
        return problem(
            500,
            "EXIM-500",
            "Internal error",
            "an unexpected error occurred; it has been logged",
            "InternalError",
        )
