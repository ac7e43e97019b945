"""Sources dataflows and the mapping sets they use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from sandbox_tooling.artifact_type.builtin.common import Hex32IdType, UuidIdType
from sandbox_tooling.artifact_type.builtin.xdm import xdm_ref
from sandbox_tooling.artifact_type.spec import DefinitionModel, Reference, definition_error
from sandbox_tooling.kit import pointer, secrets

SECRET_PLACEHOLDER = secrets.PLACEHOLDER


class MappingModel(DefinitionModel):
    source: str = Field(min_length=1)
    destination: str = Field(min_length=1)
    source_type: Literal["ATTRIBUTE", "EXPRESSION", "CONSTANT"] = Field(
        default="ATTRIBUTE", alias="sourceType"
    )


class MappingSetModel(DefinitionModel):
    name: str | None = None
    version: int | None = None
    xdm_schema: str = Field(alias="xdmSchema", min_length=1)
    xdm_version: str | None = Field(default=None, alias="xdmVersion")
    mappings: list[MappingModel]


class MappingSetType(Hex32IdType):
    name = "MAPPING_SET"
    label = "mapping set"
    properties_model = MappingSetModel
    resource = "Sources"
    root_allowed = False

    def references(self, definition: Mapping[str, Any]) -> list[Reference]:
        schema = definition.get("xdmSchema")
        return (
            [xdm_ref(schema, "/xdmSchema", "REGISTRY_SCHEMA", strict=True)]
            if isinstance(schema, str)
            else []
        )


class SpecRef(DefinitionModel):
    id: str = Field(min_length=1)
    version: str = "1.0"


class TransformationModel(DefinitionModel):
    name: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)


class ConnectionModel(DefinitionModel):
    id: str | None = None
    connection_spec: SpecRef | None = Field(default=None, alias="connectionSpec")
    params: dict[str, Any] = Field(default_factory=dict)
    base_connection: dict[str, Any] | None = Field(default=None, alias="baseConnection")


class FlowModel(DefinitionModel):
    name: str = Field(min_length=1)
    description: str | None = None
    flow_spec: SpecRef = Field(alias="flowSpec")
    source_connection_ids: list[str] = Field(default_factory=list, alias="sourceConnectionIds")
    target_connection_ids: list[str] = Field(default_factory=list, alias="targetConnectionIds")
    source_connections: list[ConnectionModel] = Field(
        default_factory=list, alias="sourceConnections"
    )
    target_connections: list[ConnectionModel] = Field(
        default_factory=list, alias="targetConnections"
    )
    transformations: list[TransformationModel] = Field(default_factory=list)
    schedule_params: dict[str, Any] | None = Field(default=None, alias="scheduleParams")
    state: Literal["enabled", "disabled", "draft"] = "enabled"


class FlowType(UuidIdType):
    """A sources dataflow. Connection credentials never leave the source sandbox."""

    name = "FLOW"
    label = "dataflow"
    properties_model = FlowModel
    resource = "Sources"

    def references(self, definition: Mapping[str, Any]) -> list[Reference]:
        refs: list[Reference] = []
        for i, tr in enumerate(definition.get("transformations") or []):
            params = tr.get("params") if isinstance(tr, dict) else None
            if isinstance(params, dict) and isinstance(params.get("mappingId"), str):
                path = pointer.join("", "transformations", i, "params", "mappingId")
                refs.append(Reference("MAPPING_SET", params["mappingId"], path))
        for i, conn in enumerate(definition.get("targetConnections") or []):
            params = conn.get("params") if isinstance(conn, dict) else None
            if isinstance(params, dict):
                if isinstance(params.get("dataSetId"), str):
                    path = pointer.join("", "targetConnections", i, "params", "dataSetId")
                    refs.append(Reference("CATALOG_DATASET", params["dataSetId"], path))
                schema = params.get("schema")
                if isinstance(schema, dict) and isinstance(schema.get("id"), str):
                    path = pointer.join("", "targetConnections", i, "params", "schema", "id")
                    refs.append(xdm_ref(schema["id"], path, "REGISTRY_SCHEMA", strict=True))
        return refs

    def check(self, definition: dict[str, Any]) -> None:
        """A reference slot that is present holds an id: ``dataSetId: null`` would leave the
        flow pointing nowhere (and out of its package's closure)."""
        slots = [
            ("transformations", ("params", "mappingId")),
            ("targetConnections", ("params", "dataSetId")),
            ("targetConnections", ("params", "schema", "id")),
        ]
        for key, (*parents, leaf) in slots:
            for i, item in enumerate(definition.get(key) or []):
                node = item
                for part in parents:
                    node = node.get(part) if isinstance(node, dict) else None
                if isinstance(node, dict) and leaf in node:
                    value = node[leaf]
                    if not isinstance(value, str) or not value:
                        path = pointer.join("", key, i, *parents, leaf)
                        raise definition_error(path, "must be a non-empty id string")

    def import_rules(self, definition: dict[str, Any]) -> dict[str, Any]:
        """Dataflows arrive as drafts (their credentials were never copied)."""
        return {**definition, "state": "draft"}

    def redact(self, definition: dict[str, Any]) -> dict[str, Any]:
        """Secrets by structure and by value pattern (``kit/secrets.py``) anywhere in the
        flow (connection params, ``baseConnection.auth``, headers); references are kept."""
        redacted: dict[str, Any] = secrets.redact(
            definition, keep=[ref.path for ref in self.references(definition)]
        )
        return redacted
