"""Schema Registry export and import (the platform's ``/rpc/export`` and ``/rpc/import``).

An export is the resource and every custom resource it needs, dependencies first, with the
org's tenant written as ``<XDM_TENANTID_PLACEHOLDER>`` (ids, ``meta:altId``, ``$ref``,
``meta:extends``, the ``_<tenant>`` field group and every other place the tenant appears) and
standard resources left out. A schema's descriptors travel with it (identity, relationship
and the others); custom identity namespaces do not (they must exist where the payload is
imported). What describes where a resource is stored (``meta:sandboxId``,
``meta:registryMetadata``...) is left out, so the export of the same resources is the same
payload from any sandbox of any org.

An import replaces the placeholder with the caller's tenant and creates every resource in
one transaction: a resource that exists already with the same definition is kept, one that
exists with another definition is a conflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.builtin.xdm import TENANT_ID, is_standard_xdm, xdm_type_of
from sandbox_tooling.artifact_type.spec import ArtifactType, TypeContext
from sandbox_tooling.audit import service as audit_service
from sandbox_tooling.batch import service as batch_service
from sandbox_tooling.batch.service import Entry, Problems
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.kit.gcpause import collection_paused
from sandbox_tooling.kit.tenant import TenantRewriter
from sandbox_tooling.models import Sandbox
from sandbox_tooling.registry import closure as closure_mod
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.schemaregistry.errors import (
    ImportRejected,
    NotAResourceId,
    ResourceConflict,
    ResourceNotFound,
)

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime

PLACEHOLDER = "<XDM_TENANTID_PLACEHOLDER>"
DESCRIPTOR = "REGISTRY_DESCRIPTOR"
RESOURCE_TYPES = ("REGISTRY_CLASS", "REGISTRY_DATATYPE", "REGISTRY_MIXIN", "REGISTRY_SCHEMA")
#: ``meta:resourceType`` of each id segment, and the type of each ``meta:resourceType``.
RESOURCE_TYPE_OF_SEGMENT = {
    "schemas": "schemas",
    "classes": "classes",
    "mixins": "mixins",
    "fieldgroups": "mixins",
    "datatypes": "datatypes",
}
TYPE_OF_RESOURCE_TYPE = {
    "schemas": "REGISTRY_SCHEMA",
    "classes": "REGISTRY_CLASS",
    "mixins": "REGISTRY_MIXIN",
    "fieldgroups": "REGISTRY_MIXIN",
    "datatypes": "REGISTRY_DATATYPE",
}
#: Where and how a resource is stored, not what it is: left out of exports, ignored by
#: imports (the platform's payloads carry them).
STORAGE_KEYS = frozenset(
    {
        "meta:resourceType",
        "meta:sandboxId",
        "meta:sandboxType",
        "meta:registryMetadata",
        "meta:containerId",
        "meta:tenantNamespace",
        "imsOrg",
        "refs",
    }
)


@dataclass(frozen=True, slots=True)
class Resource:
    """A resource of an export or an import: its type, id and definition."""

    type: str
    object_id: str
    definition: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import did: the resources of the payload as they are now in ``sandbox``
    (request order), and which of them it created."""

    sandbox: Sandbox
    resources: list[Resource]
    created: set[tuple[str, str]]


def stored_form(definition: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in definition.items() if k not in STORAGE_KEYS}


def resource_type(object_id: str) -> str | None:
    """``meta:resourceType`` of a custom resource id (``mixins`` for a field group)."""
    match = TENANT_ID.match(object_id)
    return RESOURCE_TYPE_OF_SEGMENT[match.group("segment")] if match else None


def portable(type_name: str, object_id: str, definition: dict[str, Any]) -> dict[str, Any]:
    """The definition as an export carries it (tenant not yet replaced): the identity first,
    storage metadata left out."""
    body = stored_form(definition)
    if type_name == DESCRIPTOR:
        return body
    head: dict[str, Any] = {"$id": object_id}
    if "meta:altId" in body:
        head["meta:altId"] = body["meta:altId"]
    kind = resource_type(object_id)
    if kind:
        head["meta:resourceType"] = kind
    return {**head, **body}


# -- export -----------------------------------------------------------------------------------
def resolve(resource_id: str, tenant: str) -> tuple[str, str]:
    """``(type, $id)`` of the resource a path names: a ``meta:altId``
    (``_{tenant}.{segment}.{name}``) or a ``$id``."""
    rid = resource_id.strip()
    where = "path parameter 'RESOURCE_ID'"
    if is_standard_xdm(rid):
        raise NotAResourceId(
            f"{where}: '{rid}' is an Adobe standard resource; standard resources are in every "
            "sandbox and never exported"
        )
    if rid.startswith("_") and not rid.startswith("_/"):
        owner, _, rest = rid[1:].partition(".")
        segment, _, name = rest.partition(".")
        rid = f"https://ns.adobe.com/{owner}/{segment}/{name}"
    type_name = xdm_type_of(rid)
    if type_name is None:
        raise NotAResourceId(
            f"{where}: '{resource_id}' is neither the meta:altId (_{tenant}.schemas.<id>) nor "
            f"the $id (https://ns.adobe.com/{tenant}/schemas/<id>, percent-encoded) of a "
            "class, field group, data type or schema"
        )
    return type_name, rid


