"""Identity namespaces. Adobe's standard namespaces are built in."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from sandbox_tooling.artifact_type.spec import (
    ArtifactType,
    DefinitionModel,
    TypeContext,
    definition_error,
)

STANDARD_NAMESPACES = frozenset(
    {
        "AdCloud",
        "AAID",
        "ECID",
        "Email",
        "Email_LC_SHA256",
        "Phone",
        "Phone_SHA256",
        "Phone_E.164",
        "GAID",
        "IDFA",
        "WAID",
        "TNTID",
        "AMO",
        "AppleID",
        "FBID",
        "GoogleClickId",
        "MSFTID",
        "Twitter",
        "CORE",
        "CRMID",
    }
)
NAMESPACE_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


def is_standard_namespace(code: str) -> bool:
    return code in STANDARD_NAMESPACES


class NamespaceModel(DefinitionModel):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    id_type: Literal[
        "COOKIE", "CROSS_DEVICE", "DEVICE", "EMAIL", "MOBILE", "NON_PEOPLE", "PHONE"
    ] = Field(alias="idType")
    description: str | None = None


class NamespaceType(ArtifactType):
    name = "ID_NAMESPACE"
    label = "identity namespace"
    properties_model = NamespaceModel
    id_key = "code"
    resource = "Identity"

    def new_id(self, ctx: TypeContext) -> str:
        raise definition_error("/code", "required (a namespace's id is its code)")

    def id_problem(self, object_id: str, ctx: TypeContext) -> str | None:
        if not NAMESPACE_CODE.match(object_id):
            return f"'{object_id}' is not a namespace code (letters, digits, '_', '.', '-')"
        if is_standard_namespace(object_id):
            return f"'{object_id}' is a standard namespace code, reserved by the platform"
        return None

    def is_standard(self, object_id: str) -> bool:
        return is_standard_namespace(object_id)
