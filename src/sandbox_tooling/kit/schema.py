"""Base classes of the HTTP read models, and the paged envelope of the tooling API.

Read models name their fields in Python style and carry the documents' spelling as aliases;
responses are serialized by alias. Routes declare ``response_model_exclude_unset=True``: a
field the documents leave out when it has no value (``publishDate`` before a package is
published, say) is simply not set by the model's constructor.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from sandbox_tooling.kit.listing import ListQuery

T = TypeVar("T")
S = TypeVar("S")


class ReadModel(BaseModel):
    """A response body (or part of one)."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class Tracked(ReadModel):
    """The bookkeeping fields the documents give every stored record."""

    id: str
    version: int
    created_date: int = Field(alias="createdDate")
    modified_date: int = Field(alias="modifiedDate")
    created_by: str = Field(alias="createdBy")
    modified_by: str = Field(alias="modifiedBy")

    @staticmethod
    def tracking(row: Any) -> dict[str, Any]:
        """The bookkeeping fields of a row with the usual column names."""
        return {
            "id": row.id,
            "version": row.version,
            "created_date": row.created_date,
            "modified_date": row.modified_date,
            "created_by": row.created_by,
            "modified_by": row.modified_by,
        }


class Page(ReadModel, Generic[T]):
    """The paged envelope of list endpoints (SPEC §2.3)."""

    total_elements: int = Field(alias="totalElements")
    current_page: int = Field(alias="currentPage")
    total_pages: int = Field(alias="totalPages")
    has_previous_page: bool = Field(alias="hasPreviousPage")
    has_next_page: bool = Field(alias="hasNextPage")
    data: list[T]
    next_page: str | None = Field(alias="nextPage")
    page_size: int | None = Field(alias="pageSize")

    @classmethod
    def of(cls, items: Sequence[S], total: int, query: ListQuery, shape: Callable[[S], T]) -> Self:
        limit = query.limit
        return cls(
            total_elements=total,
            current_page=query.start // limit,
            total_pages=math.ceil(total / limit) if limit else 0,
            has_previous_page=query.start > 0,
            has_next_page=query.start + len(items) < total,
            data=[shape(i) for i in items],
            next_page=None,
            page_size=None,
        )


def set_fields(**values: Any) -> dict[str, Any]:
    """The keyword arguments whose value is not None: fields left unset (and so out of the
    response) when they have no value."""
    return {k: v for k, v in values.items() if v is not None}
