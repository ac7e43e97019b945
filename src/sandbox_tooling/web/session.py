"""The console's session: a signed, HttpOnly, SameSite=Strict cookie holding who signed in,
when the sign-in expires, the CSRF token and the chosen sandbox.

The cookie is signed with itsdangerous (HMAC over the JSON payload and a timestamp) under the
server key (``SBX_SECRET_KEY``, else a key made once into the data directory), so restarts
keep sessions. It is ``Secure`` when the request came over https. Nothing in it is secret:
it is signed, not encrypted, and holds ids only.
"""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox_tooling.config import Settings
from sandbox_tooling.webhook.keys import server_key

COOKIE = "sbx_console"
SCOPE_KEY = "sbx_console_session"


def secret_key(settings: Settings) -> bytes:
    """The server key (``SBX_SECRET_KEY``, else ``$SBX_DATA_DIR/secret.key``, made once), the
    one webhook secrets derive from; itsdangerous derives the cookie's own signing key from
    it and the salt, so neither use can stand for the other."""
    return server_key(settings)


class CookieSession:
    """The session data of one request; ``modified`` makes the response set the cookie."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.modified = False

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value
        self.modified = True

    def pop(self, key: str, default: Any = None) -> Any:
        if key in self.data:
            self.modified = True
        return self.data.pop(key, default)

    def replace(self, data: dict[str, Any]) -> None:
        self.data = data
        self.modified = True

    def csrf_token(self) -> str:
        """The session's CSRF token, made on first use (an anonymous session has one too,
        so the sign-in form is protected as well)."""
        token = self.data.get("csrf")
        if not isinstance(token, str) or not token:
            token = secrets.token_urlsafe(32)
            self.set("csrf", token)
        return token


class SessionCookies:
    """Pure ASGI middleware: loads the console's cookie on console paths and writes it back
    when a page changed the session."""

    def __init__(self, app: ASGIApp, *, secret: bytes, max_age: int, prefix: str) -> None:
        self.app = app
        self.serializer = URLSafeTimedSerializer(secret, salt="sbx-console-session")
        self.max_age = max_age
        self.prefix = prefix

    def _load(self, scope: Scope) -> dict[str, Any]:
        for name, value in scope["headers"]:
            if name != b"cookie":
                continue
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header is no session
                return {}
            morsel = jar.get(COOKIE)
            if morsel is None:
                continue
            try:
                data = self.serializer.loads(morsel.value, max_age=self.max_age)
            except BadSignature:
                return {}
            return data if isinstance(data, dict) else {}
        return {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not (
            path == self.prefix or path.startswith(self.prefix + "/")
        ):
            await self.app(scope, receive, send)
            return
        cookie = CookieSession(self._load(scope))
        scope[SCOPE_KEY] = cookie
        secure = scope.get("scheme") == "https"

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start" and cookie.modified:
                headers = MutableHeaders(scope=message)
                attrs = f"Path={self.prefix}; HttpOnly; SameSite=Strict"
                if secure:
                    attrs += "; Secure"
                if cookie.data:
                    value = self.serializer.dumps(cookie.data)
                    headers.append(
                        "Set-Cookie", f"{COOKIE}={value}; Max-Age={self.max_age}; {attrs}"
                    )
                else:
                    headers.append(
                        "Set-Cookie",
                        f"{COOKIE}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; {attrs}",
                    )
            await send(message)

        await self.app(scope, receive, send_wrapper)
