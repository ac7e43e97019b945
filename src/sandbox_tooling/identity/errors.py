"""Identity errors in the gateway shape (``{error_code, message}``) of the platform."""

from __future__ import annotations

from sandbox_tooling.errors import AppError, GatewayError


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
    """OAuth token endpoint failure, answered as ``{error, error_description}``."""

    status_code = 401
    title = "invalid_client"


class InvalidTokenRequest(AppError):
    status_code = 400
    title = "invalid_request"
