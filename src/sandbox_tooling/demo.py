"""The demo data set: two orgs, sandboxes, a realistic set of objects, users and credentials."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.plugins import ArtifactTypes
from sandbox_tooling.artifact_type.spec import TypeContext
from sandbox_tooling.identity import repository as identity_repository
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.kit.clock import DAY_MS, now_ms
from sandbox_tooling.kit.ids import hex32
from sandbox_tooling.models import Org, Package
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.sandbox import service as sandbox_service

ACME = "5C1328435BF324E90A49402A@AdobeOrg"
GLOBEX = "7D7D8BBE3C7C4A8EA701CC5E@AdobeOrg"
ACME_ADMIN = "admin@acme.example"
GLOBEX_ADMIN = "admin@globex.example"
PROFILE = "https://ns.adobe.com/xdm/context/profile"
EVENT = "https://ns.adobe.com/xdm/context/experienceevent"
RECORD = "https://ns.adobe.com/xdm/data/record"
RECENT_PURCHASE_PQL = (
    'chain(xEvent, timestamp, [A: WHAT(eventType.equals("commerce.purchases")) '
    "WHEN(<= 30 days before now)])"
)


@dataclass
class DemoCredential:
    org_id: str
    user_id: str
    client_id: str
    client_secret: str | None


def ensure_demo(session: Session, types: ArtifactTypes) -> list[DemoCredential]:
    """Seed the demo once; return the demo admins' credentials (secrets only when new)."""
    out: list[DemoCredential] = []
    for org_id, name, region, tenant, user in (
        (ACME, "Acme Business Group", "va7", "acme", ACME_ADMIN),
        (GLOBEX, "Globex Corporation", "nld2", "globex", GLOBEX_ADMIN),
    ):
        org = identity_repository.get_org(session, org_id)
        if org is None:
            org = identity_service.create_org(
                session, org_id=org_id, name=name, region=region, tenant=tenant
            )
            identity_service.create_user(
                session, org_id=org_id, user_id=user, name=f"{name} admin", roles=["admin"]
            )
            cred, secret = identity_service.create_credential(session, org_id=org_id, user_id=user)
            out.append(DemoCredential(org_id, user, cred.client_id, secret))
            for sb_name, title, kind in (
                ("dev", "Development", "development"),
                ("staging", "Staging", "development"),
            ):
                sandbox_service.create_in_org(
                    session, org, name=sb_name, title=title, type_=kind, actor="system"
                )
            if org_id == ACME:
                _seed_objects(session, types, org)
        else:
            client_id = identity_repository.first_client_id(session, org_id, user)
            if client_id:
                out.append(DemoCredential(org_id, user, client_id, None))
    session.flush()
    return out


