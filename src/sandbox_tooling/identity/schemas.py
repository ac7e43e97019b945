"""Read models of the token endpoint."""

from __future__ import annotations

from pydantic import Field

from sandbox_tooling.kit.schema import ReadModel


class TokenRead(ReadModel):
    access_token: str
    token_type: str = Field(examples=["bearer"])
    expires_in: int = Field(description="Seconds until the token expires.")
