"""Read models of the object registry."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sandbox_tooling.kit.schema import ReadModel
from sandbox_tooling.models import RegistryObject


class ObjectRead(ReadModel):
    """A configuration object: its native definition and what sbx records about it."""

    id: str
    type: str
    title: str
    version: int
    created_date: int = Field(alias="createdDate")
    modified_date: int = Field(alias="modifiedDate")
    definition: dict[str, Any] = Field(description="The object's native JSON definition.")

    @classmethod
    def of(cls, obj: RegistryObject) -> ObjectRead:
        return cls(
            id=obj.object_id,
            type=obj.type,
            title=obj.title,
            version=obj.version,
            created_date=obj.created_date,
            modified_date=obj.modified_date,
            definition=obj.definition,
        )
