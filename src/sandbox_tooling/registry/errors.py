"""Object registry errors."""

from __future__ import annotations

from sandbox_tooling.errors import BadRequest, Conflict, NotFound


class SandboxHeaderNotFound(NotFound):
    """``x-sandbox-name`` names no live sandbox of the org."""

    def __init__(self, name: str) -> None:
        super().__init__(f"header 'x-sandbox-name': sandbox '{name}' not found")


class ObjectNotFound(NotFound):
    """No object of that type and id in the sandbox."""

    def __init__(self, type_name: str, object_id: str, sandbox: str) -> None:
        super().__init__(f"{type_name} '{object_id}' not found in sandbox '{sandbox}'")


class InvalidObjectId(BadRequest):
    """The object's id does not fit its type (or the path), or names a standard resource."""


class ObjectExists(Conflict):
    """An object of that type and id exists already (or appears twice in one request)."""


class ObjectInUse(Conflict):
    """Other objects refer to it; delete or change them first."""
