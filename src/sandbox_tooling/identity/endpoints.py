"""The IMS token endpoint (client_credentials)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form

from sandbox_tooling.api.deps import SessionDep, StateDep
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.identity.errors import InvalidTokenRequest

router = APIRouter(tags=["identity"])


@router.post("/ims/token/v3")
def issue_token(
    session: SessionDep,
    state: StateDep,
    grant_type: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    """Exchange client credentials for a bearer access token."""
    if grant_type != "client_credentials":
        raise InvalidTokenRequest(f"grant_type: must be client_credentials, got {grant_type!r}")
    if not client_id:
        raise InvalidTokenRequest("client_id: required")
    if not client_secret:
        raise InvalidTokenRequest("client_secret: required")
    token, ttl = identity_service.issue_token(
        session,
        client_id=client_id,
        client_secret=client_secret,
        ttl_seconds=state.settings.token_ttl_seconds,
    )
    session.commit()
    return {"access_token": token, "token_type": "bearer", "expires_in": ttl}
