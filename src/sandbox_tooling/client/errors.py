"""The SDK's exceptions: every failure of a call is one of these, carrying what the server
said (``status``, ``error``, ``detail`` and the whole ``body``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox_tooling.job.schemas import DriftedObjectRead, JobRead


class SbxError(Exception):
    """Base of every SDK error."""


class TransportError(SbxError):
    """The server could not be reached (connection refused, DNS, TLS, timeout)."""


class ApiError(SbxError):
    """The server answered with an error. ``error`` is the error class the server names
    (``PackageNotFound``), or the gateway's ``error_code``, or the OAuth ``error``;
    ``detail`` its message."""

    def __init__(self, status: int, error: str, detail: str, body: Any) -> None:
        super().__init__(f"{status} {error}: {detail}")
        self.status, self.error, self.detail, self.body = status, error, detail, body

    @classmethod
    def from_response(cls, status: int, body: Any, text: str) -> ApiError:
        """The typed error of an answer (its status and body shape decide the class)."""
        if isinstance(body, dict) and "error_code" in body:  # the gateway's header checks
            return AuthenticationError(
                status, str(body["error_code"]), str(body.get("message", "")), body
            )
        if isinstance(body, dict) and "error_description" in body:  # the token endpoint
            return AuthenticationError(
                status, str(body.get("error")), str(body["error_description"]), body
            )
        if isinstance(body, dict) and "detail" in body:
            error, detail = str(body.get("error", status)), str(body["detail"])
        else:
            error, detail = str(status), text[:2_000] or "(no body)"
        kind = _BY_STATUS.get(status, ApiError)
        if status == 401:
            kind = AuthenticationError
        return kind(status, error, detail, body)


class AuthenticationError(ApiError):
    """The credentials or token were refused (401, or a gateway header check)."""


class BadRequestError(ApiError):
    """400: the request does not fit (the detail names the field)."""


class ForbiddenError(ApiError):
    """403: the caller's roles do not allow it."""


class NotFoundError(ApiError):
    """404: nothing of that id visible to the caller."""


class ConflictError(ApiError):
    """409: the current state forbids it."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
}


class JobFailedError(SbxError):
    """A job ended FAILED (``job.error_message`` says why, ``job.failed_tasks`` where)."""

    def __init__(self, job: JobRead) -> None:
        super().__init__(f"job {job.id} {job.job_status}: {job.error_message or ''}".rstrip(": "))
        self.job = job


class TargetDriftedError(JobFailedError):
    """An import refused to apply its plan: objects it read changed since (``drifted``)."""

    @property
    def drifted(self) -> list[DriftedObjectRead]:
        return list(self.job.drifted_objects or [])


class JobTimeoutError(SbxError):
    """A job was still running when the wait ended (``job`` is its last state)."""

    def __init__(self, job: JobRead, timeout: float) -> None:
        super().__init__(f"job {job.id} still {job.job_status} after {timeout:g} s")
        self.job = job
