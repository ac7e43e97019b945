"""The list grammar of the tooling API: ``property``, ``orderby``, ``start``, ``limit``.

``property=<field><op><value>`` with ``==`` (comma-separated values are ORed), ``!=``,
``>=``, ``<=``, ``>``, ``<``; repeated ``property`` parameters are ANDed. ``orderby=field``
sorts ascending, ``orderby=-field`` descending. ``start`` is a 0-based offset. At most
``MAX_FILTERS`` ``property`` parameters and ``MAX_VALUES`` values in one of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sandbox_tooling.errors import BadRequest
from sandbox_tooling.kit.clock import parse_iso_ms
from sandbox_tooling.kit.inputcheck import INT_TEXT, int_text_problem

#: The list grammar's parameters (compared lower-cased: ``orderBy`` is ``orderby``).
LIST_PARAMS = frozenset({"property", "orderby", "start", "limit"})
#: Bounds that keep a filter's SQL small (SQLite refuses expressions deeper than 1,000).
MAX_FILTERS = 50
MAX_VALUES = 1_000


class InvalidListQuery(BadRequest):
    """A list parameter that does not parse (``property``, ``orderby``, ``start``, ``limit``)."""


INT64 = 2**63 - 1
FieldKind = Literal["enum", "string", "date", "int"]
_OP = re.compile(r"^([A-Za-z][A-Za-z0-9_.]*)\s*(==|!=|>=|<=|=|>|<)(.*)$")


@dataclass(frozen=True)
class FieldSpec:
    column: str
    kind: FieldKind = "string"
    values: frozenset[str] = frozenset()
    # Case-insensitive enum comparison (the transfer list's requestType, for one).
    fold_case: bool = False


@dataclass(frozen=True)
class Filter:
    column: str
    op: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class ListQuery:
    filters: tuple[Filter, ...]
    order_column: str
    descending: bool
    start: int
    limit: int


def _integer(name: str, raw: str) -> int:
    problem = int_text_problem(raw)
    if problem:
        raise InvalidListQuery(f"query parameter 'property': field '{name}': {problem}")
    return int(raw)


def _convert(name: str, spec: FieldSpec, raw: str) -> Any:
    raw = raw.strip()
    if spec.kind == "date":
        if INT_TEXT.fullmatch(raw):
            return _integer(name, raw)
        try:
            return parse_iso_ms(raw)
        except ValueError:
            raise InvalidListQuery(
                f"query parameter 'property': field '{name}': '{raw}' is not an ISO-8601 "
                "date or epoch milliseconds"
            ) from None
    if spec.kind == "int":
        if not INT_TEXT.fullmatch(raw):
            raise InvalidListQuery(
                f"query parameter 'property': field '{name}': '{raw}' is not an integer"
            )
        return _integer(name, raw)
    if spec.kind == "enum":
        value = raw.upper() if spec.fold_case else raw
        allowed = {v.upper() for v in spec.values} if spec.fold_case else spec.values
        if value not in allowed:
            raise InvalidListQuery(
                f"query parameter 'property': field '{name}': unknown value '{raw}'; "
                f"allowed: {', '.join(sorted(spec.values))}"
            )
        return value
    return raw


def parse_list_query(
    params: Sequence[tuple[str, str]],
    *,
    fields: Mapping[str, FieldSpec],
    sortable: Mapping[str, str],
    default_order: str,
    default_limit: int,
    max_limit: int,
    extra_params: frozenset[str] = frozenset(),
) -> ListQuery:
    """Parse and check the list parameters. Every problem is a 400 naming the parameter."""
    filters: list[Filter] = []
    order = default_order
    start, limit = 0, default_limit
    allowed_params = LIST_PARAMS | set(extra_params)
    for key, raw in params:
        lkey = key.lower()
        if lkey not in allowed_params:
            raise InvalidListQuery(f"query parameter '{key}': unknown parameter")
        if lkey == "property":
            if len(filters) == MAX_FILTERS:
                raise InvalidListQuery(
                    f"query parameter 'property': at most {MAX_FILTERS} filters per request"
                )
            filters.append(_parse_property(raw, fields))
        elif lkey == "orderby":
            order = raw.strip()
        elif lkey == "start":
            start = _non_negative("start", raw)
        elif lkey == "limit":
            limit = _non_negative("limit", raw)
            if limit == 0:
                raise InvalidListQuery("query parameter 'limit': must be at least 1")
            if limit > max_limit:
                raise InvalidListQuery(f"query parameter 'limit': must be at most {max_limit}")
    descending = order.startswith("-")
    field = order.lstrip("+-").strip()
    column = next((col for name, col in sortable.items() if name.lower() == field.lower()), None)
    if column is None:
        raise InvalidListQuery(
            f"query parameter 'orderby': cannot sort by '{field}'; sortable: " + ", ".join(sortable)
        )
    return ListQuery(tuple(filters), column, descending, start, limit)


def _non_negative(name: str, raw: str) -> int:
    if not INT_TEXT.fullmatch(raw):
        raise InvalidListQuery(f"query parameter '{name}': must be an integer, got '{raw}'")
    problem = int_text_problem(raw)
    if problem:
        raise InvalidListQuery(f"query parameter '{name}': {problem}")
    value = int(raw)
    if value < 0:
        raise InvalidListQuery(f"query parameter '{name}': must not be negative")
    return value


def _parse_property(raw: str, fields: Mapping[str, FieldSpec]) -> Filter:
    match = _OP.match(raw.strip())
    if not match:
        raise InvalidListQuery(
            f"query parameter 'property': '{raw}' is not of the form <field><op><value>"
        )
    name, op, value = match.groups()
    spec = next((s for n, s in fields.items() if n.lower() == name.lower()), None)
    if spec is None:
        raise InvalidListQuery(
            f"query parameter 'property': unknown field '{name}'; filterable: " + ", ".join(fields)
        )
    op = "==" if op == "=" else op
    if op in ("==", "!="):
        raw_values = [v for v in value.split(",") if v.strip() != ""]
        if len(raw_values) > MAX_VALUES:
            raise InvalidListQuery(
                f"query parameter 'property': field '{name}': at most {MAX_VALUES} values, "
                f"got {len(raw_values)}"
            )
        values = tuple(_convert(name, spec, v) for v in raw_values)
        if not values:
            raise InvalidListQuery(f"query parameter 'property': field '{name}': no value given")
    else:
        if spec.kind not in ("date", "int"):
            raise InvalidListQuery(
                f"query parameter 'property': field '{name}': operator '{op}' applies only "
                "to dates and numbers"
            )
        values = (_convert(name, spec, value),)
    return Filter(spec.column, op, values)
