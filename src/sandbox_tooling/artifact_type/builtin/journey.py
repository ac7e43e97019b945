"""Journey Optimizer journeys."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from sandbox_tooling.artifact_type.builtin.xdm import xdm_ref
from sandbox_tooling.artifact_type.spec import (
    ArtifactType,
    DefinitionModel,
    Reference,
    TypeContext,
)
from sandbox_tooling.kit import pointer
from sandbox_tooling.kit.clock import now_ms

JOURNEY_ID = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(@[0-9]{1,16})?$"
)

#: Which node field names which kind of object.
NODE_REFS = (
    ("audienceId", "PROFILE_SEGMENT", False),
    ("eventSchemaId", "REGISTRY_SCHEMA", True),
    ("fieldGroupId", "REGISTRY_MIXIN", True),
)


class NodeModel(DefinitionModel):
    id: str = Field(min_length=1)
    type: Literal[
        "readAudience",
        "audienceQualification",
        "event",
        "condition",
        "wait",
        "action",
        "message",
        "end",
    ]
    audience_id: str | None = Field(default=None, alias="audienceId")
    event_schema_id: str | None = Field(default=None, alias="eventSchemaId")
    field_group_id: str | None = Field(default=None, alias="fieldGroupId")
    next: list[str] = Field(default_factory=list)


class JourneyModel(DefinitionModel):
    name: str = Field(min_length=1)
    description: str | None = None
    status: Literal["draft", "live", "stopped", "closed", "finished"] = "draft"
    nodes: list[NodeModel] = Field(default_factory=list)


class JourneyType(ArtifactType):
    """A journey version; its id is ``<uuid>@<epochMs>``."""

    name = "JOURNEY"
    label = "journey"
    properties_model = JourneyModel
    resource = "Journey"
    in_full_sandbox = False

    def new_id(self, ctx: TypeContext) -> str:
        return f"{uuid.uuid4()}@{now_ms()}"

    def id_problem(self, object_id: str, ctx: TypeContext) -> str | None:
        if not JOURNEY_ID.match(object_id):
            return f"'{object_id}' is not a journey id (<uuid> or <uuid>@<epochMs>)"
        return None

    def import_rules(self, definition: dict[str, Any]) -> dict[str, Any]:
        """Journeys arrive as drafts."""
        return {**definition, "status": "draft"}

    def references(self, definition: Mapping[str, Any]) -> list[Reference]:
        refs: list[Reference] = []
        for i, node in enumerate(definition.get("nodes") or []):
            if not isinstance(node, dict):
                continue
            for key, ref_type, is_xdm in NODE_REFS:
                value = node.get(key)
                if isinstance(value, str) and value:
                    path = pointer.join("", "nodes", i, key)
                    refs.append(
                        xdm_ref(value, path, ref_type, strict=True)
                        if is_xdm
                        else Reference(ref_type, value, path)
                    )
        return refs
