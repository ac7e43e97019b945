"""Unit tests of the list grammar (``property``, ``orderby``, ``start``, ``limit``): parsed
filters and order, every problem a 400 naming the parameter."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox_tooling.kit.listing import (
    INT64,
    MAX_FILTERS,
    MAX_VALUES,
    FieldSpec,
    Filter,
    InvalidListQuery,
    ListQuery,
    parse_list_query,
)

FIELDS = {
    "status": FieldSpec("status", "enum", frozenset({"DRAFT", "PUBLISHED"})),
    "createdDate": FieldSpec("created_date", "date"),
    "name": FieldSpec("name"),
    "version": FieldSpec("version", "int"),
    "requestType": FieldSpec("request_type", "enum", frozenset({"PRIVATE", "PUBLIC"}), True),
}
SORTABLE = {"name": "name", "createdDate": "created_date"}


def parse(*params: tuple[str, str], **kw: Any) -> ListQuery:
    return parse_list_query(
        list(params),
        fields=FIELDS,
        sortable=SORTABLE,
        default_order="-createdDate",
        default_limit=20,
        max_limit=100,
        **kw,
    )


def filters(*properties: str) -> tuple[Filter, ...]:
    return parse(*(("property", p) for p in properties)).filters


class TestParse:
    def test_defaults(self) -> None:
        assert parse() == ListQuery((), "created_date", True, 0, 20)

    def test_equality_values_are_ored(self) -> None:
        assert filters("status==DRAFT,PUBLISHED") == (
            Filter("status", "==", ("DRAFT", "PUBLISHED")),
        )
        assert filters("status==DRAFT,,") == (Filter("status", "==", ("DRAFT",)),)
        assert filters("status!=DRAFT") == (Filter("status", "!=", ("DRAFT",)),)

    def test_single_equals_sign_means_equality(self) -> None:
        assert filters("name=x=y") == (Filter("name", "==", ("x=y",)),)

    def test_repeated_properties_are_anded(self) -> None:
        assert filters("createdDate>=2024-01-01T00:00:00Z", "createdDate<1704153600000") == (
            Filter("created_date", ">=", (1704067200000,)),
            Filter("created_date", "<", (1704153600000,)),
        )

    def test_numbers_and_spaces(self) -> None:
        assert filters(" version > 3 ") == (Filter("version", ">", (3,)),)

    def test_field_names_and_enum_case(self) -> None:
        assert filters("STATUS==DRAFT") == (Filter("status", "==", ("DRAFT",)),)
        assert filters("requestType==private,Public") == (
            Filter("request_type", "==", ("PRIVATE", "PUBLIC")),
        )

    def test_order_start_limit(self) -> None:
        q = parse(("ORDERBY", "+Name"), ("start", "40"), ("Limit", "100"))
        assert (q.order_column, q.descending, q.start, q.limit) == ("name", False, 40, 100)
        assert parse(("orderby", "-name")).descending is True

    def test_extra_parameters_allowed_when_declared(self) -> None:
        assert parse(("requestType", "x"), extra_params=frozenset({"requesttype"})).filters == ()


class TestErrorsNameTheParameter:
    """Every problem is an ``InvalidListQuery`` (400) whose detail starts with the parameter
    at fault and names the field, value or bound in question."""

    @pytest.mark.parametrize(
        ("param", "value", "fragments"),
        [
            (
                "property",
                "status==SHINY",
                ["field 'status'", "unknown value 'SHINY'", "allowed: DRAFT, PUBLISHED"],
            ),
            ("property", "status", ["'status' is not of the form <field><op><value>"]),
            (
                "property",
                "colour==red",
                [
                    "unknown field 'colour'",
                    "filterable: status, createdDate, name, version, requestType",
                ],
            ),
            ("property", "status==", ["field 'status'", "no value given"]),
            ("property", "status==,", ["field 'status'", "no value given"]),
            ("property", "name>a", ["field 'name'", "operator '>' applies only to dates"]),
            (
                "property",
                "status>=DRAFT",
                ["field 'status'", "operator '>=' applies only to dates"],
            ),
            ("property", "version==x", ["field 'version'", "'x' is not an integer"]),
            (
                "property",
                "createdDate>=yesterday",
                ["field 'createdDate'", "'yesterday' is not an ISO-8601 date"],
            ),
            ("start", "-1", ["must not be negative"]),
            ("start", "x", ["must be an integer, got 'x'"]),
            ("start", "1e3", ["must be an integer, got '1e3'"]),
            ("start", str(INT64 + 1), [str(INT64 + 1), "64-bit"]),
            ("limit", "0", ["must be at least 1"]),
            ("limit", "101", ["must be at most 100"]),
            ("limit", "ten", ["must be an integer, got 'ten'"]),
            ("orderby", "colour", ["cannot sort by 'colour'", "sortable: name, createdDate"]),
            ("orderby", "-version", ["cannot sort by 'version'"]),
            ("colour", "red", ["unknown parameter"]),
        ],
    )
    def test_bad_parameter(self, param: str, value: str, fragments: list[str]) -> None:
        with pytest.raises(InvalidListQuery) as err:
            parse((param, value))
        assert err.value.status_code == 400
        assert err.value.detail.startswith(f"query parameter '{param}': "), err.value.detail
        for fragment in fragments:
            assert fragment in err.value.detail, (fragment, err.value.detail)

    def test_start_up_to_int64(self) -> None:
        assert parse(("start", str(INT64))).start == INT64

    def test_bounded_filters(self) -> None:
        assert len(filters(*["name==a"] * MAX_FILTERS)) == MAX_FILTERS
        with pytest.raises(InvalidListQuery, match=f"at most {MAX_FILTERS} filters"):
            filters(*["name==a"] * (MAX_FILTERS + 1))
        (one,) = filters("name==" + ",".join(["a"] * MAX_VALUES))
        assert len(one.values) == MAX_VALUES
        with pytest.raises(InvalidListQuery, match=f"field 'name': at most {MAX_VALUES} values"):
            filters("name==" + ",".join(["a"] * (MAX_VALUES + 1)))