def _seed_objects(session: Session, types: ArtifactTypes, org: Org) -> None:
    sandbox = sandbox_service.require_live(session, org.id, "prod")
    ctx = TypeContext(org_id=org.id, tenant=org.tenant_id)
    t = org.tenant_id
    created: dict[str, str] = {}

    def add(key: str, type_name: str, definition: dict[str, Any]) -> str:
        prepared = registry_service.prepare(types.get(type_name), definition, ctx)
        registry_service.create_objects(session, sandbox, ctx, [prepared], "system")
        created[key] = prepared.object_id
        return prepared.object_id

    add(
        "ns",
        "ID_NAMESPACE",
        {
            "code": "loyaltyId",
            "name": "Loyalty ID",
            "idType": "CROSS_DEVICE",
            "description": "Acme loyalty programme member id",
        },
    )
    tier = add(
        "tier",
        "REGISTRY_DATATYPE",
        {
            "title": "Loyalty Tier",
            "type": "object",
            "description": "Tier and points",
            "properties": {
                "tier": {"type": "string", "enum": ["bronze", "silver", "gold"]},
                "points": {"type": "integer", "minimum": 0},
            },
        },
    )
    loyalty_fg = add(
        "loyalty_fg",
        "REGISTRY_MIXIN",
        {
            "title": "Loyalty Details",
            "type": "object",
            "meta:intendedToExtend": [PROFILE],
            "definitions": {
                "loyalty": {
                    "properties": {
                        f"_{t}": {
                            "type": "object",
                            "properties": {
                                "loyaltyId": {"type": "string"},
                                "status": {"$ref": tier},
                            },
                        }
                    }
                }
            },
            "allOf": [{"$ref": "#/definitions/loyalty"}],
        },
    )
    purchase_fg = add(
        "purchase_fg",
        "REGISTRY_MIXIN",
        {
            "title": "Purchase Details",
            "type": "object",
            "meta:intendedToExtend": [EVENT],
            "definitions": {
                "purchase": {
                    "properties": {
                        f"_{t}": {
                            "type": "object",
                            "properties": {
                                "orderId": {"type": "string"},
                                "storeId": {"type": "string"},
                                "total": {"type": "number"},
                            },
                        }
                    }
                }
            },
            "allOf": [{"$ref": "#/definitions/purchase"}],
        },
    )
    store_class = add(
        "store_class",
        "REGISTRY_CLASS",
        {
            "title": "Store",
            "type": "object",
            "meta:extends": [RECORD],
            "definitions": {
                "store": {
                    "properties": {
                        f"_{t}": {
                            "type": "object",
                            "properties": {
                                "storeId": {"type": "string"},
                                "city": {"type": "string"},
                            },
                        }
                    }
                }
            },
            "allOf": [{"$ref": RECORD}, {"$ref": "#/definitions/store"}],
        },
    )
    members = add(
        "members",
        "REGISTRY_SCHEMA",
        {
            "title": "Loyalty Members",
            "type": "object",
            "meta:class": PROFILE,
            "description": "Profiles of loyalty programme members",
            "allOf": [
                {"$ref": PROFILE},
                {"$ref": "https://ns.adobe.com/xdm/context/profile-person-details"},
                {"$ref": loyalty_fg},
            ],
            "meta:extends": [PROFILE, loyalty_fg],
        },
    )
    purchases = add(
        "purchases",
        "REGISTRY_SCHEMA",
        {
            "title": "Online Purchases",
            "type": "object",
            "meta:class": EVENT,
            "allOf": [{"$ref": EVENT}, {"$ref": purchase_fg}],
            "meta:extends": [EVENT, purchase_fg],
        },
    )
    stores = add(
        "stores",
        "REGISTRY_SCHEMA",
        {
            "title": "Stores",
            "type": "object",
            "meta:class": store_class,
            "allOf": [{"$ref": store_class}],
            "meta:extends": [store_class],
        },
    )
    add(
        "members_id",
        "REGISTRY_DESCRIPTOR",
        {
            "@type": "xdm:descriptorIdentity",
            "xdm:sourceSchema": members,
            "xdm:sourceVersion": 1,
            "xdm:sourceProperty": f"/_{t}/loyaltyId",
            "xdm:namespace": "loyaltyId",
            "xdm:property": "xdm:code",
            "xdm:isPrimary": True,
        },
    )
    add(
        "purchases_id",
        "REGISTRY_DESCRIPTOR",
        {
            "@type": "xdm:descriptorIdentity",
            "xdm:sourceSchema": purchases,
            "xdm:sourceVersion": 1,
            "xdm:sourceProperty": "/personalEmail/address",
            "xdm:namespace": "Email",
            "xdm:property": "xdm:code",
            "xdm:isPrimary": True,
        },
    )
    add(
        "stores_id",
        "REGISTRY_DESCRIPTOR",
        {
            "@type": "xdm:descriptorIdentity",
            "xdm:sourceSchema": stores,
            "xdm:sourceVersion": 1,
            "xdm:sourceProperty": f"/_{t}/storeId",
            "xdm:namespace": "loyaltyId",
            "xdm:property": "xdm:code",
            "xdm:isPrimary": True,
        },
    )
    add(
        "purchase_store",
        "REGISTRY_DESCRIPTOR",
        {
            "@type": "xdm:descriptorOneToOne",
            "xdm:sourceSchema": purchases,
            "xdm:sourceVersion": 1,
            "xdm:sourceProperty": f"/_{t}/storeId",
            "xdm:destinationSchema": stores,
            "xdm:destinationVersion": 1,
            "xdm:destinationProperty": f"/_{t}/storeId",
        },
    )
    members_ds = add(
        "members_ds",
        "CATALOG_DATASET",
        {
            "name": "Loyalty Members Dataset",
            "description": "Daily member export",
            "schemaRef": {
                "id": members,
                "contentType": "application/vnd.adobe.xed-full+json;version=1",
            },
            "tags": {"adobe/pqs/table": ["loyalty_members"]},
        },
    )
    purchases_ds = add(
        "purchases_ds",
        "CATALOG_DATASET",
        {
            "name": "Online Purchases Dataset",
            "schemaRef": {
                "id": purchases,
                "contentType": "application/vnd.adobe.xed-full+json;version=1",
            },
        },
    )
    add(
        "stores_ds",
        "CATALOG_DATASET",
        {
            "name": "Stores Dataset",
            "schemaRef": {
                "id": stores,
                "contentType": "application/vnd.adobe.xed-full+json;version=1",
            },
        },
    )
    merge = add(
        "merge",
        "PROFILE_MERGE",
        {
            "name": "Default Time-based",
            "schema": {"name": "_xdm.context.profile"},
            "identityGraph": {"type": "pdg"},
            "attributeMerge": {"type": "timestampOrdered"},
            "default": True,
            "activeOnEdge": False,
        },
    )
    add(
        "merge_ds",
        "PROFILE_MERGE",
        {
            "name": "Loyalty first",
            "schema": {"name": "_xdm.context.profile"},
            "identityGraph": {"type": "pdg"},
            "attributeMerge": {"type": "dataSetPrecedence", "order": [members_ds, purchases_ds]},
        },
    )
    gold = add(
        "gold",
        "PROFILE_SEGMENT",
        {
            "name": "Gold Loyalty Members",
            "description": "Members in the gold tier",
            "expression": {
                "type": "PQL",
                "format": "pql/text",
                "value": f'_{t}.loyalty.status.tier = "gold"',
            },
            "schema": {"name": "_xdm.context.profile"},
            "mergePolicyId": merge,
            "evaluationInfo": {"batch": {"enabled": True}},
        },
    )
    add(
        "recent",
        "PROFILE_SEGMENT",
        {
            "name": "Recent Purchasers",
            "expression": {
                "type": "PQL",
                "format": "pql/text",
                "value": RECENT_PURCHASE_PQL,
            },
            "schema": {"name": "_xdm.context.profile"},
            "mergePolicyId": merge,
        },
    )
    add(
        "consent",
        "DULE_CONSENT_POLICY",
        {
            "name": "Email marketing needs consent",
            "status": "ENABLED",
            "marketingActionRefs": [
                "https://platform.adobe.io/data/foundation/dulepolicy/marketingActions/core/emailTargeting"
            ],
            "consent": {"operator": "AND", "operands": [{"label": "consents.marketing.email.val"}]},
        },
    )
    mapping = add(
        "mapping",
        "MAPPING_SET",
        {
            "name": "Loyalty CSV mapping",
            "version": 0,
            "xdmSchema": members,
            "xdmVersion": "1.0",
            "mappings": [
                {
                    "sourceType": "ATTRIBUTE",
                    "source": "member_id",
                    "destination": f"_{t}.loyaltyId",
                },
                {
                    "sourceType": "ATTRIBUTE",
                    "source": "email",
                    "destination": "personalEmail.address",
                },
            ],
        },
    )
    add(
        "flow",
        "FLOW",
        {
            "name": "Loyalty CSV from SFTP",
            "description": "Nightly member file",
            "flowSpec": {"id": "9753525b-82c7-4dce-8a9b-5ccfce2b9876", "version": "1.0"},
            "sourceConnections": [
                {
                    "id": "b7581b59-c603-4df1-a689-d23d7ac440f3",
                    "connectionSpec": {
                        "id": "b7bf2577-4520-42c9-bae9-cad01560f7bc",
                        "version": "1.0",
                    },
                    "params": {"path": "/exports/loyalty/members.csv", "format": "delimited"},
                    "baseConnection": {
                        "auth": {
                            "specName": "Basic Authentication for SFTP",
                            "params": {
                                "host": "sftp.acme.example",
                                "username": "loyalty",
                                "password": "s3cr3t-demo",
                            },
                        }
                    },
                }
            ],
            "targetConnections": [
                {
                    "id": "320f119a-5ac1-4ab1-88ea-eb19e674ea2e",
                    "connectionSpec": {
                        "id": "c604ff05-7f1a-43c0-8e18-33bf874cb11c",
                        "version": "1.0",
                    },
                    "params": {"dataSetId": members_ds, "dataFormat": "parquet"},
                }
            ],
            "transformations": [
                {"name": "Mapping", "params": {"mappingId": mapping, "mappingVersion": 0}}
            ],
            "scheduleParams": {"startTime": 1735689600, "frequency": "day", "interval": 1},
            "state": "enabled",
        },
    )
    journey = add(
        "journey",
        "JOURNEY",
        {
            "name": "Gold member welcome",
            "description": "Welcome new gold members",
            "status": "draft",
            "nodes": [
                {"id": "start", "type": "readAudience", "audienceId": gold, "next": ["buy"]},
                {"id": "buy", "type": "event", "eventSchemaId": purchases, "next": ["mail"]},
                {"id": "mail", "type": "message", "fieldGroupId": loyalty_fg, "next": ["end"]},
                {"id": "end", "type": "end"},
            ],
        },
    )
    now = now_ms()
    for name, description, artifacts in (
        (
            "Loyalty starter kit",
            "The gold-member journey and the member dataset, with their dependencies",
            [
                {"id": journey, "type": "JOURNEY", "title": "Gold member welcome"},
                {"id": members_ds, "type": "CATALOG_DATASET", "title": "Loyalty Members Dataset"},
            ],
        ),
        (
            "Loyalty schemas",
            "The loyalty schemas and their field groups: versionable, for updates",
            [
                {"id": members, "type": "REGISTRY_SCHEMA", "title": "Loyalty Members"},
                {"id": purchases, "type": "REGISTRY_SCHEMA", "title": "Online Purchases"},
            ],
        ),
    ):
        session.add(
            Package(
                id=hex32(),
                org_id=org.id,
                name=name,
                description=description,
                package_type="PARTIAL",
                source_sandbox_name="prod",
                source_org_id=org.id,
                status="DRAFT",
                visibility="PRIVATE",
                access_type="TENANT",
                expiry=now + 90 * DAY_MS,
                publish_date=None,
                version=0,
                latest_package_version=None,
                artifacts=artifacts,
                failure_reason=None,
                tenant_id=org.tenant_id,
                client_id="sbx-demo",
                created_date=now,
                modified_date=now,
                created_by="system",
                modified_by="system",
            )
        )
