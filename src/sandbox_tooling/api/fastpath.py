"""A shorter way through FastAPI for routes whose dependencies are all sbx's own.

FastAPI resolves a route's dependencies by walking their tree on every request, four
parameter sources per node; for an authenticated read (the request check, runtime, session
and caller) that walk costs more than the endpoint's own work. A route whose dependencies
are only those (``api/deps.py``, ``api/query.py``) and that takes no body is served here:
the same dependencies, called in the order FastAPI calls them, the route's own path, query
and header parameters validated by FastAPI's own function (same values, same errors), the
answer serialized by FastAPI's own function (same bytes). Anything else (a body, another
dependency, a ``Response`` parameter, a dependency override) takes FastAPI's way.
``tests/api/test_fastpath.py`` holds both ways to the same answers.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.routing import serialize_response
from fastapi.utils import is_body_allowed_for_status_code
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from sandbox_tooling.api.deps import (
    close_session,
    get_principal,
    get_runtime,
    get_sandbox_name,
    get_session,
    open_session,
)
from sandbox_tooling.api.query import check_request

KNOWN: frozenset[Callable[..., Any]] = frozenset(
    {check_request, get_runtime, get_session, get_principal, get_sandbox_name}
)


@dataclass(frozen=True)
class Plan:
    """How to serve one route without FastAPI's dependency walk."""

    dependant: Dependant
    #: The route's dependencies in FastAPI's order: (endpoint parameter or None, function).
    steps: tuple[tuple[str | None, Callable[..., Any]], ...]
    route: Any  # the route (or FastAPI's effective context of an included route)

    async def handle(self, request: Request) -> Response:
        d, route = self.dependant, self.route
        rt = request.app.state.sbx
        values: dict[str, Any] = {}
        session: Session | None = None
        try:
            for name, call in self.steps:
                value: Any = None
                if call is check_request:
                    await check_request(request)
                elif call is get_runtime:
                    value = rt
                elif call is get_sandbox_name:
                    value = await get_sandbox_name(request.headers.get("x-sandbox-name"))
                else:
                    if session is None:
                        session = open_session(request, rt)
                    value = session
                    if call is get_principal:
                        headers = request.headers
                        value = await get_principal(
                            request,
                            session,
                            authorization=headers.get("authorization"),
                            x_api_key=headers.get("x-api-key"),
                            x_gw_ims_org_id=headers.get("x-gw-ims-org-id"),
                        )
                if name is not None:
                    values[name] = value
            errors: list[Any] = []
            for fields, source in (
                (d.path_params, request.path_params),
                (d.query_params, request.query_params),
                (d.header_params, request.headers),
            ):
                if fields:
                    found, problems = request_params_to_args(fields, source)
                    values.update(found)
                    errors.extend(problems)
            if errors:
                raise RequestValidationError(errors, body=None)
            if d.request_param_name:
                values[d.request_param_name] = request
            assert d.call is not None
            raw = await d.call(**values)
            if isinstance(raw, Response):
                return raw
            content = await serialize_response(
                field=route.response_field,
                response_content=raw,
                include=route.response_model_include,
                exclude=route.response_model_exclude,
                by_alias=route.response_model_by_alias,
                exclude_unset=route.response_model_exclude_unset,
                exclude_defaults=route.response_model_exclude_defaults,
                exclude_none=route.response_model_exclude_none,
                is_coroutine=True,
                dump_json=True,
            )
            response = Response(
                content=content, media_type="application/json", status_code=route.status_code or 200
            )
            if not is_body_allowed_for_status_code(response.status_code):
                response.body = b""
            return response
        finally:
            if session is not None:
                await close_session(session)


def plan_for(route: Any) -> Plan | None:
    """The plan of a route that qualifies (see the module's docstring), else None."""
    d: Dependant = route.dependant
    if (
        route.body_field is not None
        or d.body_params
        or d.cookie_params
        or route.response_field is None
        or not isinstance(route.response_class, DefaultPlaceholder)
        or getattr(route, "stream_item_field", None) is not None
        or d.call is None
        or not inspect.iscoroutinefunction(d.call)
        or d.response_param_name
        or d.background_tasks_param_name
        or d.websocket_param_name
        or d.http_connection_param_name
        or d.security_scopes_param_name
    ):
        return None
    steps: list[tuple[str | None, Callable[..., Any]]] = []
    for sub in d.dependencies:
        if sub.call not in KNOWN:
            return None
        steps.append((sub.name, sub.call))
    return Plan(dependant=d, steps=tuple(steps), route=route)
