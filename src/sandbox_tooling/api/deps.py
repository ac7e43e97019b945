"""Request dependencies: the runtime, the database session, the authenticated caller."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Query, Request
from sqlalchemy.orm import Session

from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.kit.listing import FieldSpec, ListQuery, parse_list_query
from sandbox_tooling.runtime import Runtime

F = TypeVar("F", bound=Callable[..., Any])
INT64 = 2**63 - 1


def writes(func: F) -> F:
    """Mark a GET endpoint that changes state (publish), so it gets a write session."""
    func._sbx_writes = True  # type: ignore[attr-defined]
    return func


def get_runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.sbx
    return rt


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_session(request: Request, rt: RuntimeDep) -> Iterator[Session]:
    """One session per request. Endpoints commit; anything uncommitted is rolled back."""
    endpoint = request.scope.get("endpoint")
    write = request.method not in ("GET", "HEAD", "OPTIONS") or getattr(
        endpoint, "_sbx_writes", False
    )
    session = rt.db.session(write=write)
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def get_principal(
    session: SessionDep,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
    x_gw_ims_org_id: Annotated[str | None, Header()] = None,
) -> Principal:
    return identity_service.authenticate(
        session, authorization=authorization, api_key=x_api_key, org_id=x_gw_ims_org_id
    )


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def get_sandbox_name(x_sandbox_name: Annotated[str | None, Header()] = None) -> str:
    return (x_sandbox_name or "").strip() or "prod"


SandboxName = Annotated[str, Depends(get_sandbox_name)]


def list_query(
    request: Request,
    rt: Runtime,
    *,
    fields: dict[str, FieldSpec],
    sortable: dict[str, str],
    default_order: str,
    extra: frozenset[str] = frozenset(),
) -> ListQuery:
    """Parse ``property``/``orderby``/``start``/``limit`` of a list request (400 on errors);
    ``extra`` names the endpoint's own parameters."""
    return parse_list_query(
        list(request.query_params.multi_items()),
        fields=fields,
        sortable=sortable,
        default_order=default_order,
        default_limit=rt.settings.default_page_size,
        max_limit=rt.settings.max_page_size,
        extra_params=frozenset(e.lower() for e in extra),
    )


def list_params(
    property: Annotated[
        list[str] | None,
        Query(
            description="A filter <field><op><value> (== != >= <= > <); repeat to AND them.",
            examples=["status==PUBLISHED"],
        ),
    ] = None,
    orderby: Annotated[
        str | None,
        Query(description="Sort field; a leading '-' sorts descending.", examples=["-createdDate"]),
    ] = None,
    start: Annotated[int | None, Query(description="0-based offset.", ge=0, le=INT64)] = None,
    limit: Annotated[int | None, Query(description="Page size.", ge=1, le=INT64)] = None,
) -> None:
    """Declares the list grammar's parameters in the OpenAPI description; ``list_query``
    parses them (with their messages) from the request itself."""


#: ``dependencies=`` of list routes.
LIST_PARAMS = [Depends(list_params)]
