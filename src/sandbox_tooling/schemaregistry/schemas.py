"""Read models of the Schema Registry export/import RPC: XDM resources as JSON objects."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from sandbox_tooling.kit.schema import ReadModel
from sandbox_tooling.models.enums import SandboxType
from sandbox_tooling.schemaregistry.service import DESCRIPTOR, Imported, Resource, resource_type


class XdmResource(ReadModel):
    """A class, field group, data type or schema (or a schema's descriptor, with ``@id``
    and ``@type``) in its native JSON; the fields below lead, the definition follows."""

    model_config = ConfigDict(extra="allow")

    resource_id: str | None = Field(
        default=None,
        alias="$id",
        examples=["https://ns.adobe.com/<XDM_TENANTID_PLACEHOLDER>/mixins/922a56b5"],
    )
    alt_id: str | None = Field(
        default=None,
        alias="meta:altId",
        examples=["_<XDM_TENANTID_PLACEHOLDER>.mixins.922a56b5"],
    )
    resource_type: str | None = Field(default=None, alias="meta:resourceType", examples=["mixins"])

    @classmethod
    def exported(cls, r: Resource) -> XdmResource:
        return cls.model_validate(r.definition)

    @classmethod
    def imported(cls, r: Resource, result: Imported, org_id: str, tenant: str) -> XdmResource:
        """As stored, with what the platform's import answer adds to a resource: its type,
        org, tenant namespace and sandbox."""
        if r.type == DESCRIPTOR:
            return cls.model_validate(r.definition)
        sandbox = result.sandbox
        return cls.model_validate(
            {
                **r.definition,
                "meta:resourceType": resource_type(r.object_id),
                "imsOrg": org_id,
                "meta:sandboxId": sandbox.id,
                "meta:sandboxType": SandboxType(sandbox.type).value,
                "meta:tenantNamespace": f"_{tenant}",
            }
        )
