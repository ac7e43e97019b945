"""Sources dataflows and the mapping sets they use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from sandbox_tooling.artifact_type.builtin.common import Hex32IdType, UuidIdType
from sandbox_tooling.artifact_type.builtin.xdm import alt_id_of, uri_of_alt_id, xdm_ref
from sandbox_tooling.artifact_type.spec import DefinitionModel, IdMap, Reference, definition_error
from sandbox_tooling.kit import pointer, secrets

SECRET_PLACEHOLDER = secrets.PLACEHOLDER


class MappingModel(DefinitionModel):
    source: str = Field(min_length=1)
    destination: str = Field(min_length=1)
    source_type: Literal["ATTRIBUTE", "EXPRESSION", "CONSTANT"] = Field(
        default="ATTRIBUTE", alias="sourceType"
    )


class SchemaRefModel(DefinitionModel):
    id: str = Field(min_length=1)
    content_type: str | None = Field(default=None, alias="contentType")


class SchemaHolderModel(DefinitionModel):
    schema_ref: SchemaRefModel = Field(alias="schemaRef")


class MappingSetModel(DefinitionModel):
    name: str | None = None
    version: int | None = None
    xdm_schema: str | None = Field(default=None, alias="xdmSchema", min_length=1)
    xdm_version: str | None = Field(default=None, alias="xdmVersion")
    output_schema: SchemaHolderModel | None = Field(default=None, alias="outputSchema")
    input_schema: dict[str, Any] | None = Field(default=None, alias="inputSchema")
    mappings: list[MappingModel]


#: Where a mapping set names its target schema: both forms the platform documents.
XDM_SCHEMA = "/xdmSchema"
OUTPUT_SCHEMA = "/outputSchema/schemaRef/id"


def _schema_slots(definition: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(pointer, value)`` of each schema reference a mapping set carries."""
    slots = []
    if isinstance(definition.get("xdmSchema"), str):
        slots.append((XDM_SCHEMA, definition["xdmSchema"]))
    output = definition.get("outputSchema")
    ref = output.get("schemaRef") if isinstance(output, dict) else None
    if isinstance(ref, dict) and isinstance(ref.get("id"), str):
        slots.append((OUTPUT_SCHEMA, ref["id"]))
    return slots


class MappingSetType(Hex32IdType):
    """A mapping set names its target schema as ``xdmSchema`` (a ``$id`` or its
    ``meta:altId``), as ``outputSchema.schemaRef.id``, or both (then the same schema)."""

    name = "MAPPING_SET"
    label = "mapping set"
    properties_model = MappingSetModel
    resource = "Sources"
    root_allowed = False

    def references(self, definition: Mapping[str, Any]) -> list[Reference]:
        # An altId stands for the schema's $id: the reference (closure, existence, id map)
        # is the $id; the rewrite writes the altId form back (``rewrite_with_refs``).
        return [
            xdm_ref(uri_of_alt_id(value) or value, path, "REGISTRY_SCHEMA", strict=True)
            for path, value in _schema_slots(definition)
        ]

    def check(self, definition: dict[str, Any]) -> None:
        slots = _schema_slots(definition)
        if not slots:
            raise definition_error(
                XDM_SCHEMA, "a target schema is required (xdmSchema or outputSchema.schemaRef.id)"
            )
        named = {path: uri_of_alt_id(value) or value for path, value in slots}
        if len(set(named.values())) > 1:
            raise definition_error(
                OUTPUT_SCHEMA,
                f"names schema '{named[OUTPUT_SCHEMA]}' but xdmSchema names "
                f"'{named[XDM_SCHEMA]}'; both must name the same schema",
            )

    def rewrite_with_refs(
        self, definition: Mapping[str, Any], id_map: IdMap
    ) -> tuple[dict[str, Any], list[Reference]]:
        out, refs = super().rewrite_with_refs(definition, id_map)
        original = definition.get("xdmSchema")
        if isinstance(original, str) and uri_of_alt_id(original):
            for ref in refs:
                if ref.path == XDM_SCHEMA:
                    out["xdmSchema"] = alt_id_of(ref.id) or ref.id
        return out, refs


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
