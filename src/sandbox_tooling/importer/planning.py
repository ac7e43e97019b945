"""Import plans: what an import will do, decided by the code the import job runs, and stored
so that an apply does exactly that plan or refuses.

``decide`` is the planner both sides call: it reads the target objects an import's decisions
depend on (objects holding one of the package's titles, the namespaces of its codes, the
objects its alternatives or an update's pairs name), decides each artifact's action with
``plan.make_plan`` and the titles of created objects whose title is taken, and digests what
it read (``targetStateHash``). The import job calls it when it has no plan; ``plan_import``
(the plan endpoint, the CLI, the console) calls it, previews an update's changes, adds the
permission preflight and stores the plan. An import given the plan's id (``planId``) reads
the same objects again in its own transaction, after locking the target, and refuses, naming
each object that was added, removed or modified since (``replay``); otherwise it executes
the stored decisions: the same new ids and the same titles.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.plugins import ArtifactTypes
from sandbox_tooling.artifact_type.spec import TypeContext
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.importer import repository, transform
from sandbox_tooling.importer import service as import_service
from sandbox_tooling.importer.errors import InvalidMapping, PlanExpired, PlanMismatch, PlanNotFound
from sandbox_tooling.importer.plan import Key, Plan, Step, make_plan
from sandbox_tooling.importer.schemas import Alternative
from sandbox_tooling.importer.service import ArtifactPermissions, Preflight
from sandbox_tooling.job import service as job_service
from sandbox_tooling.job.handlers import JobFailed
from sandbox_tooling.kit.clock import DAY_MS, now_ms
from sandbox_tooling.kit.ids import hex32
from sandbox_tooling.kit.tenant import TenantRewriter
from sandbox_tooling.models import Job, Package, PackageVersion, Sandbox, StoredPlan
from sandbox_tooling.models.enums import PackageType, PlanAction, PlanKind
from sandbox_tooling.package import service as package_service
from sandbox_tooling.package import snapshot
from sandbox_tooling.registry import service as registry_service

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime

#: How long a stored plan can be applied.
PLAN_TTL_MS = DAY_MS
#: Expired plans are forgotten this long after they expire (a job submitted just before the
#: expiry still finds its plan).
FORGET_AFTER_MS = DAY_MS


# -- what a plan is ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TargetObject:
    """An object of the target sandbox the plan read, as it was then."""

    type: str
    id: str
    title: str
    version: int
    modified_date: int

    def row(self) -> list[Any]:
        return [self.type, self.id, self.title, self.version, self.modified_date]


@dataclass(frozen=True)
class DriftedObject:
    """An object that changed between the plan and the apply. ``change``: ``added`` (read
    now, not by the plan), ``removed`` or ``modified``; ``sandbox`` is the target (or, for an
    express copy, the source)."""

    sandbox: str
    type: str
    id: str
    title: str
    change: str

    def row(self) -> list[str]:
        return [self.sandbox, self.type, self.id, self.title, self.change]


@dataclass
class Decisions:
    """What the planner decided and what it read to decide it (the import engine's input)."""

    plan: Plan
    #: ``(type, title)`` of every target object holding one of the titles read.
    taken: set[Key]
    reads: list[TargetObject]
    digest: str
    #: An update's paired objects of updatable types: ``UPDATE`` or ``NO_CHANGE``, once
    #: previewed (``preview_updates``).
    updates: dict[Key, tuple[PlanAction, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedStep:
    """What the import does with one artifact of the package."""

    action: PlanAction
    type: str
    #: The artifact's id and title in the package.
    source_id: str
    title: str
    #: The target object created, reused, mapped or updated (None for ``SKIP``).
    target_id: str | None
    #: ``CREATE``/``RENAME``: the title the new object gets (suffixed when taken).
    new_title: str | None
    #: Why, in a sentence.
    reason: str


@dataclass(frozen=True)
class ImportPlan:
    """An import plan: every artifact of the package's closure with its action, the
    permission preflight of what it writes, and the target objects it read with their digest.
    ``id`` is what an import sends as ``planId`` to be held to this plan."""

    id: str
    kind: PlanKind
    org_id: str
    package_id: str | None
    package_version: int | None
    snapshot_id: str | None
    source_sandbox: str
    target_sandbox: str
    steps: list[PlannedStep]
    preflight: Preflight
    target_state_hash: str
    target_objects: list[TargetObject]
    created_date: int
    expiry: int
    #: The root artifacts ``(type, id)``: the package's, or those an express copy copies.
    roots: list[tuple[str, str]] = field(default_factory=list)

    @property
    def summary(self) -> dict[PlanAction, int]:
        """Steps per action (every action listed, 0 when absent)."""
        counts = Counter(s.action for s in self.steps)
        return {a: counts.get(a, 0) for a in PlanAction}

    @property
    def writes(self) -> bool:
        """Whether applying the plan changes the target."""
        return any(s.action in WRITING for s in self.steps)

    @property
    def allowed(self) -> bool:
        """Whether the planner's user holds every permission the writes need."""
        return all(not a.missing for a in self.preflight.artifacts)


WRITING = frozenset({PlanAction.CREATE, PlanAction.RENAME, PlanAction.UPDATE})


# -- the planner ------------------------------------------------------------------------------
def digest(reads: Iterable[TargetObject]) -> str:
    """``targetStateHash``: SHA-256 of the objects read, in a canonical order."""
    rows = sorted(r.row() for r in reads)
    return "sha256:" + hashlib.sha256(orjson.dumps(rows)).hexdigest()


def _import_titles(manifest: Mapping[str, Any], tenant: TenantRewriter | None) -> dict[Key, str]:
    """The title each artifact has in the target before any suffix (the tenant moved)."""
    return {
        (a["type"], a["id"]): tenant.text(a["title"]) if tenant else a["title"]
        for a in manifest["artifacts"]
    }


def _read(
    session: Session,
    sandbox_id: str,
    manifest: Mapping[str, Any],
    import_titles: Mapping[Key, str],
    pairs: Mapping[str, str],
    new_titles: Iterable[str],
) -> list[TargetObject]:
    """The target objects an import's decisions depend on."""
    titles = {a["title"] for a in manifest["artifacts"]} | set(import_titles.values())
    titles |= set(new_titles)
    codes = {a["id"] for a in manifest["artifacts"] if a["type"] == "ID_NAMESPACE"}
    ids = codes | set(pairs.values())
    return [
        TargetObject(s.type, s.object_id, s.title, s.version, s.modified_date)
        for s in registry_service.states(session, sandbox_id, titles=titles, ids=ids)
    ]


def _in_package(manifest: Mapping[str, Any], pairs: Mapping[str, str]) -> dict[str, str]:
    ids = {a["id"] for a in manifest["artifacts"]}
    return {k: v for k, v in pairs.items() if k in ids}


def decide(
    session: Session,
    types: ArtifactTypes,
    manifest: Mapping[str, Any],
    sandbox: Sandbox,
    ctx: TypeContext,
    *,
    pairs: Mapping[str, str],
    update: bool = False,
    reuse_dependencies: bool = False,
    stamp: int | None = None,
) -> Decisions:
    """Plan an import of ``manifest`` into ``sandbox``. ``pairs``: source id -> target id
    (alternatives, or an update's pairs); ``stamp`` suffixes taken titles (``_<epochMs>``)."""
    stamp = now_ms() if stamp is None else stamp
    tenant = transform.tenant_rewriter(manifest, ctx.tenant)
    pairs = _in_package(manifest, pairs)
    import_titles = _import_titles(manifest, tenant)
    reads = _read(session, sandbox.id, manifest, import_titles, pairs, ())
    titles = {a["title"] for a in manifest["artifacts"]} | set(import_titles.values())
    taken = {(r.type, r.title) for r in reads if r.title in titles}
    manifest_titles = {a["title"] for a in manifest["artifacts"]}
    by_title: dict[Key, str] = {}
    for r in reads:  # oldest first: the first object of a title is the one reused
        if r.title in manifest_titles and (
            reuse_dependencies or (r.type in types and types.get(r.type).reuse_by_title)
        ):
            by_title.setdefault((r.type, r.title), r.id)
    codes = {a["id"] for a in manifest["artifacts"] if a["type"] == "ID_NAMESPACE"}
    plan = make_plan(
        manifest,
        types,
        ctx,
        full=manifest.get("packageType") == PackageType.FULL,
        alternatives=pairs,
        target_titles=by_title,
        target_codes={r.id for r in reads if r.type == "ID_NAMESPACE" and r.id in codes},
        descend_substituted=update,
        reuse_dependencies=reuse_dependencies,
    )
    _rename(plan, manifest, import_titles, taken, stamp)
    new_titles = [s.new_title for s in plan.steps.values() if s.new_title is not None]
    if new_titles:  # normally none exist; read so that one appearing later is noticed
        reads = _read(session, sandbox.id, manifest, import_titles, pairs, new_titles)
    return Decisions(plan, taken, reads, digest(reads))


def _rename(
    plan: Plan,
    manifest: Mapping[str, Any],
    import_titles: Mapping[Key, str],
    taken: set[Key],
    stamp: int,
) -> None:
    """A created object whose title the target has gets ``<title>_<stamp>`` (``_2``, ``_3``
    if that is taken too). An unsuffixed title is not marked taken: objects of the package
    that share a title in the source share it in the target too."""
    used = set(taken)
    for art in manifest["artifacts"]:  # the engine's order: dependencies first
        key = (art["type"], art["id"])
        step = plan.steps[key]
        title = import_titles[key]
        if step.action != "CREATE" or (step.type, title) not in used:
            continue
        suffixed, n = f"{title}_{stamp}", 2
        while (step.type, suffixed) in used:
            suffixed, n = f"{title}_{stamp}_{n}", n + 1
        step.new_title = suffixed
        used.add((step.type, suffixed))


def preview_updates(
    session: Session,
    rt: Runtime,
    version: PackageVersion,
    manifest: Mapping[str, Any],
    sandbox: Sandbox,
    ctx: TypeContext,
    decisions: Decisions,
) -> None:
    """An update: whether each paired object of an updatable type changes (``UPDATE``) or
    is already equal (``NO_CHANGE``), computed as the update job computes it."""
    types = rt.types
    plan = decisions.plan
    paired = {
        k: s
        for k, s in plan.steps.items()
        if s.action == "SUBSTITUTE" and s.target_id and types.get(s.type).supports_update
    }
    if not paired:
        return
    rows = {
        (r.type, r.object_id): r
        for r in registry_service.rows_by_ids(
            session, sandbox.id, [s.target_id for s in paired.values() if s.target_id]
        )
    }
    tenant = transform.tenant_rewriter(manifest, ctx.tenant)
    id_map = plan.id_map()
    for line in snapshot.iter_artifacts(rt.blobs, version):
        key = (line["type"], line["id"])
        step = paired.get(key)
        if step is None or step.target_id is None:
            continue
        row = rows.get((step.type, step.target_id))
        if row is None:
            decisions.updates[key] = (PlanAction.UPDATE, f"{step.target_id} is gone")
            continue
        atype = types.get(step.type)
        new, _refs = transform.updated(
            atype, line["definition"], row, id_map, tenant, ctx, decisions.taken
        )
        if new == row.definition:
            decisions.updates[key] = (PlanAction.NO_CHANGE, f"{row.object_id} is up to date")
            continue
        problems = atype.update_problems(row.definition, new)
        reason = f"the package's definition differs from {row.object_id}'s"
        if problems:
            listed = "; ".join(f"{path}: {why}" for path, why in problems)
            reason = f"refused by the update (unsupported change: {listed})"
        decisions.updates[key] = (PlanAction.UPDATE, reason)


# -- presentation -----------------------------------------------------------------------------
def _shown(
    step: Step, decisions: Decisions, kind: PlanKind, mapped: set[str]
) -> tuple[PlanAction, str]:
    key = (step.type, step.id)
    tgt = step.target_id
    if step.action == "CREATE":
        if step.new_title is not None:
            return PlanAction.RENAME, f"the title '{step.title}' is taken in the target"
        return PlanAction.CREATE, "not in the target"
    if step.action == "REUSE":
        return PlanAction.REUSE, f"the target has a {step.type} titled '{step.title}' ({tgt})"
    if step.action == "EXISTS":
        return PlanAction.EXISTS, f"the target has the identity namespace '{tgt}'"
    if step.action == "SUBSTITUTE":
        if key in decisions.updates:
            return decisions.updates[key]
        if kind == PlanKind.UPDATE and step.id not in mapped:
            return PlanAction.SUBSTITUTE, f"paired with {tgt} by the last import"
        return PlanAction.SUBSTITUTE, f"mapped to {tgt}"
    return PlanAction.SKIP, "needed only by objects that are reused or mapped"


def steps_of(decisions: Decisions, kind: PlanKind, mapped: set[str]) -> list[PlannedStep]:
    """The plan's steps in the package's order (dependencies first)."""
    out = []
    for step in decisions.plan.steps.values():
        action, reason = _shown(step, decisions, kind, mapped)
        out.append(
            PlannedStep(
                action=action,
                type=step.type,
                source_id=step.id,
                title=step.title,
                target_id=step.target_id if step.action != "SKIP" else None,
                new_title=step.new_title,
                reason=reason,
            )
        )
    return out


def preflight_of(
    types: ArtifactTypes,
    principal: Principal,
    package_id: str,
    sandbox: Sandbox,
    steps: list[PlannedStep],
    kind: PlanKind,
) -> Preflight:
    """The permissions what the plan writes needs (checked again when the job runs)."""
    writes = [
        s
        for s in steps
        if s.action in (PlanAction.CREATE, PlanAction.RENAME)
        or (
            kind == PlanKind.UPDATE
            and s.action in (PlanAction.UPDATE, PlanAction.NO_CHANGE)
            and types.get(s.type).supports_update
        )
    ]
    per_type: dict[str, tuple[list[Any], list[Any]]] = {}
    checks = []
    for s in writes:
        if s.type not in per_type:
            needs = import_service.required_permissions(types, s.type)
            per_type[s.type] = (
                needs,
                import_service.missing_permissions(principal, needs, sandbox.name),
            )
        needs, missing = per_type[s.type]
        checks.append(ArtifactPermissions(s.source_id, s.type, needs, missing))
    return Preflight(package_id, sandbox.name, checks)


# -- storage ----------------------------------------------------------------------------------
# A stored step: [type, id, title, action, target_id, new_title, parent_type, parent_id,
# shown action, reason].
def _step_row(step: Step, shown: PlannedStep) -> list[Any]:
    parent = step.parent or (None, None)
    return [
        step.type,
        step.id,
        step.title,
        step.action,
        step.target_id,
        step.new_title,
        parent[0],
        parent[1],
        shown.action,
        shown.reason,
    ]


def store(
    session: Session,
    principal: Principal,
    decisions: Decisions,
    steps: list[PlannedStep],
    *,
    kind: PlanKind,
    sandbox: Sandbox,
    source_name: str,
    request: dict[str, Any],
    pairs: Mapping[str, str],
    stamp: int,
    package: Package | None = None,
    version: PackageVersion | None = None,
    source_reads: list[list[Any]] | None = None,
) -> StoredPlan:
    now = now_ms()
    repository.delete_expired_plans(session, now - FORGET_AFTER_MS)
    row = StoredPlan(
        id=hex32(),
        org_id=principal.org_id,
        kind=kind,
        package_id=package.id if package else None,
        package_version=version.package_version if version else None,
        snapshot_id=version.snapshot_id if version else None,
        sandbox_id=sandbox.id,
        target_name=sandbox.name,
        source_name=source_name,
        request=request,
        pairs=dict(pairs),
        steps=[_step_row(s, p) for s, p in zip(decisions.plan.steps.values(), steps, strict=True)],
        reads=[r.row() for r in decisions.reads],
        digest=decisions.digest,
        source_reads=source_reads or [],
        stamp=stamp,
        created_by=principal.user_id,
        created_date=now,
        expiry=now + PLAN_TTL_MS,
    )
    session.add(row)
    session.flush()
    return row


def plan_of(row: StoredPlan, preflight: Preflight) -> ImportPlan:
    """The stored plan as the API shows it."""
    return ImportPlan(
        id=row.id,
        kind=PlanKind(row.kind),
        org_id=row.org_id,
        package_id=row.package_id,
        package_version=row.package_version,
        snapshot_id=row.snapshot_id,
        source_sandbox=row.source_name,
        target_sandbox=row.target_name,
        steps=[
            PlannedStep(
                action=PlanAction(s[8]),
                type=s[0],
                source_id=s[1],
                title=s[2],
                target_id=s[4] if s[3] != "SKIP" else None,
                new_title=s[5],
                reason=s[9],
            )
            for s in row.steps
        ],
        preflight=preflight,
        target_state_hash=row.digest,
        target_objects=[TargetObject(*r) for r in row.reads],
        created_date=row.created_date,
        expiry=row.expiry,
        roots=[(a["type"], a["id"]) for a in row.request.get("artifacts", [])],
    )


# -- the plan service -------------------------------------------------------------------------
def plan_import(
    session: Session,
    rt: Runtime,
    principal: Principal,
    package_id: str,
    destination: str,
    alternatives: Mapping[str, Alternative] | None = None,
    *,
    update: bool = False,
    package_version: int | None = None,
) -> ImportPlan:
    """Plan an import (or, with ``update``, an update) of a published package into
    ``destination``, without writing to it; the plan is stored for an apply to refer to.
    ``alternatives`` are the import's alternatives (the update's ``overwriteMappings``);
    ``package_version`` plans an earlier version than the latest."""
    from sandbox_tooling.version import service as version_service

    field = "overwriteMappings" if update else "alternatives"
    pkg = package_service.require(session, principal, package_id)
    version = package_service.published_version(session, pkg)
    if package_version is not None and package_version != version.package_version:
        version = version_service.version_row(session, pkg, package_version)
    sandbox = import_service.target_sandbox(
        session, principal, destination, "destinationSandbox.name"
    )
    principal.require("Package", "view", sandbox.name)
    if alternatives and not update and pkg.package_type == PackageType.FULL:
        raise InvalidMapping("alternatives: a FULL package creates every object anew")
    if update:
        version_service.require_versionable(rt.types, pkg)
    checked = import_service.check_mappings(
        session, rt, version, sandbox, dict(alternatives or {}), field
    )
    mapped = {k: v["id"] for k, v in checked.items()}
    pairs = (
        {**version_service.last_pairs(session, pkg.org_id, pkg.id, sandbox.name), **mapped}
        if update
        else mapped
    )
    kind = PlanKind.UPDATE if update else PlanKind.IMPORT
    manifest = snapshot.read_manifest(rt.blobs, version)
    ctx = TypeContext(org_id=principal.org_id, tenant=principal.org.tenant_id)
    stamp = now_ms()
    decisions = decide(
        session, rt.types, manifest, sandbox, ctx, pairs=pairs, update=update, stamp=stamp
    )
    if update:
        preview_updates(session, rt, version, manifest, sandbox, ctx, decisions)
    steps = steps_of(decisions, kind, set(mapped))
    row = store(
        session,
        principal,
        decisions,
        steps,
        kind=kind,
        sandbox=sandbox,
        source_name=pkg.source_sandbox_name,
        request={
            field: checked,
            "artifacts": [{"id": a["id"], "type": a["type"]} for a in manifest["rootArtifacts"]],
        },
        pairs=pairs,
        stamp=stamp,
        package=pkg,
        version=version,
    )
    preflight = preflight_of(rt.types, principal, pkg.id, sandbox, steps, kind)
    return plan_of(row, preflight)


def plan_for_apply(
    session: Session,
    principal: Principal,
    plan_id: str,
    *,
    kind: PlanKind,
    package_id: str | None,
    target: str,
    mappings: Mapping[str, Mapping[str, str]] | None,
    field: str,
) -> StoredPlan:
    """The stored plan an import (update, express copy) names in ``planId``: of the caller's
    org, of this kind, package and target, with the same mappings if any are sent, and not
    expired."""
    row = repository.get_plan(session, plan_id)
    if row is None or row.org_id != principal.org_id:
        raise PlanNotFound(plan_id)
    if row.kind != kind:
        raise PlanMismatch(f"planId: plan {plan_id} is an {row.kind} plan, not an {kind} plan")
    if package_id is not None and row.package_id != package_id:
        raise PlanMismatch(f"planId: plan {plan_id} is for package {row.package_id}")
    if row.target_name != target:
        raise PlanMismatch(
            f"destinationSandbox.name: plan {plan_id} is for sandbox '{row.target_name}'"
        )
    if mappings is not None:
        planned = row.request.get(field, {})
        if {k: dict(v) for k, v in mappings.items()} != planned:
            raise PlanMismatch(f"{field}: differ from the plan's (send none, or the same)")
    if row.expiry < now_ms():
        raise PlanExpired(f"planId: plan {plan_id} expired at {row.expiry}; plan again")
    return row


# -- replaying a stored plan in the import job ------------------------------------------------
def _drift_failure(drifted: list[DriftedObject]) -> JobFailed:
    listed = ", ".join(f"{d.type} '{d.id}' ({d.change})" for d in drifted[:20])
    more = f" and {len(drifted) - 20} more" if len(drifted) > 20 else ""
    sandboxes = sorted({d.sandbox for d in drifted})
    where = "target" if len(sandboxes) == 1 else "source and target"
    result = job_service.empty_result()
    result["driftedObjects"] = [d.row() for d in drifted]
    noun = "object" if len(drifted) == 1 else "objects"
    return JobFailed(
        f"{where} changed since the plan: {len(drifted)} {noun}: {listed}{more}; "
        "nothing was imported (plan again)",
        result,
    )


def diff(sandbox: str, then: Iterable[list[Any]], now: Iterable[list[Any]]) -> list[DriftedObject]:
    """Objects added, removed or modified between two reads (rows ``[type, id, title, …]``)."""
    old = {(r[0], r[1]): r for r in then}
    new = {(r[0], r[1]): r for r in now}
    out = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        change = "added" if a is None else "removed" if b is None else "modified"
        title = (b or a or [None, None, ""])[2]
        out.append(DriftedObject(sandbox, key[0], key[1], str(title), change))
    return out


def source_reads_of(rt: Runtime, version: PackageVersion) -> list[list[Any]]:
    """``[type, id, title, version]`` of every object of a snapshot."""
    return [
        [line["type"], line["id"], line["title"], line.get("version", 0)]
        for line in snapshot.iter_artifacts(rt.blobs, version)
    ]


def replay(
    session: Session,
    rt: Runtime,
    job: Job,
    version: PackageVersion,
    manifest: Mapping[str, Any],
    sandbox: Sandbox,
    ctx: TypeContext,
) -> Decisions:
    """The import job's plan when it was given one: the stored decisions, once the target
    objects the plan read are found unchanged (in the job's transaction, the target
    locked). Refuses (``JobFailed`` with ``driftedObjects``) naming each that changed."""
    plan_id = job.params["planId"]
    row = repository.get_plan(session, plan_id)
    if row is None:
        raise JobFailed(
            f"the plan {plan_id} no longer exists (plans are kept a day after they expire)",
            job_service.empty_result(),
        )
    drifted: list[DriftedObject] = []
    if row.kind == PlanKind.EXPRESS:
        drifted += diff(row.source_name, row.source_reads, source_reads_of(rt, version))
    if row.sandbox_id != sandbox.id:
        drifted += [DriftedObject(sandbox.name, "SANDBOX", sandbox.name, sandbox.title, "replaced")]
    plan = Plan()
    for s in row.steps:
        parent = (s[6], s[7]) if s[6] is not None else None
        plan.steps[(s[0], s[1])] = Step(
            s[0], s[1], s[2], action=s[3], target_id=s[4], parent=parent, new_title=s[5]
        )
    if manifest.get("packageType") == PackageType.FULL:
        plan.roots = list(plan.steps)
    else:
        plan.roots = [(a["type"], a["id"]) for a in manifest["rootArtifacts"]]
    tenant = transform.tenant_rewriter(manifest, ctx.tenant)
    import_titles = _import_titles(manifest, tenant)
    pairs = _in_package(manifest, row.pairs)
    new_titles = [s[5] for s in row.steps if s[5] is not None]
    reads = _read(session, sandbox.id, manifest, import_titles, pairs, new_titles)
    drifted += diff(sandbox.name, row.reads, [r.row() for r in reads])
    if drifted:
        raise _drift_failure(drifted)
    titles = {a["title"] for a in manifest["artifacts"]} | set(import_titles.values())
    taken = {(r.type, r.title) for r in reads if r.title in titles}
    return Decisions(plan, taken, reads, digest(reads))


def planned_counts(plan: Plan) -> dict[str, int]:
    """Per type, the artifacts the import works on (all but ``SKIP``): a progress total."""
    counts: Counter[str] = Counter(s.type for s in plan.steps.values() if s.action != "SKIP")
    return dict(counts)
