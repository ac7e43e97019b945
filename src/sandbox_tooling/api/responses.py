"""Error bodies and the ``responses=`` declarations of routes, so ``/openapi.json`` describes
every error a route can answer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """Every error but the gateway's and the token endpoint's (``error`` is the error class,
    for clients to match on; ``detail`` starts with the field at fault)."""

    type: str = Field(examples=["http://ns.adobe.com/aep/errors/EXIM-404"])
    status: int
    title: str
    detail: str
    error: str = Field(examples=["PackageNotFound"])
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Per-field or per-object details, when there are several."
    )


class GatewayProblem(BaseModel):
    """Header-level failures (token, API key, org header), in the platform gateway's shape."""

    error_code: str = Field(examples=["401013"])
    message: str


class OAuthProblem(BaseModel):
    """Failures of the token endpoint (RFC 6749 §5.2)."""

    error: str = Field(examples=["invalid_client"])
    error_description: str


_TEXT = {
    400: "Invalid input: the detail names the field",
    401: "The bearer token is missing, invalid or expired",
    403: "Forbidden: a header does not match the token, or a permission is missing",
    404: "Not found (or not visible to the caller's org)",
    409: "Conflict with the current state",
    413: "Request body too large",
    414: "Request URL too long",
    422: "The request cannot be carried out",
    503: "Overloaded: the service is at capacity; retry after the Retry-After seconds",
}

#: The 503 every admitted route can answer (``api/admission.py``), with its ``Retry-After``.
OVERLOADED: dict[str, Any] = {
    "model": Problem,
    "description": _TEXT[503],
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before retrying.",
            "schema": {"type": "integer", "minimum": 0},
        }
    },
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for these statuses, each with the problem body."""
    return {
        s: OVERLOADED if s == 503 else {"model": Problem, "description": _TEXT.get(s, "Error")}
        for s in statuses
    }


#: Errors every authenticated route can answer: bad input, the gateway's header checks
#: (401/403 in the gateway shape; a missing permission is a 403 problem), a body too large,
#: an overload (503 with ``Retry-After``).
AUTHENTICATED: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem | GatewayProblem, "description": _TEXT[400]},
    401: {"model": GatewayProblem, "description": _TEXT[401]},
    403: {"model": GatewayProblem | Problem, "description": _TEXT[403]},
    413: {"model": Problem, "description": _TEXT[413]},
    414: {"model": Problem, "description": _TEXT[414]},
    503: OVERLOADED,
}
