"""Sandbox errors."""

from __future__ import annotations

from sandbox_tooling.errors import BadRequest, Conflict, NotFound


class SandboxNotFound(NotFound):
    """No sandbox of that name in the org."""

    def __init__(self, name: str) -> None:
        super().__init__(f"sandbox '{name}' not found")


class InvalidSandbox(BadRequest):
    """A name, title or type that sandboxes cannot have."""


class SandboxExists(Conflict):
    """A live sandbox of that name exists."""

    def __init__(self, name: str) -> None:
        super().__init__(f"a sandbox named '{name}' already exists")


class TooManySandboxes(Conflict):
    """The org holds the maximum number of sandboxes."""


class DefaultSandbox(BadRequest):
    """The default production sandbox cannot be deleted."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"sandbox '{name}' is the default production sandbox and cannot be deleted"
        )


class InvalidPaging(BadRequest):
    """``limit`` and ``offset`` out of range, or one without the other."""
