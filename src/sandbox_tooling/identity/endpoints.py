"""The IMS token endpoint (client_credentials)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form

from sandbox_tooling.api.deps import RuntimeDep, SessionDep
from sandbox_tooling.api.responses import OVERLOADED, OAuthProblem
from sandbox_tooling.api.routing import api_router
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.identity.errors import InvalidClient, InvalidTokenRequest
from sandbox_tooling.identity.schemas import TokenRead

router = api_router("", "identity", authenticated=False)


@router.post(
    "/ims/token/v3",
    response_model=TokenRead,
    responses={
        400: {"model": OAuthProblem, "description": "A required form field is missing"},
        401: {"model": OAuthProblem, "description": "Unknown client or wrong secret"},
        503: OVERLOADED,
    },
)
def issue_token(
    session: SessionDep,
    rt: RuntimeDep,
    grant_type: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form()] = None,
) -> TokenRead:
    """Exchange client credentials for a bearer access token."""
    if grant_type != "client_credentials":
        raise InvalidTokenRequest(f"grant_type: must be client_credentials, got {grant_type!r}")
    if not client_id:
        raise InvalidTokenRequest("client_id: required")
    if not client_secret:
        raise InvalidTokenRequest("client_secret: required")
    try:
        token, ttl = identity_service.issue_token(
            session,
            client_id=client_id,
            client_secret=client_secret,
            ttl_seconds=rt.settings.token_ttl_seconds,
        )
    except InvalidClient:
        session.commit()  # the failed sign-in's audit event
        raise
    session.commit()
    return TokenRead(access_token=token, token_type="bearer", expires_in=ttl)
