"""How a snapshot artifact's definition becomes the target's: references mapped to the
target's ids, the tenant moved when it differs, the object's own id set; for an update, what
the paired target object keeps. Shared by the import engine and the planner (which previews
an update's changes), so both compute the same definitions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox_tooling.artifact_type.spec import ArtifactType, Reference, TypeContext
from sandbox_tooling.kit.tenant import TenantRewriter
from sandbox_tooling.registry.service import ObjectRow

Key = tuple[str, str]
#: Left out of an update's change detection (kept as the target has them).
KEPT_ON_UPDATE = ("meta:immutableTags",)


def tenant_rewriter(manifest: Mapping[str, Any], tenant: str) -> TenantRewriter | None:
    """Another org's package: its XDM content moves to this org's ``tenant``."""
    source = manifest.get("tenantId") or tenant
    return TenantRewriter(source, tenant) if source != tenant else None


def rewrite(
    atype: ArtifactType,
    definition: dict[str, Any],
    target_id: str,
    id_map: Mapping[Key, str],
    tenant: TenantRewriter | None,
    ctx: TypeContext,
) -> tuple[dict[str, Any], list[Reference] | None]:
    """References mapped to the target's ids, the tenant moved if it differs, own id set.
    The references come back when still valid (``None``: extract them again)."""
    new, refs = atype.rewrite_with_refs(definition, id_map)
    if tenant is not None:
        new = tenant.document(new)
        return atype.with_id(new, target_id, ctx), None
    return atype.with_id(new, target_id, ctx), refs


def updated(
    atype: ArtifactType,
    definition: dict[str, Any],
    row: ObjectRow,
    id_map: Mapping[Key, str],
    tenant: TenantRewriter | None,
    ctx: TypeContext,
    taken: set[Key],
) -> tuple[dict[str, Any], list[Reference] | None]:
    """An update's new definition of the paired object ``row``: rewritten as for an import,
    keeping the target's ``KEPT_ON_UPDATE`` keys, and its title when the source's is taken
    by another object of the target."""
    new, refs = rewrite(atype, definition, row.object_id, id_map, tenant, ctx)
    for key in KEPT_ON_UPDATE:
        if key in row.definition:
            new[key] = row.definition[key]
        else:
            new.pop(key, None)
    title = atype.title(new, row.object_id)
    if title != row.title and (atype.name, title) in taken:
        new = atype.retitle(new, row.title)  # another object has that title: keep ours
    return new, refs
