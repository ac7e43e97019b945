"""Helpers shared by the package tests."""

from __future__ import annotations

from tests.helpers import Api

P = "/data/foundation/exim/packages"
SPEC_3_1_FIELDS = {
    "id",
    "version",
    "createdDate",
    "modifiedDate",
    "createdBy",
    "modifiedBy",
    "tenantId",
    "name",
    "description",
    "imsOrgId",
    "sourceSandbox",
    "packageType",
    "expiry",
    "status",
    "packageVisibility",
    "packageAccessType",
    "artifactsList",
    "schemaMapping",
}


def make_package(api: Api, artifacts: list[dict], name: str = "pkg", **extra: object) -> dict:
    body = {
        "name": name,
        "description": "d",
        "packageType": "PARTIAL",
        "sourceSandbox": {"name": "prod", "imsOrgId": api.org_id},
        "artifacts": artifacts,
        **extra,
    }
    r = api.post(P, json=body)
    assert r.status_code == 200, r.text
    return r.json()
