"""Schema Registry export/import errors."""

from __future__ import annotations

from sandbox_tooling.errors import BadRequest, Conflict, NotFound, ValidationFailed


class ResourceNotFound(NotFound):
    """No class, field group, data type or schema of that id in the sandbox."""


class NotAResourceId(BadRequest):
    """The path names neither a ``meta:altId`` nor a ``$id`` of a custom XDM resource."""


class ImportRejected(ValidationFailed):
    """Resources of the payload are invalid or name resources found nowhere (``errors``)."""


class ResourceConflict(Conflict):
    """Resources of the payload exist in the sandbox with another definition (``errors``)."""
