"""Pure ASGI middleware: body size limit and the Content-Type rule of the platform."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BODY_METHODS = {"POST", "PUT", "PATCH"}


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
