"""Identity errors in the gateway shape (``{error_code, message}``) of the platform."""

from __future__ import annotations

from sandbox_tooling.errors import AppError, BadRequest, Conflict, Forbidden, GatewayError, NotFound


def token_missing() -> GatewayError:
    return GatewayError(403, "403010", "Oauth token is missing.")


def token_invalid() -> GatewayError:
    return GatewayError(401, "401013", "Oauth token is not valid")


def api_key_missing() -> GatewayError:
    return GatewayError(403, "403000", "Api Key is required")


def api_key_invalid() -> GatewayError:
    return GatewayError(403, "403003", "Api Key is invalid")


def org_header_missing() -> GatewayError:
    return GatewayError(400, "400003", "Missing header: x-gw-ims-org-id")


def org_not_entitled() -> GatewayError:
    return GatewayError(
        403, "403025", "Profile is not valid: the token does not belong to x-gw-ims-org-id"
    )


class InvalidClient(AppError):
    """Unknown client or wrong secret at the token endpoint (``{error, error_description}``)."""

    status_code = 401
    title = "invalid_client"


class InvalidTokenRequest(AppError):
    """A token request without the required form fields (``{error, error_description}``)."""

    status_code = 400
    title = "invalid_request"


class PermissionDenied(Forbidden):
    """The caller's roles do not grant an action (in that sandbox)."""


class InvalidIdentity(BadRequest):
    """An org, user, role or permission that does not have the required form."""


class IdentityExists(Conflict):
    """An org, tenant, user or role of that name exists already."""


class IdentityNotFound(NotFound):
    """No org, user or role of that name."""


class InvalidSignIn(AppError):
    """Unknown user, wrong password or wrong credential at the console's sign-in."""

    status_code = 401
    title = "Sign-in failed"
