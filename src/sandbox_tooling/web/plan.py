"""The import wizard's plan: every object of the package's closure with what the import will
do with it, the ranked suggestions, and the permission preflight.

One small adapter over the importer's pieces (``importer.plan.make_plan`` for the actions,
``importer.service.conflicts`` for the suggestions, ``importer.service.preflight``), deciding
exactly as the import job decides (the same titles, codes and alternatives), so what the
wizard shows is what the job does. When the importer offers a plan service, this module
becomes a call to it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.spec import TypeContext
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.importer import service as import_service
from sandbox_tooling.importer.plan import make_plan
from sandbox_tooling.importer.schemas import Alternative
from sandbox_tooling.models import Package, Sandbox
from sandbox_tooling.models.enums import PackageType
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
    artifacts = manifest["artifacts"]
    type_of = {a["id"]: a["type"] for a in artifacts}
    full = manifest.get("packageType") == PackageType.FULL
    alts = {
        src: Alternative(id=tgt, type=type_of.get(src, ""))
        for src, tgt in alternatives.items()
        if tgt and not full
    }
    checked = import_service.check_mappings(session, rt, version, target, alts, "alternatives")

    # The same inputs as the import job's plan (importer/engine.py ImportRun.plan_import).
    types = rt.types
    reuse_types = {t.name for t in types.all() if t.reuse_by_title}
    target_titles: dict[tuple[str, str], str] = {}
    taken: set[tuple[str, str]] = set()
    for type_name, object_id, title in registry_service.with_titles(
        session, target.id, {a["title"] for a in artifacts}
    ):
        taken.add((type_name, title))
        if type_name in reuse_types:
            target_titles.setdefault((type_name, title), object_id)
    codes = {a["id"] for a in artifacts if a["type"] == "ID_NAMESPACE"}
    existing = registry_service.types_of_ids(session, target.id, codes)
    ctx = TypeContext(org_id=principal.org_id, tenant=principal.org.tenant_id)
    plan = make_plan(
        manifest,
        types,
        ctx,
        full=full,
        alternatives={k: v["id"] for k, v in checked.items()},
        target_titles=target_titles,
        target_codes={i for t, i in existing if t == "ID_NAMESPACE"},
    )
    suggestions = {
        (e.type, e.id): e.suggestions
        for e in import_service.conflicts(session, rt, principal, pkg.id, target.name)
    }
    pre = import_service.preflight(session, rt, principal, pkg.id, target.name)
    missing_of = {a.artifact_type: a for a in pre.artifacts}
    target_ids = [s.target_id for s in plan.steps.values() if s.target_id and s.action != "CREATE"]
    titles = registry_service.titles_by_ids(session, target.id, target_ids)
    roots = set(plan.roots)
    rows: list[PlanRow] = []
    writes: Counter[str] = Counter()
    for key, step in plan.steps.items():
        label = types.get(step.type).label if step.type in types else step.type
        action: str = step.action
        target_title = titles.get((step.type, step.target_id or ""))
        if step.action == "CREATE":
            writes[step.type] += 1
            if (step.type, step.title) in taken and step.type != "ID_NAMESPACE":
                action = "RENAME"
                reason = (
                    f"created; the target has a {label} titled “{step.title}”, so the title "
                    "gets the suffix _<epochMs>"
                )
            else:
                reason = "created with a new id"
        elif step.action == "REUSE":
            reason = f"the target has a {label} titled “{step.title}”: reused, not created"
        elif step.action == "SUBSTITUTE":
            reason = "you chose an existing object of the target"
        elif step.action == "EXISTS":
            reason = f"the target has the identity namespace “{step.id}”"
        else:
            reason = "needed only by objects that are reused or substituted: not imported"
        perms = missing_of.get(step.type)
        rows.append(
            PlanRow(
                type=step.type,
                label=label,
                id=step.id,
                title=step.title,
                action=action,
                reason=reason,
                target_id=step.target_id if step.action != "CREATE" else None,
                target_title=target_title,
                root=key in roots,
                suggestions=suggestions.get(key, []),
                missing=[p.label() for p in perms.missing]
                if perms and action in ("CREATE", "RENAME")
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
    )
