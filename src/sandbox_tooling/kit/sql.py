"""Turn a parsed ListQuery into SQLAlchemy clauses."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from sandbox_tooling.kit.listing import ListQuery

S = TypeVar("S", bound=Select[Any])


def apply_filters(stmt: S, model: Any, query: ListQuery) -> S:
    for flt in query.filters:
        column = getattr(model, flt.column)
        # IN lists, not OR trees: SQLite refuses expressions deeper than 1,000 levels.
        if flt.op == "==":
            stmt = stmt.where(column.in_(flt.values))
        elif flt.op == "!=":
            stmt = stmt.where(column.not_in(flt.values))
        else:
            value = flt.values[0]
            clause = {
                ">=": column >= value,
                "<=": column <= value,
                ">": column > value,
                "<": column < value,
            }[flt.op]
            stmt = stmt.where(and_(clause))
    return stmt


def order_by(stmt: S, model: Any, query: ListQuery, tiebreak: Any) -> S:
    column = getattr(model, query.order_column)
    primary = column.desc() if query.descending else column.asc()
    return stmt.order_by(primary, tiebreak)


def paginate(
    session: Session, stmt: Select[Any], model: Any, query: ListQuery, tiebreak: Any
) -> tuple[list[Any], int]:
    """Filter, count, order and slice ``stmt`` (a select of one entity) per ``query``."""
    stmt = apply_filters(stmt, model, query)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        order_by(stmt, model, query, tiebreak).offset(query.start).limit(query.limit)
    )
    return list(rows), total


def contains(column: Any, text: str) -> Any:
    """``column`` holds ``text`` (case-insensitive; ``%`` and ``_`` are literal)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")
