"""Realistic object definitions for tests, one builder per artifact type."""

from __future__ import annotations

from typing import Any

PROFILE = "https://ns.adobe.com/xdm/context/profile"
EVENT = "https://ns.adobe.com/xdm/context/experienceevent"


def namespace(code: str = "loyaltyId") -> dict[str, Any]:
    return {"code": code, "name": f"{code} namespace", "idType": "CROSS_DEVICE"}


def datatype(title: str = "Tier", ref: str | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {"tier": {"type": "string"}}
    if ref:
        props["nested"] = {"$ref": ref}
    return {"title": title, "type": "object", "properties": props}


def field_group(
    tenant: str, title: str = "Loyalty", datatype_id: str | None = None, extends: str = PROFILE
) -> dict[str, Any]:
    inner: dict[str, Any] = {"loyaltyId": {"type": "string"}}
    if datatype_id:
        inner["status"] = {"$ref": datatype_id}
    return {
        "title": title,
        "type": "object",
        "meta:intendedToExtend": [extends],
        "definitions": {
            "main": {"properties": {f"_{tenant}": {"type": "object", "properties": inner}}}
        },
        "allOf": [{"$ref": "#/definitions/main"}],
    }


def xdm_class(title: str = "Store", datatype_id: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": title,
        "type": "object",
        "meta:extends": ["https://ns.adobe.com/xdm/data/record"],
        "allOf": [{"$ref": "https://ns.adobe.com/xdm/data/record"}],
    }
    if datatype_id:
        out["definitions"] = {"store": {"properties": {"address": {"$ref": datatype_id}}}}
    return out


def schema(
    title: str = "Members", cls: str = PROFILE, groups: tuple[str, ...] = ()
) -> dict[str, Any]:
    return {
        "title": title,
        "type": "object",
        "meta:class": cls,
        "allOf": [{"$ref": cls}] + [{"$ref": g} for g in groups],
        "meta:extends": [cls, *groups],
    }


def identity_descriptor(schema_id: str, namespace_code: str = "Email") -> dict[str, Any]:
    return {
        "@type": "xdm:descriptorIdentity",
        "xdm:sourceSchema": schema_id,
        "xdm:sourceVersion": 1,
        "xdm:sourceProperty": "/personalEmail/address",
        "xdm:namespace": namespace_code,
        "xdm:property": "xdm:code",
        "xdm:isPrimary": True,
    }


def relationship(source: str, destination: str) -> dict[str, Any]:
    return {
        "@type": "xdm:descriptorOneToOne",
        "xdm:sourceSchema": source,
        "xdm:sourceVersion": 1,
        "xdm:sourceProperty": "/storeId",
        "xdm:destinationSchema": destination,
        "xdm:destinationProperty": "/storeId",
    }


def dataset(schema_id: str, name: str = "Members Dataset") -> dict[str, Any]:
    return {
        "name": name,
        "schemaRef": {
            "id": schema_id,
            "contentType": "application/vnd.adobe.xed-full+json;version=1",
        },
    }


def merge_policy(name: str = "Default", order: list[str] | None = None) -> dict[str, Any]:
    attr: dict[str, Any] = (
        {"type": "dataSetPrecedence", "order": order} if order else {"type": "timestampOrdered"}
    )
    return {
        "name": name,
        "schema": {"name": "_xdm.context.profile"},
        "identityGraph": {"type": "pdg"},
        "attributeMerge": attr,
    }


def audience(merge_id: str | None, name: str = "Gold members") -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name,
        "schema": {"name": "_xdm.context.profile"},
        "expression": {"type": "PQL", "format": "pql/text", "value": 'tier = "gold"'},
    }
    if merge_id:
        out["mergePolicyId"] = merge_id
    return out


def consent_policy(name: str = "Email consent") -> dict[str, Any]:
    return {"name": name, "status": "ENABLED", "marketingActionRefs": []}


def mapping_set(schema_id: str) -> dict[str, Any]:
    return {
        "xdmSchema": schema_id,
        "xdmVersion": "1.0",
        "mappings": [{"sourceType": "ATTRIBUTE", "source": "id", "destination": "_id"}],
    }


def flow(mapping_id: str, dataset_id: str, name: str = "SFTP members") -> dict[str, Any]:
    return {
        "name": name,
        "flowSpec": {"id": "9753525b-82c7-4dce-8a9b-5ccfce2b9876", "version": "1.0"},
        "sourceConnections": [
            {
                "params": {"path": "/in.csv"},
                "baseConnection": {
                    "auth": {
                        "specName": "Basic",
                        "params": {"username": "u", "password": "hunter2"},
                    }
                },
            }
        ],
        "targetConnections": [{"params": {"dataSetId": dataset_id}}],
        "transformations": [{"name": "Mapping", "params": {"mappingId": mapping_id}}],
    }


def journey(
    audience_id: str, schema_id: str | None = None, name: str = "Welcome"
) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = [{"id": "a", "type": "readAudience", "audienceId": audience_id}]
    if schema_id:
        nodes.append({"id": "b", "type": "event", "eventSchemaId": schema_id})
    return {"name": name, "status": "draft", "nodes": nodes}


#: Keys of ``seed_world`` in the journey's closure (everything but the flow, its mapping set
#: and the consent policy).
JOURNEY_CLOSURE = (
    "journey",
    "aud",
    "merge",
    "ds",
    "schema",
    "fg",
    "dt",
    "desc",
    "rel",
    "store_schema",
    "cls",
    "ns",
)


def seed_world(api: Any, sandbox: str = "prod") -> dict[str, str]:
    """One object of every built-in type, wired together as on the platform."""
    t = api.tenant
    ids: dict[str, str] = {}
    ids["ns"] = api.create("ID_NAMESPACE", namespace(), sandbox)
    ids["dt"] = api.create("REGISTRY_DATATYPE", datatype(), sandbox)
    ids["fg"] = api.create("REGISTRY_MIXIN", field_group(t, datatype_id=ids["dt"]), sandbox)
    ids["cls"] = api.create("REGISTRY_CLASS", xdm_class(datatype_id=ids["dt"]), sandbox)
    ids["schema"] = api.create("REGISTRY_SCHEMA", schema(groups=(ids["fg"],)), sandbox)
    ids["store_schema"] = api.create("REGISTRY_SCHEMA", schema("Stores", ids["cls"]), sandbox)
    ids["desc"] = api.create(
        "REGISTRY_DESCRIPTOR", identity_descriptor(ids["schema"], "loyaltyId"), sandbox
    )
    ids["rel"] = api.create(
        "REGISTRY_DESCRIPTOR", relationship(ids["schema"], ids["store_schema"]), sandbox
    )
    ids["ds"] = api.create("CATALOG_DATASET", dataset(ids["schema"]), sandbox)
    ids["merge"] = api.create("PROFILE_MERGE", merge_policy(order=[ids["ds"]]), sandbox)
    ids["aud"] = api.create("PROFILE_SEGMENT", audience(ids["merge"]), sandbox)
    ids["policy"] = api.create("DULE_CONSENT_POLICY", consent_policy(), sandbox)
    ids["map"] = api.create("MAPPING_SET", mapping_set(ids["schema"]), sandbox)
    ids["flow"] = api.create("FLOW", flow(ids["map"], ids["ds"]), sandbox)
    ids["journey"] = api.create("JOURNEY", journey(ids["aud"], ids["schema"]), sandbox)
    return ids
