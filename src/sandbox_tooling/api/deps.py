"""Request dependencies: the runtime, the database session, the authenticated caller.

A request uses at most one database connection: its one session, which takes a connection
at its first query and is closed as soon as the endpoint's answer is serialized, before the
answer is sent (``scope="function"``). Dependencies that do no I/O are ``async def``, so
they never wait for a thread (docs/architecture.md, "Concurrency and admission").
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.kit.listing import INT64, FieldSpec, ListQuery, parse_list_query
from sandbox_tooling.runtime import Runtime

F = TypeVar("F", bound=Callable[..., Any])


def writes(func: F) -> F:
    """Mark a GET endpoint that changes state (publish), so it gets a write session."""
    func._sbx_writes = True  # type: ignore[attr-defined]
    return func


#: Where the request's session is kept in the ASGI scope (``api/routing.py`` closes it).
SESSION_KEY = "sbx_session"


async def get_runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.sbx
    return rt


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def open_session(request: Request, rt: Runtime) -> Session:
    """The request's session (no I/O: the connection is taken at the first query); a write
    session for anything but a read, or a read marked ``writes``."""
    endpoint = request.scope.get("endpoint")
    write = request.method not in ("GET", "HEAD", "OPTIONS") or getattr(
        endpoint, "_sbx_writes", False
    )
    session = rt.db.session(write=write)
    request.scope[SESSION_KEY] = session  # for the route to close it in the endpoint's thread
    return session


async def close_session(session: Session) -> None:
    """Close the request's session. Closing one that holds a connection (a read that did not
    commit) rolls back, which is I/O: it runs in a thread of its own limiter, never waiting
    for a request thread while it holds the connection."""
    if session.in_transaction():
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(session.close, limiter=anyio.CapacityLimiter(1))
    else:
        session.close()


async def get_session(request: Request, rt: RuntimeDep) -> AsyncIterator[Session]:
    """One session per request. Endpoints commit; anything uncommitted is rolled back."""
    session = open_session(request, rt)
    try:
        yield session
    finally:
        await close_session(session)


#: Closed when the endpoint's answer is serialized, before it is sent (``scope="function"``).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_principal(
    request: Request,
    session: SessionDep,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
    x_gw_ims_org_id: Annotated[str | None, Header()] = None,
) -> Principal:
    """The caller: from the process's cache of recent callers without I/O (no thread), else
    read in one thread hop (identity/cache.py)."""
    rt: Runtime = request.app.state.sbx
    principal = identity_service.cached_caller(
        rt.callers, authorization=authorization, api_key=x_api_key, org_id=x_gw_ims_org_id
    )
    if principal is not None:
        return principal
    return await run_in_threadpool(
        partial(
            identity_service.authenticate,
            session,
            authorization=authorization,
            api_key=x_api_key,
            org_id=x_gw_ims_org_id,
            cache=rt.callers,
        )
    )


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


async def get_sandbox_name(x_sandbox_name: Annotated[str | None, Header()] = None) -> str:
    return (x_sandbox_name or "").strip() or "prod"


SandboxName = Annotated[str, Depends(get_sandbox_name)]


@dataclass(frozen=True)
class ListSpec:
    """What a list endpoint filters and sorts on; also its parameters in the OpenAPI
    description (the grammar as patterns and enums, so a generated request that fits them
    is one the endpoint accepts)."""

    fields: Mapping[str, FieldSpec]
    sortable: Mapping[str, str]
    default_order: str
    extra: frozenset[str] = frozenset()

    def openapi(self) -> dict[str, Any]:
        orders = [p + name for name in self.sortable for p in ("", "-")]
        return {
            "parameters": [
                {
                    "name": "property",
                    "in": "query",
                    "description": "A filter <field><op><value> (== != >= <= > <; "
                    "comma-separated values ORed); repeat to AND them.",
                    "schema": {
                        "type": "array",
                        "items": {"type": "string", "pattern": property_pattern(self.fields)},
                    },
                    "style": "form",
                    "explode": True,
                },
                {
                    "name": "orderby",
                    "in": "query",
                    "description": "Sort field; a leading '-' sorts descending.",
                    "schema": {"type": "string", "enum": orders},
                },
                {
                    "name": "start",
                    "in": "query",
                    "description": "0-based offset.",
                    "schema": {"type": "integer", "minimum": 0, "maximum": INT64},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "description": "Page size (at most SBX_MAX_PAGE_SIZE).",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                },
            ]
        }


_DATE = (
    r"(\d{1,13}|(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])"
    r"T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ)"
)


def property_pattern(fields: Mapping[str, FieldSpec]) -> str:
    """A regular expression matching exactly the filters the list grammar accepts."""
    alternatives = []
    for name, spec in fields.items():
        if spec.kind == "enum":
            value = "(" + "|".join(sorted(re.escape(v) for v in spec.values)) + ")"
            alternatives.append(f"{name}(==|!=){value}(,{value})*")
        elif spec.kind == "date":
            alternatives.append(f"{name}(==|!=|>=|<=|>|<){_DATE}")
        elif spec.kind == "int":
            alternatives.append(f"{name}(==|!=|>=|<=|>|<)-?\\d{{1,18}}")
        else:
            value = r"[^,\s\x00-\x1f\x7f][^,\x00-\x1f\x7f]{0,200}"
            alternatives.append(f"{name}(==|!=){value}(,{value})*")
    return "^(" + "|".join(alternatives) + ")$"


def list_query(request: Request, rt: Runtime, spec: ListSpec) -> ListQuery:
    """Parse ``property``/``orderby``/``start``/``limit`` of a list request (400 on errors)."""
    return parse_list_query(
        list(request.query_params.multi_items()),
        fields=spec.fields,
        sortable=spec.sortable,
        default_order=spec.default_order,
        default_limit=rt.settings.default_page_size,
        max_limit=rt.settings.max_page_size,
        extra_params=frozenset(e.lower() for e in spec.extra),
    )
