"""Real-Time Customer Profile objects: audiences and merge policies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from sandbox_tooling.artifact_type.builtin.common import UuidIdType
from sandbox_tooling.artifact_type.spec import DefinitionModel, Permission, Reference
from sandbox_tooling.kit import pointer


class ExpressionModel(DefinitionModel):
    type: Literal["PQL"] = "PQL"
    format: Literal["pql/text", "pql/json"] = "pql/text"
    value: str = Field(min_length=1)


class SchemaNameModel(DefinitionModel):
    name: str = Field(min_length=1)


class AudienceModel(DefinitionModel):
    name: str = Field(min_length=1)
    description: str | None = None
    expression: ExpressionModel
    schema_: SchemaNameModel = Field(alias="schema")
    merge_policy_id: str | None = Field(default=None, alias="mergePolicyId")
    evaluation_info: dict[str, Any] | None = Field(default=None, alias="evaluationInfo")


class AudienceType(UuidIdType):
    name = "PROFILE_SEGMENT"
    label = "audience"
    properties_model = AudienceModel
    resource = "Segment"
    reuse_by_title = True

    def references(self, definition: Mapping[str, Any]) -> list[Reference]:
        merge = definition.get("mergePolicyId")
        return (
            [Reference("PROFILE_MERGE", merge, "/mergePolicyId")] if isinstance(merge, str) else []
        )

    def required_permissions(self) -> tuple[Permission, ...]:
        return (
            Permission("Segment", ("read", "write")),
            Permission("ProfileConfig", ("read",)),
        )


class IdentityGraphModel(DefinitionModel):
    type: Literal["none", "pdg"]


class AttributeMergeModel(DefinitionModel):
    type: Literal["timestampOrdered", "dataSetPrecedence"]
    order: list[str] | None = None


class MergePolicyModel(DefinitionModel):
    name: str = Field(min_length=1)
    schema_: SchemaNameModel = Field(alias="schema")
    identity_graph: IdentityGraphModel = Field(alias="identityGraph")
    attribute_merge: AttributeMergeModel = Field(alias="attributeMerge")
    default: bool = False
    active_on_edge: bool = Field(default=False, alias="activeOnEdge")


class MergePolicyType(UuidIdType):
    name = "PROFILE_MERGE"
    label = "merge policy"
    properties_model = MergePolicyModel
    resource = "ProfileConfig"
    root_allowed = False

    def references(self, definition: Mapping[str, Any]) -> list[Reference]:
        merge = definition.get("attributeMerge")
        order = merge.get("order") if isinstance(merge, dict) else None
        return [
            Reference("CATALOG_DATASET", ds, pointer.join("", "attributeMerge", "order", i))
            for i, ds in enumerate(order or [])
            if isinstance(ds, str)
        ]
