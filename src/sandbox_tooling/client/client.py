"""The synchronous sbx client: authentication, requests, errors and paging.

One ``Client`` per org and credential. It fetches a token with the client-credentials grant
(``POST /ims/token/v3``) and fetches a new one shortly before it expires (or once, after a
401, when it holds the secret); every call sends the token, the API key and the org, and the
sandbox (``x-sandbox-name``) where the call works in one. Answers are parsed into the
server's own read models; errors raise the typed exceptions of ``client.errors``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from sandbox_tooling.client import resources
from sandbox_tooling.client.errors import ApiError, AuthenticationError, TransportError
from sandbox_tooling.kit.schema import Page

M = TypeVar("M", bound=BaseModel)

#: A token is renewed this long before it expires.
REFRESH_MARGIN_S = 60.0
EXIM = "/data/foundation/exim"


class Client:
    """A client of one sbx service, for one org.

    Args:
        url: the service's base URL (``http://127.0.0.1:8080``).
        client_id: the credential's client id (sent as ``x-api-key`` too).
        client_secret: its secret; without it, ``token`` is used until it expires.
        org: the org id (``…@AdobeOrg``).
        sandbox: the sandbox calls work in unless they name one.
        token, token_expires_at: a token obtained earlier (epoch seconds), reused if valid.
        on_token: called with ``(token, expires_at)`` whenever a new token is fetched (the CLI
            caches it).
        transport: an ``httpx`` transport (tests pass an ASGI app's).
    """

    def __init__(
        self,
        url: str,
        *,
        client_id: str,
        org: str,
        client_secret: str | None = None,
        sandbox: str = "prod",
        token: str | None = None,
        token_expires_at: float | None = None,
        timeout: float = 60.0,
        on_token: Callable[[str, float], None] | None = None,
        transport: httpx.BaseTransport | None = None,
        user_agent: str = "sbx-client",
    ) -> None:
        self.url = url.rstrip("/")
        self.client_id, self.client_secret, self.org = client_id, client_secret, org
        self.sandbox = sandbox
        self._token = token
        self._expires_at = token_expires_at or (time.time() + 3600 if token else 0.0)
        self._on_token = on_token
        self._http = httpx.Client(
            base_url=self.url,
            timeout=timeout,
            transport=transport,
            headers={"user-agent": user_agent},
        )
        self.sandboxes = resources.Sandboxes(self)
        self.objects = resources.Objects(self)
        self.packages = resources.Packages(self)
        self.imports = resources.Imports(self)
        self.express = resources.Express(self)
        self.jobs = resources.Jobs(self)
        self.versions = resources.Versions(self)
        self.links = resources.Links(self)
        self.transfers = resources.Transfers(self)

    # -- lifecycle ------------------------------------------------------------------------
    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- authentication -------------------------------------------------------------------
    def token(self) -> str:
        """A valid access token, fetched when there is none or it is about to expire."""
        if self._token and time.time() < self._expires_at - REFRESH_MARGIN_S:
            return self._token
        if not self.client_secret:
            if self._token and time.time() < self._expires_at:
                return self._token
            raise AuthenticationError(
                401, "NoCredentials", "no valid token and no client secret to get one", None
            )
        return self.login()

    @property
    def token_expires_at(self) -> float:
        """When the current token expires (epoch seconds; 0 without a token)."""
        return self._expires_at if self._token else 0.0

    def login(self) -> str:
        """Fetch a new token with the client-credentials grant."""
        try:
            r = self._http.post(
                "/ims/token/v3",
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret or "",
                },
            )
        except httpx.HTTPError as exc:
            raise TransportError(f"{self.url}: {exc}") from exc
        if r.status_code != 200:
            raise _error(r)
        body = r.json()
        self._token = str(body["access_token"])
        self._expires_at = time.time() + float(body.get("expires_in", 3600))
        if self._on_token is not None:
            self._on_token(self._token, self._expires_at)
        return self._token

    def _headers(self, sandbox: str | None) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self.token()}",
            "x-api-key": self.client_id,
            "x-gw-ims-org-id": self.org,
        }
        if sandbox is not None:
            headers["x-sandbox-name"] = sandbox
        return headers

    # -- requests -------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        sandbox: str | None = None,
        json: Any = None,
        params: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        stream: bool = False,
    ) -> httpx.Response:
        """One call (``path`` below the base URL); an error answer raises ``ApiError``. With
        ``stream``, the caller reads and closes the response."""
        where = sandbox or self.sandbox
        for attempt in (1, 2):
            request = self._http.build_request(
                method,
                path,
                json=json,
                params=params,
                content=content,
                headers={**self._headers(where), **(headers or {})},
            )
            try:
                r = self._http.send(request, stream=stream)
            except httpx.HTTPError as exc:
                raise TransportError(f"{method} {self.url}{path}: {exc}") from exc
            if r.status_code == 401 and attempt == 1 and self.client_secret:
                r.close()
                self._token = None  # revoked or expired early: one new token, one retry
                continue
            if r.status_code >= 400:
                if stream:
                    r.read()
                raise _error(r)
            return r
        raise AssertionError("unreachable")  # pragma: no cover

    def call(self, method: str, path: str, model: type[M], **kw: Any) -> M:
        """A call whose answer is one read model."""
        return model.model_validate(self.request(method, path, **kw).json())

    def call_list(self, method: str, path: str, model: type[M], **kw: Any) -> list[M]:
        """A call whose answer is a JSON array of read models."""
        return [model.model_validate(item) for item in self.request(method, path, **kw).json()]

    def pages(self, path: str, model: type[M], *, page_size: int = 100, **kw: Any) -> Iterator[M]:
        """Every item of a paged list (``start``/``limit``), fetched a page at a time."""
        params = dict(kw.pop("params", None) or {})
        start = 0
        while True:
            query = {**params, "start": start, "limit": page_size}
            r = self.request("GET", path, params=query, **kw)
            page = Page[model].model_validate(r.json())  # type: ignore[valid-type]
            yield from page.data
            if not page.has_next_page or not page.data:
                return
            start += len(page.data)


def _error(r: httpx.Response) -> ApiError:
    try:
        body: Any = r.json()
    except ValueError:
        body = None
    return ApiError.from_response(r.status_code, body, r.text)
