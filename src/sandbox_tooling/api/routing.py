"""The router every domain's endpoints use.

Routes serialize their read models with ``exclude_unset``: a field the documents leave out
when it has no value (``publishDate`` before a package is published, say) is one the read
model's constructor did not set. Authenticated routers declare the errors every
authenticated route can answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from sandbox_tooling.api.responses import AUTHENTICATED


class ReadRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        kwargs["response_model_exclude_unset"] = True
        super().__init__(path, endpoint, **kwargs)


def api_router(prefix: str, tag: str, *, authenticated: bool = True) -> APIRouter:
    return APIRouter(
        prefix=prefix,
        tags=[tag],
        responses=AUTHENTICATED if authenticated else None,
        route_class=ReadRoute,
    )
