"""The artifact-type plugin contract.

A type validates a definition, names its own id and title, lists its references (each with
the JSON pointer where it sits), rewrites them through an id map, redacts secrets, and
declares the permissions it needs and whether it supports updates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError

from sandbox_tooling.errors import BadRequest, ValidationFailed
from sandbox_tooling.kit import pointer

#: Version of this contract; plugins list the versions they support in ``core_api``.
CORE_API = 1

IdMap = Mapping[tuple[str, str], str]


@dataclass(frozen=True, slots=True)
class Reference:
    """A reference from a definition to another object (``type``, ``id``) at ``path``.

    ``attach``: the referring object travels with its target (a descriptor with its schema).
    ``standard``: the target is an Adobe standard resource, built in and never packaged.
    """

    type: str
    id: str
    path: str
    attach: bool = False
    standard: bool = False


@dataclass(frozen=True, slots=True)
class Permission:
    resource: str
    actions: tuple[str, ...]

    def label(self) -> str:
        return f"{self.resource}:{','.join(self.actions)}"


@dataclass(frozen=True, slots=True)
class TypeContext:
    """What a type needs to know about the org an object lives in."""

    org_id: str
    tenant: str


class DefinitionModel(BaseModel):
    """Base for the pydantic models that check a definition's shape; unknown keys are kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, strict=False)


class ArtifactType:
    """Base class of every artifact type, built-in or third-party."""

    name: ClassVar[str]
    label: ClassVar[str]
    core_api: ClassVar[tuple[int, ...]] = (CORE_API,)
    properties_model: ClassVar[type[DefinitionModel]]
    id_key: ClassVar[str] = "id"
    title_key: ClassVar[str] = "name"
    resource: ClassVar[str]
    supports_update: ClassVar[bool] = False
    #: May be a root artifact of a PARTIAL package.
    root_allowed: ClassVar[bool] = True
    #: Is included in FULL (whole-sandbox) packages.
    in_full_sandbox: ClassVar[bool] = True
    #: An object of this type whose title exists in the target is reused at import.
    reuse_by_title: ClassVar[bool] = False

    # -- identity ---------------------------------------------------------------------------
    def get_id(self, definition: Mapping[str, Any]) -> str | None:
        value = definition.get(self.id_key)
        return value if isinstance(value, str) and value else None

    def with_id(
        self, definition: dict[str, Any], object_id: str, ctx: TypeContext
    ) -> dict[str, Any]:
        out = dict(definition)
        out[self.id_key] = object_id
        return out

    def new_id(self, ctx: TypeContext) -> str:
        raise NotImplementedError

    def id_problem(self, object_id: str, ctx: TypeContext) -> str | None:
        """Why ``object_id`` is not a valid id of this type in this org, or None."""
        return None

    def is_standard(self, object_id: str) -> bool:
        """Adobe standard resources are built in: never created, packaged or deleted."""
        return False

    def title(self, definition: Mapping[str, Any], object_id: str) -> str:
        value = definition.get(self.title_key)
        return value if isinstance(value, str) and value else object_id

    # -- checks -----------------------------------------------------------------------------
    def validate(self, definition: Any) -> None:
        """Check the shape and the form of the references; raise ValidationFailed naming
        each JSON path."""
        self.validate_shape(definition)
        self.check_references(self.references(definition))

    def validate_shape(self, definition: Any) -> None:
        """The model and ``check``, without the references (callers that already hold them
        call ``check_references`` themselves)."""
        if not isinstance(definition, dict):
            raise ValidationFailed(
                "definition: must be a JSON object",
                errors=[{"field": "definition", "message": "must be a JSON object"}],
            )
        try:
            self.properties_model.model_validate(definition)
        except ValidationError as exc:
            raise validation_failed(exc) from None
        self.check(definition)

    def check(self, definition: dict[str, Any]) -> None:
        """Type-specific checks beyond the model. Raise ``definition_error``."""

    def check_references(self, refs: list[Reference]) -> None:
        """Type-specific checks of the references' form. Raise ``definition_error``."""

    # -- references -------------------------------------------------------------------------
    def references(self, definition: Mapping[str, Any]) -> list[Reference]:
        return []

    def rewrite(self, definition: Mapping[str, Any], id_map: IdMap) -> dict[str, Any]:
        """A copy of ``definition`` with every mapped reference replaced."""
        return self.rewrite_with_refs(definition, id_map)[0]

    def rewrite_with_refs(
        self, definition: Mapping[str, Any], id_map: IdMap
    ) -> tuple[dict[str, Any], list[Reference]]:
        """The rewritten copy and its references (the old ones, mapped), in one pass."""
        out: dict[str, Any] = orjson.loads(orjson.dumps(definition))
        refs = []
        for ref in self.references(definition):
            new = id_map.get((ref.type, ref.id))
            if new is not None:
                pointer.set_(out, ref.path, new)
                ref = dataclasses.replace(ref, id=new)
            refs.append(ref)
        return out, refs

    def redact(self, definition: dict[str, Any]) -> dict[str, Any]:
        """The definition as it may be stored in a snapshot (secrets replaced)."""
        return definition

    def retitle(self, definition: dict[str, Any], title: str) -> dict[str, Any]:
        """The definition with its title changed (an import suffixes a taken title)."""
        return {**definition, self.title_key: title}

    def import_rules(self, definition: dict[str, Any]) -> dict[str, Any]:
        """What an import changes in a new copy (SPEC §6.3: drafts, disabled, no Profile).
        Must not change references."""
        return definition

    # -- updates ------------------------------------------------------------------------------
    def update_problems(self, old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
        """Changes an update may not make to an existing object: ``(JSON pointer, why)``.
        Only consulted when ``supports_update``."""
        return []

    # -- permissions ------------------------------------------------------------------------
    def required_permissions(self) -> tuple[Permission, ...]:
        """What a user needs in a sandbox to create objects of this type there."""
        return (Permission(self.resource, ("read", "write")),)


def definition_error(path: str, message: str) -> ValidationFailed:
    field = "definition" + ("." + pointer.to_dotted(path) if path else "")
    return ValidationFailed(f"{field}: {message}", errors=[{"field": field, "message": message}])


def validation_failed(exc: ValidationError) -> ValidationFailed:
    errors = []
    for err in exc.errors(include_url=False):
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
        errors.append({"field": "definition" + loc, "message": err["msg"]})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return ValidationFailed(detail, errors=errors)


class UnknownArtifactType(BadRequest):
    """No artifact type of that name is installed."""

    title = "Unknown artifact type"
