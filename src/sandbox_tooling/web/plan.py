"""The import wizard's plan: every object of the package's closure with what the import will
do with it, the ranked suggestions, and the permission preflight.

One small adapter over the importer's pieces: its plan service (``importer.planning.
plan_import``, the import job's own planner) for the actions, new titles and target ids,
``importer.service.conflicts`` for the suggestions, ``importer.service.preflight``. The plan
is stored; the import submitted from the wizard names it (``planId``), so the job does exactly
what the wizard showed, or refuses if the target changed meanwhile.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from sandbox_tooling.identity.service import Principal
from sandbox_tooling.importer import planning
from sandbox_tooling.importer import service as import_service
from sandbox_tooling.importer.schemas import Alternative
from sandbox_tooling.models import Package, Sandbox
from sandbox_tooling.models.enums import PackageType, PlanAction
from sandbox_tooling.package import service as package_service
from sandbox_tooling.package import snapshot
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.runtime import Runtime

#: The wizard's actions: the job's, with CREATE split into CREATE and RENAME (a created object
#: whose title the target has gets the ``_<epochMs>`` suffix).
ACTIONS = ("CREATE", "RENAME", "REUSE", "SUBSTITUTE", "EXISTS", "SKIP")


@dataclass
class PlanRow:
    type: str
    label: str
    id: str
    title: str
    action: str
    reason: str
    target_id: str | None = None
    target_title: str | None = None
    root: bool = False
    suggestions: list[import_service.Similar] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def suggestion_keys(self) -> list[str]:
        """The suggestions as the picker's ``suggested`` parameters (``id|title``)."""
        return [f"{s.id}|{s.title}" for s in self.suggestions]


@dataclass
class TypePermissions:
    type: str
    label: str
    required: list[str]
    missing: list[str]
    writes: int


@dataclass
class WizardPlan:
    package: Package
    target: Sandbox
    version: int
    rows: list[PlanRow]
    preflight: list[TypePermissions]
    alternatives: dict[str, Alternative]
    can_manage: bool
    #: The stored plan the import names (``planId``).
    plan_id: str = ""

    def counts(self) -> Counter[str]:
        return Counter(r.action for r in self.rows)

    @property
    def blocked(self) -> bool:
        """Something the import must write lacks a permission (or the import itself does)."""
        return not self.can_manage or any(p.missing and p.writes for p in self.preflight)


def plan_import(
    session: Session,
    rt: Runtime,
    principal: Principal,
    package_id: str,
    target_name: str,
    alternatives: dict[str, str],
) -> WizardPlan:
    """``alternatives``: source id -> target id, as the user picked them ("Use existing")."""
    principal.require("Package", "view")
    pkg = package_service.require(session, principal, package_id)
    version = package_service.published_version(session, pkg)
    target = import_service.target_sandbox(session, principal, target_name, "targetSandbox")
    manifest = snapshot.read_manifest(rt.blobs, version)
    type_of = {a["id"]: a["type"] for a in manifest["artifacts"]}
    full = manifest.get("packageType") == PackageType.FULL
    alts = {
        src: Alternative(id=tgt, type=type_of.get(src, ""))
        for src, tgt in alternatives.items()
        if tgt and not full
    }
    # The importer's plan service: the import job's own planner (and the plan is stored, so
    # the import submitted from this page does exactly it: ``planId``).
    planned = planning.plan_import(session, rt, principal, pkg.id, target.name, alts)
    types = rt.types
    suggestions = {
        (e.type, e.id): e.suggestions
        for e in import_service.conflicts(session, rt, principal, pkg.id, target.name)
    }
    pre = import_service.preflight(session, rt, principal, pkg.id, target.name)
    missing_of = {a.artifact_type: a for a in pre.artifacts}
    creates = (PlanAction.CREATE, PlanAction.RENAME)
    target_ids = [s.target_id for s in planned.steps if s.target_id and s.action not in creates]
    titles = registry_service.titles_by_ids(session, target.id, target_ids)
    roots = set(planned.roots) if not full else {(s.type, s.source_id) for s in planned.steps}
    rows: list[PlanRow] = []
    writes: Counter[str] = Counter()
    for step in planned.steps:
        label = types.get(step.type).label if step.type in types else step.type
        action = str(step.action)
        reason = step.reason
        if step.action in creates:
            writes[step.type] += 1
            if step.action == PlanAction.RENAME:
                reason = (
                    f"created; the target has a {label} titled “{step.title}”, so it is "
                    f"titled “{step.new_title}”"
                )
            else:
                reason = "created with a new id"
        elif step.action == PlanAction.REUSE:
            reason = f"the target has a {label} titled “{step.title}”: reused, not created"
        elif step.action == PlanAction.SUBSTITUTE:
            reason = "you chose an existing object of the target"
        elif step.action == PlanAction.EXISTS:
            reason = f"the target has the identity namespace “{step.source_id}”"
        elif step.action == PlanAction.SKIP:
            reason = "needed only by objects that are reused or substituted: not imported"
        perms = missing_of.get(step.type)
        key = (step.type, step.source_id)
        rows.append(
            PlanRow(
                type=step.type,
                label=label,
                id=step.source_id,
                title=step.title,
                action=action,
                reason=reason,
                target_id=step.target_id if step.action not in creates else None,
                target_title=titles.get((step.type, step.target_id or "")),
                root=key in roots,
                suggestions=suggestions.get(key, []),
                missing=[p.label() for p in perms.missing]
                if perms and step.action in creates
                else [],
            )
        )
    preflight = []
    for type_name, perms in sorted(missing_of.items()):
        preflight.append(
            TypePermissions(
                type=type_name,
                label=types.get(type_name).label if type_name in types else type_name,
                required=[p.label() for p in perms.required],
                missing=[p.label() for p in perms.missing],
                writes=writes[type_name],
            )
        )
    return WizardPlan(
        package=pkg,
        target=target,
        version=version.package_version,
        rows=rows,
        preflight=preflight,
        alternatives=alts,
        can_manage=principal.can("Package", "manage", target.name),
        plan_id=planned.id,
    )
