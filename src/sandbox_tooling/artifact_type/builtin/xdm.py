"""XDM Schema Registry types: schemas, classes, field groups, data types and descriptors."""

from __future__ import annotations

import dataclasses
import re
import secrets
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Literal

import orjson
from pydantic import Field

from sandbox_tooling.artifact_type.builtin.identity import is_standard_namespace
from sandbox_tooling.artifact_type.spec import (
    ArtifactType,
    DefinitionModel,
    IdMap,
    Reference,
    TypeContext,
    definition_error,
)
from sandbox_tooling.kit import pointer

#: Adobe's own namespaces: resources under them are standard, built in, never packaged.
STANDARD_PREFIXES = ("https://ns.adobe.com/xdm/", "https://ns.adobe.com/experience/")
RESERVED_TENANTS = frozenset({"xdm", "experience"})

SEGMENT_TYPES = {
    "schemas": "REGISTRY_SCHEMA",
    "classes": "REGISTRY_CLASS",
    "mixins": "REGISTRY_MIXIN",
    "fieldgroups": "REGISTRY_MIXIN",
    "datatypes": "REGISTRY_DATATYPE",
}
TENANT_ID = re.compile(
    r"^https://ns\.adobe\.com/(?P<tenant>[A-Za-z0-9_]+)/"
    r"(?P<segment>schemas|classes|mixins|fieldgroups|datatypes)/(?P<key>[A-Za-z0-9_.\-]+)$"
)

#: ``meta:altId`` of a tenant resource: ``_{tenant}.{segment}.{key}`` (``with_id`` sets it).
ALT_ID = re.compile(
    r"^_(?P<tenant>[A-Za-z0-9_]+?)\.(?P<segment>schemas|classes|mixins|fieldgroups|datatypes)"
    r"\.(?P<key>[A-Za-z0-9_.\-]+)$"
)


def uri_of_alt_id(alt_id: str) -> str | None:
    """The ``$id`` a tenant resource's ``meta:altId`` stands for, or None (not an altId)."""
    match = ALT_ID.match(alt_id)
    if not match:
        return None
    tenant, segment, key = match.group("tenant", "segment", "key")
    return f"https://ns.adobe.com/{tenant}/{segment}/{key}"


def alt_id_of(uri: str) -> str | None:
    """The ``meta:altId`` of a tenant resource ``$id`` (as ``with_id`` derives it)."""
    match = TENANT_ID.match(uri)
    if not match:
        return None
    return f"_{match.group('tenant')}.{match.group('segment')}.{match.group('key')}"


def is_standard_xdm(uri: str) -> bool:
    return uri.startswith(STANDARD_PREFIXES)


def xdm_type_of(uri: str) -> str | None:
    match = TENANT_ID.match(uri)
    return SEGMENT_TYPES[match.group("segment")] if match else None


def split_fragment(uri: str) -> tuple[str, str]:
    """``https://ns.adobe.com/acme/mixins/x#/definitions/y`` to the resource id and the
    fragment (with its ``#``, empty when there is none)."""
    base, sep, fragment = uri.partition("#")
    return base, sep + fragment


def fragment_problem(fragment: str) -> str | None:
    """Why a reference's fragment is not ``#`` plus a JSON pointer (RFC 6901), or None."""
    if not fragment or pointer.is_pointer(fragment[1:]):
        return None
    return f"the fragment '{fragment}' is not a JSON pointer (#/...)"


def xdm_ref(uri: str, path: str, expected: str, *, strict: bool = False) -> Reference:
    """Classify a reference to an XDM resource.

    ``strict``: the location admits only ``expected`` (a dataset's schema), so the reference
    is of that type whatever the id says; otherwise the id's path segment decides.
    """
    if is_standard_xdm(uri):
        return Reference(expected, uri, path, standard=True)
    return Reference(expected if strict else (xdm_type_of(uri) or expected), uri, path)


class XdmModel(DefinitionModel):
    title: str = Field(min_length=1)
    description: str | None = None
    type: str | None = None


class _RefItem(DefinitionModel):
    ref: str = Field(alias="$ref", min_length=1)


class SchemaModel(XdmModel):
    all_of: list[_RefItem] = Field(alias="allOf", min_length=1)
    meta_class: str | None = Field(default=None, alias="meta:class")
    meta_extends: list[str] | None = Field(default=None, alias="meta:extends")


