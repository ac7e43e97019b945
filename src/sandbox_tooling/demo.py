"""The demo data set: two orgs, sandboxes, a realistic set of objects, users and credentials.

What is seeded is data (``fixtures/data.py``: ``DEMO_ORGS``, ``DEMO_SANDBOXES``, ``ACME_WORLD``);
this module only walks it, creating objects through the registry service.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.plugins import ArtifactTypes
from sandbox_tooling.artifact_type.spec import TypeContext
from sandbox_tooling.fixtures import World, seed
from sandbox_tooling.fixtures.data import (
    ACME,
    ACME_ADMIN,
    DEMO_ORGS,
    DEMO_SANDBOXES,
    GLOBEX,
    GLOBEX_ADMIN,
    DemoOrg,
)
from sandbox_tooling.identity import repository as identity_repository
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.kit.clock import DAY_MS, now_ms
from sandbox_tooling.kit.ids import hex32
from sandbox_tooling.models import Org, Package
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.sandbox import service as sandbox_service

__all__ = [
    "ACME",
    "ACME_ADMIN",
    "GLOBEX",
    "GLOBEX_ADMIN",
    "DemoCredential",
    "ensure_demo",
    "ensure_demo_password",
]

#: Where the demo admin's console password is kept (mode 0600), so every start of the demo on
#: the same data directory prints the same, still valid, password.
PASSWORD_FILE = "demo-password"


@dataclass
class DemoCredential:
    org_id: str
    user_id: str
    client_id: str
    client_secret: str | None


def ensure_demo(session: Session, types: ArtifactTypes) -> list[DemoCredential]:
    """Seed the demo once; return the demo admins' credentials (secrets only when new)."""
    out: list[DemoCredential] = []
    for spec in DEMO_ORGS:
        org = identity_repository.get_org(session, spec.id)
        if org is None:
            org = identity_service.create_org(
                session, org_id=spec.id, name=spec.name, region=spec.region, tenant=spec.tenant
            )
            identity_service.create_user(
                session,
                org_id=spec.id,
                user_id=spec.admin,
                name=f"{spec.name} admin",
                roles=["admin"],
            )
            cred, secret = identity_service.create_credential(
                session, org_id=spec.id, user_id=spec.admin
            )
            out.append(DemoCredential(spec.id, spec.admin, cred.client_id, secret))
            for sb in DEMO_SANDBOXES:
                sandbox_service.create_in_org(
                    session, org, name=sb.name, title=sb.title, type_=sb.type, actor="system"
                )
            if spec.world is not None:
                _seed_objects(session, types, org, spec, spec.world)
        else:
            client_id = identity_repository.first_client_id(session, spec.id, spec.admin)
            if client_id:
                out.append(DemoCredential(spec.id, spec.admin, client_id, None))
    session.flush()
    return out


def _seed_objects(
    session: Session, types: ArtifactTypes, org: Org, spec: DemoOrg, world: World
) -> None:
    """The world's objects in the org's ``prod``, then its draft packages."""
    sandbox = sandbox_service.require_live(session, org.id, "prod")
    ctx = TypeContext(org_id=org.id, tenant=org.tenant_id)
    titles: dict[tuple[str, str], str] = {}

    def create(type_name: str, definition: dict[str, Any]) -> str:
        prepared = registry_service.prepare(types.get(type_name), definition, ctx)
        registry_service.create_objects(session, sandbox, ctx, [prepared], "system")
        titles[(type_name, prepared.object_id)] = prepared.title
        return prepared.object_id

    ids = seed(world, org.tenant_id, create)
    now = now_ms()
    for pkg in spec.packages:
        artifacts = []
        for key in pkg.roots:
            type_name = world[key].type
            artifacts.append(
                {"id": ids[key], "type": type_name, "title": titles[(type_name, ids[key])]}
            )
        session.add(
            Package(
                id=hex32(),
                org_id=org.id,
                name=pkg.name,
                description=pkg.description,
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


def ensure_demo_password(session: Session, data_dir: Path) -> str | None:
    """The console password of Acme's demo admin: generated on first start and kept in the
    data directory. None when it was changed since (``sbx admin set-password``): the demo
    does not overwrite a password somebody chose."""
    user = identity_repository.get_user(session, ACME, ACME_ADMIN)
    if user is None:
        return None
    path = data_dir / PASSWORD_FILE
    try:
        kept = path.read_text().strip()
    except FileNotFoundError:
        kept = ""
    if kept and identity_service.check_password(user, kept):
        return kept
    if kept and user.password_hash:
        return None
    password = secrets.token_urlsafe(12)
    identity_service.set_password(session, org_id=ACME, user_id=ACME_ADMIN, password=password)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(password + "\n")
    return password
