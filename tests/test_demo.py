"""The demo data set (``sbx serve --demo``): what it seeds, and that it seeds it once."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import text

from sandbox_tooling.demo import ACME, ACME_ADMIN, GLOBEX, GLOBEX_ADMIN, ensure_demo
from sandbox_tooling.runtime import Runtime as AppState

#: Acme's production sandbox: titles by type (the four descriptors have generated titles).
ACME_PROD = {
    "ID_NAMESPACE": ["Loyalty ID"],
    "REGISTRY_DATATYPE": ["Loyalty Tier"],
    "REGISTRY_MIXIN": ["Loyalty Details", "Purchase Details"],
    "REGISTRY_CLASS": ["Store"],
    "REGISTRY_SCHEMA": ["Loyalty Members", "Online Purchases", "Stores"],
    "CATALOG_DATASET": ["Loyalty Members Dataset", "Online Purchases Dataset", "Stores Dataset"],
    "PROFILE_MERGE": ["Default Time-based", "Loyalty first"],
    "PROFILE_SEGMENT": ["Gold Loyalty Members", "Recent Purchasers"],
    "DULE_CONSENT_POLICY": ["Email marketing needs consent"],
    "MAPPING_SET": ["Loyalty CSV mapping"],
    "FLOW": ["Loyalty CSV from SFTP"],
    "JOURNEY": ["Gold member welcome"],
}


def rows(state: AppState, sql: str) -> list[tuple[Any, ...]]:
    with state.db.transaction(write=False) as s:
        return sorted(tuple(r) for r in s.execute(text(sql)).all())


def titles(state: AppState) -> dict[tuple[str, str], dict[str, list[str]]]:
    """(org, sandbox) -> type -> sorted titles."""
    out: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for org, sandbox, type_name, title in rows(
        state,
        "SELECT o.id, b.name, r.type, r.title FROM registry_objects r "
        "JOIN sandboxes b ON b.id = r.sandbox_id JOIN orgs o ON o.id = b.org_id",
    ):
        out[(org, sandbox)][type_name].append(title)
    return {k: dict(v) for k, v in out.items()}


def packages(state: AppState) -> list[tuple[Any, ...]]:
    out = []
    for org, name, status, kind, artifacts in rows(
        state, "SELECT org_id, name, status, package_type, artifacts FROM packages"
    ):
        if isinstance(artifacts, str):  # SQLite hands JSON back as text
            artifacts = json.loads(artifacts)
        out.append((org, name, status, kind, [(a["type"], a["title"]) for a in artifacts]))
    return out


def test_demo_content(state: AppState) -> None:
    with state.db.transaction() as s:
        creds = ensure_demo(s, state.types)
    assert [(c.org_id, c.user_id, c.client_secret is not None) for c in creds] == [
        (ACME, ACME_ADMIN, True),
        (GLOBEX, GLOBEX_ADMIN, True),
    ]
    seeded = titles(state)
    assert list(seeded) == [(ACME, "prod")]  # Globex and the other sandboxes are empty
    acme = seeded[(ACME, "prod")]
    assert len(acme.pop("REGISTRY_DESCRIPTOR")) == 4
    assert acme == ACME_PROD
    assert rows(state, "SELECT org_id, name FROM sandboxes") == sorted(
        (org, name) for org in (ACME, GLOBEX) for name in ("prod", "dev", "staging")
    )
    assert rows(state, "SELECT org_id, user_id FROM users") == [
        (ACME, ACME_ADMIN),
        (GLOBEX, GLOBEX_ADMIN),
    ]
    assert packages(state) == [
        (
            ACME,
            "Loyalty schemas",
            "DRAFT",
            "PARTIAL",
            [("REGISTRY_SCHEMA", "Loyalty Members"), ("REGISTRY_SCHEMA", "Online Purchases")],
        ),
        (
            ACME,
            "Loyalty starter kit",
            "DRAFT",
            "PARTIAL",
            [("JOURNEY", "Gold member welcome"), ("CATALOG_DATASET", "Loyalty Members Dataset")],
        ),
    ]


def test_demo_is_seeded_once(state: AppState) -> None:
    with state.db.transaction() as s:
        first = ensure_demo(s, state.types)
    before = (titles(state), packages(state), rows(state, "SELECT org_id, name FROM sandboxes"))
    with state.db.transaction() as s:
        again = ensure_demo(s, state.types)
    assert (titles(state), packages(state), rows(state, "SELECT org_id, name FROM sandboxes")) == (
        before
    )
    assert [(c.org_id, c.user_id, c.client_id) for c in again] == [
        (c.org_id, c.user_id, c.client_id) for c in first
    ]
    assert all(c.client_secret is None for c in again)
