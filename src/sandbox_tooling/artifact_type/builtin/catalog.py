"""Catalog datasets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from sandbox_tooling.artifact_type.builtin.common import Hex24IdType
from sandbox_tooling.artifact_type.builtin.xdm import xdm_ref
from sandbox_tooling.artifact_type.spec import DefinitionModel, Reference


class SchemaRefModel(DefinitionModel):
    id: str = Field(min_length=1)
    content_type: str = Field(
        default="application/vnd.adobe.xed-full+json;version=1", alias="contentType"
    )


class DatasetModel(DefinitionModel):
    name: str = Field(min_length=1)
    description: str | None = None
    schema_ref: SchemaRefModel = Field(alias="schemaRef")
    tags: dict[str, list[str]] | None = None


class DatasetType(Hex24IdType):
    name = "CATALOG_DATASET"
    label = "dataset"
    properties_model = DatasetModel
    resource = "Dataset"

    def import_rules(self, definition: dict[str, Any]) -> dict[str, Any]:
        """Datasets arrive with Profile and Identity disabled."""
        tags = definition.get("tags")
        if not isinstance(tags, dict):
            return definition
        changed = {
            k: (["enabled:false"] if k in ("unifiedProfile", "unifiedIdentity") else v)
            for k, v in tags.items()
        }
        return {**definition, "tags": changed}

    def references(self, definition: Mapping[str, Any]) -> list[Reference]:
        schema_ref = definition.get("schemaRef")
        if isinstance(schema_ref, dict) and isinstance(schema_ref.get("id"), str):
            return [xdm_ref(schema_ref["id"], "/schemaRef/id", "REGISTRY_SCHEMA", strict=True)]
        return []
