"""Pure ASGI middleware: URL length, body size limit, the Content-Type rule of the platform,
and values no body may carry (``kit/inputcheck.py``)."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

import orjson
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox_tooling.kit import logs, metrics
from sandbox_tooling.kit.inputcheck import check_json, text_problem

BODY_METHODS = {"POST", "PUT", "PATCH"}
#: Longest request target (path and query, as sent) accepted; longer ones get 414.
MAX_URL_BYTES = 8192


class BodyGuard:
    """Refuse bodies over ``max_bytes`` (413) and JSON API bodies without a JSON content type."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reply(send, 413, self._too_large())
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._reply(send, 413, self._too_large())
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        path: str = scope["path"]
        ctype = headers.get("content-type", "")
        if body.strip() and path.startswith("/data/") and "json" not in ctype.lower():
            await self._reply(
                send,
                400,
                {
                    "type": "http://ns.adobe.com/aep/errors/EXIM-400-CONTENT-TYPE",
                    "status": 400,
                    "title": "BadRequestError",
                    "error": "BadContentType",
                    "detail": "A valid content-type must be specified (header 'content-type': "
                    "application/json)",
                },
            )
            return
        problem = _body_problem(body, ctype)
        if problem is not None:
            await self._reply(send, 400, bad_input(path, *problem))
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def _too_large(self) -> dict[str, Any]:
        return {
            "type": "http://ns.adobe.com/aep/errors/EXIM-413",
            "status": 413,
            "title": "Payload too large",
            "error": "PayloadTooLarge",
            "detail": f"request body exceeds the limit of {self.max_bytes} bytes",
        }

    @staticmethod
    async def _reply(send: Send, status: int, body: dict[str, Any]) -> None:
        data = orjson.dumps(body)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(data)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": data})


def _body_problem(body: bytes, ctype: str) -> tuple[str, str] | None:
    """A value of a JSON or form body that must be refused, as ``(field, message)``."""
    ctype = ctype.lower()
    if not body.strip():
        return None
    if "json" in ctype or not ctype:
        return check_json(body)
    if ctype.startswith("application/x-www-form-urlencoded"):
        for key, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
            problem = text_problem(key) or text_problem(value)
            if problem:
                return key, problem
    elif ctype.startswith("multipart/") and b"\x00" in body:
        return "body", "contains a NUL character"
    return None


def bad_input(path: str, field: str, message: str) -> dict[str, Any]:
    """A 400 body naming the field: the OAuth shape on the token endpoint, else a problem."""
    detail = f"{field}: {message}"
    if path.startswith("/ims/"):
        return {"error": "invalid_request", "error_description": detail}
    return {
        "type": "http://ns.adobe.com/aep/errors/EXIM-400-VALIDATION",
        "status": 400,
        "title": "Validation failed",
        "detail": detail,
        "error": "ValidationFailed",
        "errors": [{"field": field, "message": message}],
    }


class UrlGuard:
    """Answer 414 to a request whose target (path and query) exceeds ``MAX_URL_BYTES``.
    The body, if any, is read and dropped first, so the connection stays usable."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_URL_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
            size = len(raw_path) + len(scope.get("query_string", b""))
            if size > self.max_bytes:
                await _drain(receive)
                await BodyGuard._reply(
                    send,
                    414,
                    {
                        "type": "http://ns.adobe.com/aep/errors/EXIM-414",
                        "status": 414,
                        "title": "URI too long",
                        "error": "URITooLong",
                        "detail": f"request URL: longer than {self.max_bytes} bytes ({size})",
                    },
                )
                return
        await self.app(scope, receive, send)


async def _drain(receive: Receive, limit: int = 1024 * 1024) -> None:
    """Read and drop a request body (up to ``limit`` bytes) before answering early."""
    seen = 0
    while seen <= limit:
        message = await receive()
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


class TrailingSlash:
    """Serve ``/path/`` as ``/path``: the documents' curl examples end paths with a slash
    (``/packages/import/``, ``/transfer/``), and a redirect would lose POST bodies in some
    clients."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                stripped = path.rstrip("/") or "/"
                scope = {**scope, "path": stripped, "raw_path": stripped.encode()}
        await self.app(scope, receive, send)


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class Observe:
    """A request id on every log line of a request (``x-request-id``: the client's when it is
    a plain token, else a new one; echoed in the answer), request metrics by route template,
    and one access log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logs.get("sbx.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        (b"x-request-id", request_id.encode()),
                    ],
                }
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                seconds = time.perf_counter() - started
                route = getattr(scope.get("route"), "path", None) or "unmatched"
                method = scope["method"]
                metrics.REQUESTS.labels(route, method, str(status)).inc()
                metrics.REQUEST_SECONDS.labels(route, method).observe(seconds)
                self.log.info(
                    "request",
                    method=method,
                    path=scope["path"],
                    route=route,
                    status=status,
                    duration_ms=round(seconds * 1000, 2),
                )
