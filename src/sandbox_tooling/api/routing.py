"""The router every domain's endpoints use.

Routes serialize their read models with ``exclude_unset``: a field the documents leave out
when it has no value (``publishDate`` before a package is published, say) is one the read
model's constructor did not set. Authenticated routers declare the errors every
authenticated route can answer.

A sync endpoint runs in one thread hop that also ends the request's database work: once it
returns a read model (or a response), its session is closed in that same thread, so the
rollback of a read costs no second hop, and the answer is serialized on the event loop
rather than in a third (docs/architecture.md, "Concurrency and admission").
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request
from fastapi.dependencies.utils import get_typed_return_annotation, get_typed_signature
from fastapi.routing import APIRoute, _effective_route_context_var
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from sandbox_tooling.api import fastpath
from sandbox_tooling.api.deps import SESSION_KEY
from sandbox_tooling.api.responses import AUTHENTICATED

_REQUEST = "_sbx_request"


class ReadRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        kwargs["response_model_exclude_unset"] = True
        if inspect.isfunction(endpoint) and not (
            inspect.iscoroutinefunction(endpoint)
            or inspect.isgeneratorfunction(endpoint)
            or inspect.isasyncgenfunction(endpoint)
        ):
            endpoint = in_one_thread(endpoint)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, or the shorter one of ``api/fastpath.py`` when the route
        qualifies (and no dependency override is set)."""
        slow = super().get_route_handler()
        # An included route is built through FastAPI's effective context of it (the route
        # with the dependencies of the routers and app that include it).
        context = _effective_route_context_var.get()
        route = context if context is not None and context.original_route is self else self
        plan = fastpath.plan_for(route)
        if plan is None:
            return slow
        provider = route.dependency_overrides_provider

        async def handle(request: Request) -> Response:
            if provider is not None and getattr(provider, "dependency_overrides", None):
                return await slow(request)
            return await plan.handle(request)

        return handle


def in_one_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` as a coroutine that runs it in a worker thread and, in that thread, closes
    the request's session when the answer needs nothing more from it (a read model or a
    response; anything else is serialized as before, the session closed after it)."""
    typed = get_typed_signature(endpoint)
    returns = get_typed_return_annotation(endpoint)
    params = list(typed.parameters.values())
    # FastAPI passes the request to one parameter: the endpoint's own, else one added here.
    own = next((p.name for p in params if p.annotation is Request), None)
    if own is None:
        params.append(
            inspect.Parameter(_REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request)
        )

    def call(kwargs: dict[str, Any]) -> Any:
        request: Request = kwargs[own] if own else kwargs.pop(_REQUEST)
        try:
            result = endpoint(**kwargs)
        except BaseException:
            _close(request)
            raise
        if isinstance(result, BaseModel | Response):
            _close(request)
        return result

    async def run(**kwargs: Any) -> Any:
        return await run_in_threadpool(call, kwargs)

    for name in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(run, name, getattr(endpoint, name))
    run.__dict__.update(endpoint.__dict__)  # markers such as ``writes``
    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        params, return_annotation=inspect.Signature.empty if returns is None else returns
    )
    return run


def _close(request: Request) -> None:
    session = request.scope.get(SESSION_KEY)
    if isinstance(session, Session):
        session.close()


def api_router(prefix: str, tag: str, *, authenticated: bool = True) -> APIRouter:
    return APIRouter(
        prefix=prefix,
        tags=[tag],
        responses=AUTHENTICATED if authenticated else None,
        route_class=ReadRoute,
    )