class ClassModel(XdmModel):
    meta_extends: list[str] | None = Field(default=None, alias="meta:extends")


class MixinModel(XdmModel):
    intended: list[str] | None = Field(default=None, alias="meta:intendedToExtend")
    meta_extends: list[str] | None = Field(default=None, alias="meta:extends")


class DataTypeModel(XdmModel):
    pass


def xdm_fields(definition: Any) -> dict[str, dict[str, Any]]:
    """Every field declared under a ``properties`` object, by JSON pointer."""
    out: dict[str, dict[str, Any]] = {}
    stack: list[tuple[str, Any]] = [("", definition)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                child = pointer.join(path, key)
                if key == "properties" and isinstance(value, dict):
                    for name, spec in value.items():
                        field = pointer.join(child, name)
                        if isinstance(spec, dict):
                            out[field] = spec
                            stack.append((field, spec))
                elif isinstance(value, dict | list):
                    stack.append((child, value))
        elif isinstance(node, list):
            stack.extend((pointer.join(path, i), v) for i, v in enumerate(node))
    return out


class XdmType(ArtifactType):
    """Shared behaviour of the four Schema Registry resource types."""

    id_key = "$id"
    title_key = "title"
    resource = "Schema"
    supports_update = True
    reuse_by_title = True
    segment: ClassVar[str]
    segments: ClassVar[tuple[str, ...]]
    #: What a top-level ``allOf`` entry that is a standard resource most likely is.
    all_of_type: ClassVar[str] = "REGISTRY_MIXIN"

    def new_id(self, ctx: TypeContext) -> str:
        return f"https://ns.adobe.com/{ctx.tenant}/{self.segment}/{secrets.token_hex(24)}"

    def id_problem(self, object_id: str, ctx: TypeContext) -> str | None:
        match = TENANT_ID.match(object_id)
        expected = f"https://ns.adobe.com/{ctx.tenant}/{self.segment}/<id>"
        if not match or match.group("segment") not in self.segments:
            return f"'{object_id}' is not a {self.label} id of the form {expected}"
        if match.group("tenant") != ctx.tenant:
            return f"'{object_id}' is outside this org's tenant namespace ({expected})"
        return None

    def is_standard(self, object_id: str) -> bool:
        return is_standard_xdm(object_id)

    def with_id(
        self, definition: dict[str, Any], object_id: str, ctx: TypeContext
    ) -> dict[str, Any]:
        out = dict(definition)
        out["$id"] = object_id
        alt_id = alt_id_of(object_id)
        if alt_id:
            out["meta:altId"] = alt_id
        return out

    def references(self, definition: Mapping[str, Any]) -> list[Reference]:
        """Every reference to another resource. ``<id>#<JSON pointer>`` (a part of another
        resource) is a reference to ``<id>``; local references (``#/...``) and references
        to the resource itself are not references."""
        return [ref for ref, _fragment in self._references(definition)]

    def _references(self, definition: Mapping[str, Any]) -> Iterator[tuple[Reference, str]]:
        """The references with the fragment each one carries (``""`` for none)."""
        own = definition.get("$id")
        meta_class = definition.get("meta:class")
        for path, uri, top in _dollar_refs(definition):
            base, fragment = split_fragment(uri)
            if uri.startswith("#") or base == own:
                continue
            if top:
                guess = "REGISTRY_CLASS" if base == meta_class else self.all_of_type
            else:
                guess = "REGISTRY_DATATYPE"
            yield xdm_ref(base, path, guess), fragment
        for key, expected in (
            ("meta:class", "REGISTRY_CLASS"),
            ("meta:extends", None),
            ("meta:intendedToExtend", "REGISTRY_CLASS"),
        ):
            for path, uri in _strings_at(definition, key):
                base, fragment = split_fragment(uri)
                if base == own:
                    continue
                if not base:  # "#/...": not a resource id, refused as such
                    base, fragment = uri, ""
                guess = expected or ("REGISTRY_CLASS" if base == meta_class else "REGISTRY_MIXIN")
                yield xdm_ref(base, path, guess, strict=expected is not None), fragment

    def check(self, definition: dict[str, Any]) -> None:
        for ref, fragment in self._references(definition):
            problem = fragment_problem(fragment)
            if problem:
                raise definition_error(ref.path, problem)

    def rewrite_with_refs(
        self, definition: Mapping[str, Any], id_map: IdMap
    ) -> tuple[dict[str, Any], list[Reference]]:
        """As the base class, but a reference keeps its fragment: ``<old id>#/definitions/x``
        becomes ``<new id>#/definitions/x``."""
        out: dict[str, Any] = orjson.loads(orjson.dumps(definition))
        refs = []
        for ref, fragment in self._references(definition):
            new = id_map.get((ref.type, ref.id))
            if new is not None:
                pointer.set_(out, ref.path, new + fragment)
                ref = dataclasses.replace(ref, id=new)
            refs.append(ref)
        return out, refs

    def update_problems(self, old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
        """SPEC §7.4: adding fields, required to optional, new required fields and title or
        description changes are fine; removing a field (moving one removes it), changing a
        field's type or narrowing its allowed values is not."""
        problems: list[tuple[str, str]] = []
        after = xdm_fields(new)
        for path, spec in sorted(xdm_fields(old).items()):
            now = after.get(path)
            if now is None:
                problems.append((path, "removing (or moving) a field is not supported"))
                continue
            if spec.get("type") != now.get("type") or spec.get("$ref") != now.get("$ref"):
                was = spec.get("type") or spec.get("$ref")
                becomes = now.get("type") or now.get("$ref")
                problems.append(
                    (path, f"changing a field's type ({was} to {becomes}) is not supported")
                )
            old_enum, new_enum = spec.get("enum"), now.get("enum")
            if isinstance(old_enum, list) and isinstance(new_enum, list):
                if set(map(str, old_enum)) - set(map(str, new_enum)):
                    problems.append((path, "removing allowed values of a field is not supported"))
            elif old_enum is None and isinstance(new_enum, list):
                problems.append((path, "restricting a field to allowed values is not supported"))
        return problems

    def check_references(self, refs: list[Reference]) -> None:
        for ref in refs:
            if not ref.standard and xdm_type_of(ref.id) is None:
                raise definition_error(ref.path, f"'{ref.id}' is not an XDM resource id")


def _strings_at(definition: Mapping[str, Any], key: str) -> list[tuple[str, str]]:
    """The string, or the strings of the list, under a top-level key, with their pointers."""
    value = definition.get(key)
    if isinstance(value, str):
        return [(pointer.join("", key), value)]
    if isinstance(value, list):
        return [(pointer.join("", key, i), v) for i, v in enumerate(value) if isinstance(v, str)]
    return []


def _dollar_refs(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str, str, bool]]:
    """Every ``$ref`` string below ``node``; ``top`` marks entries of the top-level allOf.

    The pointer is built only for the references found, not for every node walked.
    """
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            top = len(path) == 2 and path[0] == "allOf"
            yield pointer.join("", *path, "$ref"), ref, top
        for key, value in node.items():
            if isinstance(value, dict | list):
                yield from _dollar_refs(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if isinstance(value, dict | list):
                yield from _dollar_refs(value, (*path, i))


class SchemaType(XdmType):
    name = "REGISTRY_SCHEMA"
    label = "XDM schema"
    properties_model = SchemaModel
    segment = "schemas"
    segments = ("schemas",)

    def import_rules(self, definition: dict[str, Any]) -> dict[str, Any]:
        """Schemas arrive with Profile disabled (no ``union`` tag)."""
        tags = definition.get("meta:immutableTags")
        if isinstance(tags, list) and "union" in tags:
            return {**definition, "meta:immutableTags": [t for t in tags if t != "union"]}
        return definition


class ClassType(XdmType):
    name = "REGISTRY_CLASS"
    label = "XDM class"
    properties_model = ClassModel
    segment = "classes"
    segments = ("classes",)
    reuse_by_title = False
    all_of_type = "REGISTRY_MIXIN"


class MixinType(XdmType):
    name = "REGISTRY_MIXIN"
    label = "XDM field group"
    properties_model = MixinModel
    segment = "mixins"
    segments = ("mixins", "fieldgroups")


class DataTypeType(XdmType):
    name = "REGISTRY_DATATYPE"
    label = "XDM data type"
    properties_model = DataTypeModel
    segment = "datatypes"
    segments = ("datatypes",)
    all_of_type = "REGISTRY_DATATYPE"


DescriptorKind = Literal[
    "xdm:descriptorIdentity",
    "xdm:alternateDisplayInfo",
    "xdm:descriptorOneToOne",
    "xdm:descriptorReferenceIdentity",
    "xdm:descriptorDeprecated",
    "xdm:descriptorRelationship",
    "xdm:descriptorLabel",
    "xdm:descriptorTimeSeriesGranularity",
]
RELATIONSHIP_KINDS = ("xdm:descriptorOneToOne", "xdm:descriptorRelationship")


class DescriptorModel(DefinitionModel):
    kind: DescriptorKind = Field(alias="@type")
    source_schema: str = Field(alias="xdm:sourceSchema", min_length=1)
    source_version: int = Field(default=1, alias="xdm:sourceVersion")
    source_property: str | None = Field(default=None, alias="xdm:sourceProperty")
    namespace: str | None = Field(default=None, alias="xdm:namespace")
    identity_namespace: str | None = Field(default=None, alias="xdm:identityNamespace")
    destination_schema: str | None = Field(default=None, alias="xdm:destinationSchema")
    is_primary: bool | None = Field(default=None, alias="xdm:isPrimary")


class DescriptorType(ArtifactType):
    """Identity, relationship and display descriptors. They travel with their source schema."""

    name = "REGISTRY_DESCRIPTOR"
    label = "XDM descriptor"
    properties_model = DescriptorModel
    id_key = "@id"
    resource = "Schema"
    root_allowed = False

    def new_id(self, ctx: TypeContext) -> str:
        return secrets.token_hex(20)

    def id_problem(self, object_id: str, ctx: TypeContext) -> str | None:
        if not re.fullmatch(r"[0-9a-f]{8,64}", object_id):
            return f"'{object_id}' is not a descriptor id (lowercase hex)"
        return None

    def retitle(self, definition: dict[str, Any], title: str) -> dict[str, Any]:
        return definition  # a descriptor's title is derived, never unique

    def title(self, definition: Mapping[str, Any], object_id: str) -> str:
        title = definition.get("xdm:title")
        if isinstance(title, str) and title:
            return title
        kind = str(definition.get("@type", "descriptor")).removeprefix("xdm:")
        prop = definition.get("xdm:sourceProperty") or ""
        return f"{kind} {prop}".strip()

    def check(self, definition: dict[str, Any]) -> None:
        kind = definition["@type"]
        if kind == "xdm:descriptorIdentity" and not definition.get("xdm:namespace"):
            raise definition_error("/xdm:namespace", "required for an identity descriptor")
        if kind in RELATIONSHIP_KINDS and not definition.get("xdm:destinationSchema"):
            raise definition_error("/xdm:destinationSchema", "required for a relationship")
        if kind == "xdm:descriptorReferenceIdentity" and not definition.get(
            "xdm:identityNamespace"
        ):
            raise definition_error("/xdm:identityNamespace", "required for a reference identity")
        for ref in self.references(definition):
            if (
                ref.type == "REGISTRY_SCHEMA"
                and not ref.standard
                and xdm_type_of(ref.id) != ("REGISTRY_SCHEMA")
            ):
                raise definition_error(ref.path, f"'{ref.id}' is not an XDM schema id")

    def references(self, definition: Mapping[str, Any]) -> list[Reference]:
        refs: list[Reference] = []
        source = definition.get("xdm:sourceSchema")
        if isinstance(source, str):
            refs.append(
                Reference(
                    "REGISTRY_SCHEMA",
                    source,
                    "/xdm:sourceSchema",
                    attach=True,
                    standard=is_standard_xdm(source),
                )
            )
        dest = definition.get("xdm:destinationSchema")
        if isinstance(dest, str):
            refs.append(xdm_ref(dest, "/xdm:destinationSchema", "REGISTRY_SCHEMA", strict=True))
        for key in ("xdm:namespace", "xdm:identityNamespace"):
            code = definition.get(key)
            if isinstance(code, str) and code:
                refs.append(
                    Reference(
                        "ID_NAMESPACE",
                        code,
                        pointer.join("", key),
                        standard=is_standard_namespace(code),
                    )
                )
        return refs