def export(
    session: Session, rt: Runtime, principal: Principal, sandbox_name: str, resource_id: str
) -> list[Resource]:
    """The resource and every custom resource it needs (the descriptors of the schemas
    among them too), dependencies first, the tenant replaced by the placeholder."""
    sandbox = batch_service.require_sandbox(session, principal, sandbox_name)
    principal.require("Schema", "read", sandbox.name)
    tenant = principal.org.tenant_id
    type_name, object_id = resolve(resource_id, tenant)
    cl = closure_mod.closure(
        session,
        rt.types,
        sandbox.id,
        [(type_name, object_id)],
        max_size=rt.settings.max_closure_size,
    )
    if (type_name, object_id) not in cl.nodes:
        raise ResourceNotFound(
            f"path parameter 'RESOURCE_ID': no {rt.types.get(type_name).label} '{object_id}' "
            f"in sandbox '{sandbox.name}'"
        )
    rewrite = TenantRewriter(tenant, PLACEHOLDER)
    out = []
    for key in cl.order():
        if key[0] not in RESOURCE_TYPES and key[0] != DESCRIPTOR:
            continue  # identity namespaces: not Schema Registry resources
        obj = cl.nodes[key].obj
        definition = rewrite.document(portable(obj.type, obj.object_id, obj.definition))
        out.append(Resource(obj.type, rewrite.text(obj.object_id), definition))
    return out


# -- import -----------------------------------------------------------------------------------
def _type_of(index: int, item: dict[str, Any], problems: Problems) -> str | None:
    """The artifact type of a payload item: a descriptor (``@type``, no ``$id``) or the
    resource type its ``$id`` (else its ``meta:resourceType``) names."""
    given_kind = item.get("meta:resourceType")
    object_id = item.get("$id")
    if object_id is None and isinstance(item.get("@type"), str):
        return DESCRIPTOR
    if isinstance(object_id, str):
        type_name = xdm_type_of(object_id)
        if type_name is None:
            why = (
                "is an Adobe standard resource, built into every sandbox: leave it out"
                if is_standard_xdm(object_id)
                else "is not the id of a class, field group, data type or schema of the form "
                "https://ns.adobe.com/<XDM_TENANTID_PLACEHOLDER>/schemas/<id>"
            )
            problems.add(index, object_id, None, "$id", f"'{object_id}' {why}")
            return None
        if isinstance(given_kind, str) and TYPE_OF_RESOURCE_TYPE.get(given_kind) != type_name:
            problems.add(
                index,
                object_id,
                type_name,
                "meta:resourceType",
                f"'{given_kind}' does not match the $id (a {resource_type(object_id)} id)",
            )
            return None
        return type_name
    if object_id is None and isinstance(given_kind, str) and given_kind in TYPE_OF_RESOURCE_TYPE:
        return TYPE_OF_RESOURCE_TYPE[given_kind]
    problems.add(
        index,
        None,
        None,
        "$id",
        "required: the resource's $id (or its meta:resourceType: schemas, classes, mixins or "
        "datatypes), or @type for a descriptor",
    )
    return None


def import_payload(
    session: Session,
    rt: Runtime,
    principal: Principal,
    sandbox_name: str,
    payload: Sequence[dict[str, Any]],
) -> Imported:
    """Create the payload's resources in the sandbox, or none (see the module docstring)."""
    with collection_paused():
        return _import(session, rt, principal, sandbox_name, payload)


def _import(
    session: Session,
    rt: Runtime,
    principal: Principal,
    sandbox_name: str,
    payload: Sequence[dict[str, Any]],
) -> Imported:
    sandbox = batch_service.require_sandbox(session, principal, sandbox_name)
    principal.require("Schema", "read", sandbox.name)
    principal.require("Schema", "write", sandbox.name)
    tenant = principal.org.tenant_id
    ctx = TypeContext(org_id=principal.org_id, tenant=tenant)
    rewrite = TenantRewriter(PLACEHOLDER, tenant)
    problems = Problems(bare=True)

    def permitted(atype: ArtifactType) -> None:
        for perm in atype.required_permissions():
            for action in perm.actions:
                principal.require(perm.resource, action, sandbox.name)

    items = []
    for index, raw in enumerate(payload):
        item = rewrite.document(raw)
        type_name = _type_of(index, item, problems)
        if type_name is not None:
            items.append((index, {"type": type_name, "definition": stored_form(item)}))
    entries = batch_service.unique(
        batch_service.prepare_all(rt.types, ctx, items, problems, first_use=permitted), problems
    )
    problems.raise_if_any(ImportRejected)
    stored = {
        (r.type, r.object_id): r
        for r in registry_service.rows_by_ids(session, sandbox.id, [e.key[1] for e in entries])
    }
    new: list[Entry] = []
    for e in entries:
        row = stored.get(e.key)
        if row is None:
            new.append(e)
        elif stored_form(row.definition) != stored_form(e.prepared.definition):
            problems.add(
                e.index,
                e.key[1],
                e.key[0],
                e.prepared.type.id_key,
                f"{e.key[0]} '{e.key[1]}' exists in sandbox '{sandbox.name}' with another "
                "definition",
            )
    problems.raise_if_any(ResourceConflict)
    batch_service.check_references(session, sandbox, new, problems)
    problems.raise_if_any(ImportRejected)
    ordered = batch_service.dependency_order(new)
    registry_service.insert_prepared(
        session, sandbox, [e.prepared for e in ordered], principal.user_id
    )
    created_types = [e.key[0] for e in new]
    audit_service.objects_loaded(
        session, principal, principal.org_id, sandbox.name, "schemaregistry", created_types
    )
    return Imported(
        sandbox,
        [Resource(e.key[0], e.key[1], e.prepared.definition) for e in entries],
        {e.key for e in new},
    )
