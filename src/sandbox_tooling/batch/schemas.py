"""Request items and read models of ``POST /registry/objects:batch``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sandbox_tooling.batch.service import Stored
from sandbox_tooling.kit.schema import ReadModel


class BatchItem(BaseModel):
    """One object of a batch (documents the body; items are checked one by one by the
    service, so that every invalid one is listed)."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(examples=["REGISTRY_SCHEMA"], description="The artifact type.")
    definition: dict[str, Any] = Field(
        description="The object's native JSON, as for POST /registry/objects/{TYPE}."
    )


class StoredRead(ReadModel):
    index: int = Field(description="The object's position in the request (0-based).")
    id: str
    type: str

    @classmethod
    def of(cls, s: Stored) -> StoredRead:
        return cls(index=s.index, id=s.object_id, type=s.type)


class BatchRead(ReadModel):
    """The objects written, dependencies first."""

    count: int
    objects: list[StoredRead]

    @classmethod
    def of(cls, stored: list[Stored]) -> BatchRead:
        return cls(count=len(stored), objects=[StoredRead.of(s) for s in stored])
