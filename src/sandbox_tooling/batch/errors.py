"""Bulk loading errors."""

from __future__ import annotations

from sandbox_tooling.errors import BadRequest, Conflict, ValidationFailed


class BatchBodyInvalid(BadRequest):
    """The body is not a JSON array (or NDJSON lines) of objects."""


class BatchRejected(ValidationFailed):
    """Objects of the batch are invalid or name objects that do not exist (``errors``)."""


class BatchConflict(Conflict):
    """Objects of the batch exist already in the sandbox (``errors`` lists each)."""
