"""Consent and governance policies."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from sandbox_tooling.artifact_type.builtin.common import Hex24IdType
from sandbox_tooling.artifact_type.spec import DefinitionModel


class ConsentPolicyModel(DefinitionModel):
    name: str = Field(min_length=1)
    description: str | None = None
    status: Literal["ENABLED", "DISABLED", "DRAFT"] = "DRAFT"
    marketing_action_refs: list[str] = Field(default_factory=list, alias="marketingActionRefs")
    deny: dict[str, Any] | None = None
    consent: dict[str, Any] | None = None


class ConsentPolicyType(Hex24IdType):
    name = "DULE_CONSENT_POLICY"
    label = "consent policy"
    properties_model = ConsentPolicyModel
    resource = "Policy"

    def import_rules(self, definition: dict[str, Any]) -> dict[str, Any]:
        """Policies arrive disabled."""
        return {**definition, "status": "DISABLED"}
