"""Application error tree. Every expected failure is a 4xx with a message naming the problem."""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    """Base of every expected error. ``status_code`` is class-level."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "EXIM-500"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class BadRequest(AppError):
    """Invalid input (base of the 400 errors)."""

    status_code = 400
    code = "EXIM-400"
    title = "Bad request"


class ValidationFailed(BadRequest):
    """Input that does not fit the documented shape; ``errors`` name each field."""

    code = "EXIM-400-VALIDATION"
    title = "Validation failed"


class Forbidden(AppError):
    """The caller may not do this (base of the 403 errors)."""

    status_code = 403
    code = "EXIM-403"
    title = "Forbidden"


class NotFound(AppError):
    """Nothing of that id visible to the caller (base of the 404 errors)."""

    status_code = 404
    code = "EXIM-404"
    title = "Not found"


class Conflict(AppError):
    """The current state forbids it (base of the 409 errors)."""

    status_code = 409
    code = "EXIM-409"
    title = "Conflict"


class GatewayError(AppError):
    """Header-level errors, answered in the gateway shape ``{error_code, message}``."""

    def __init__(self, status_code: int, error_code: str, message: str) -> None:
        super().__init__(message)
        self.gateway_status = status_code
        self.error_code = error_code


class NotCallersOrg(BadRequest):
    """An ``imsOrgId`` in the body names another org than the caller's."""

    def __init__(self, field: str, given: str, org_id: str) -> None:
        super().__init__(f"{field}: '{given}' is not the caller's org '{org_id}'")


class InvalidChoice(BadRequest):
    """A query parameter outside its allowed values."""


class ConcurrentWrite(Conflict):
    """A concurrent request wrote the same object first; nothing was written (retry)."""


class Overloaded(AppError):
    """The service is at capacity (requests in flight, connections); retry after ``Retry-After``."""

    status_code = 503
    code = "EXIM-503"
    title = "Service overloaded"
    #: Seconds a client waits before retrying (the ``Retry-After`` header).
    retry_after: ClassVar[int] = 1
