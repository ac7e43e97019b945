"""Query-string and path strictness for every route, from the route's own declaration.

Added to the app as a dependency, so it runs before a route's other dependencies and its
endpoint. A route accepts the query parameters it declares: its (and its dependencies')
``Query`` parameters and the ``in: query`` parameters of its ``openapi_extra``, by their
exact names. A route that declares the whole list grammar (``property``, ``orderby``,
``start``, ``limit``) accepts those names in any case (``orderBy``), as the grammar always
has. Anything else is refused with 400 naming the parameter: an unknown parameter, a
non-array parameter given twice, a NUL character in a parameter or a path parameter, an
integer parameter outside the signed 64-bit range. The token endpoint answers in its OAuth
shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.routing import APIRoute

from sandbox_tooling.errors import AppError, BadRequest
from sandbox_tooling.identity.errors import InvalidTokenRequest
from sandbox_tooling.kit.inputcheck import INT_TEXT, int_text_problem, text_problem
from sandbox_tooling.kit.listing import LIST_PARAMS


class InvalidRequestParameter(BadRequest):
    """A query or path parameter the route does not accept (unknown, repeated, NUL, too big).

    Unknown: not declared by the route; repeated: a non-array parameter given twice; a NUL
    character in a parameter or path parameter; an integer outside the signed 64-bit range.
    """

    code = "EXIM-400-VALIDATION"
    title = "Validation failed"


@dataclass(frozen=True)
class QuerySpec:
    """What a route accepts in its query string."""

    names: frozenset[str]
    repeatable: frozenset[str]
    integers: frozenset[str]
    list_grammar: bool


def _fields(dependant: Any) -> Iterator[Any]:
    yield from dependant.query_params
    for sub in dependant.dependencies:
        yield from _fields(sub)


def _members(annotation: Any) -> tuple[Any, ...]:
    origin = get_origin(annotation)
    if origin is Union or type(annotation).__name__ == "UnionType":
        return tuple(a for a in get_args(annotation) if a is not type(None))
    return (annotation,)


def _spec(route: APIRoute) -> QuerySpec:
    spec: QuerySpec | None = getattr(route, "_sbx_query_spec", None)
    if spec is None:
        names, repeatable, integers = set(), set(), set()
        for field in _fields(route.dependant):
            alias = field.alias
            names.add(alias)
            for member in _members(field.field_info.annotation):
                origin = get_origin(member) or member
                if origin in (list, tuple, set, frozenset):
                    repeatable.add(alias)
                elif member is int:
                    integers.add(alias)
        for param in (route.openapi_extra or {}).get("parameters", []):
            if isinstance(param, dict) and param.get("in") == "query" and "name" in param:
                names.add(param["name"])
                kind = (param.get("schema") or {}).get("type")
                if kind == "array":
                    repeatable.add(param["name"])
                elif kind == "integer":
                    integers.add(param["name"])
        spec = QuerySpec(
            frozenset(names),
            frozenset(repeatable),
            frozenset(integers),
            {n.lower() for n in names} >= LIST_PARAMS,
        )
        route._sbx_query_spec = spec  # type: ignore[attr-defined]
    return spec


def _error(request: Request, detail: str) -> AppError:
    if request.url.path.startswith("/ims/"):
        return InvalidTokenRequest(detail)
    field, _, message = detail.partition(": ")
    return InvalidRequestParameter(detail, errors=[{"field": field, "message": message}])


async def check_request(request: Request) -> None:
    """Refuse what the matched route does not accept in its query string and path (no I/O:
    ``async``, so it takes no thread)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    for name, value in request.path_params.items():
        problem = text_problem(value) if isinstance(value, str) else None
        if problem:
            raise _error(request, f"path parameter '{name}': {problem}")
    spec = _spec(route)
    seen: set[str] = set()
    for key, value in request.query_params.multi_items():
        problem = text_problem(key) or text_problem(value)
        if problem:
            raise _error(request, f"query parameter '{key}': {problem}")
        grammar = spec.list_grammar and key.lower() in LIST_PARAMS
        if key not in spec.names and not grammar:
            accepted = sorted(spec.names)
            raise _error(
                request,
                f"query parameter '{key}': unknown parameter; accepted: "
                + (", ".join(accepted) or "none"),
            )
        canonical = key.lower() if grammar else key
        if canonical in seen and not (key in spec.repeatable or canonical == "property"):
            raise _error(request, f"query parameter '{key}': given more than once")
        seen.add(canonical)
        if (key in spec.integers or canonical in ("start", "limit")) and INT_TEXT.fullmatch(value):
            problem = int_text_problem(value)
            if problem:
                raise _error(request, f"query parameter '{key}': {problem}")
