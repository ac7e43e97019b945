"""The import engine: what the import (IMPORT/NEW) and update (IMPORT/UPDATE) jobs do.

An import runs in one write transaction on the target: it plans from the snapshot manifest,
checks the submitter's permissions, then streams the snapshot's artifacts (dependencies
first) and inserts the new objects in batches. Any failure rolls the transaction back, so the
target is exactly as it was; the job then records which artifact failed and why. Imports into
one target are serialized by a row lock on the sandbox (PostgreSQL) or by SQLite's single
writer. An update is the same run with the package's earlier pairs as alternatives, except
that paired objects of updatable types are overwritten (and their dependencies visited).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.spec import Reference, TypeContext
from sandbox_tooling.errors import AppError
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.importer import planning, transform
from sandbox_tooling.importer.errors import SnapshotGone, TargetSandboxGone
from sandbox_tooling.importer.plan import Action, Key, Plan, Step
from sandbox_tooling.importer.service import missing_permissions, parent_id, required_permissions
from sandbox_tooling.job import service as job_service
from sandbox_tooling.job.handlers import JobFailed, JobRun
from sandbox_tooling.kit import failpoints
from sandbox_tooling.kit.clock import now_ms
from sandbox_tooling.models import Job, PackageVersion, Sandbox
from sandbox_tooling.models.enums import TaskStatus
from sandbox_tooling.package import service as package_service
from sandbox_tooling.package import snapshot
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.registry.service import ObjectRow
from sandbox_tooling.sandbox import service as sandbox_service

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime

BATCH = 1_000
ACTIONS: tuple[Action, ...] = ("CREATE", "REUSE", "SUBSTITUTE", "EXISTS", "SKIP")
STATUS_OF = {
    "CREATE": TaskStatus.CREATED,
    "REUSE": TaskStatus.OBJECT_REUSED,
    "SUBSTITUTE": TaskStatus.OBJECT_EXISTS,
    "EXISTS": TaskStatus.OBJECT_EXISTS,
}
task = job_service.task


def failed_result(failed: list[job_service.Task]) -> dict[str, Any]:
    result = job_service.empty_result()
    result["failedTasks"] = failed
    return result


def lock_target(session: Session, org_id: str, name: str) -> Sandbox:
    """The live target sandbox, locked for the rest of the transaction."""
    sandbox = sandbox_service.lock_live(session, org_id, name)
    if sandbox is None:
        raise TargetSandboxGone(f"target sandbox '{name}' no longer exists")
    return sandbox


def run_import(
    session: Session,
    rt: Runtime,
    run: JobRun,
    *,
    update: bool,
    pairs: Callable[[Session, Job, Sandbox], dict[str, str]],
) -> None:
    """Carry out an import or update job in ``session`` (one transaction): plan, check the
    submitter's permissions, write; the job succeeds in the same transaction. ``pairs``
    gives the source id -> target id substitutions (alternatives, or an update's pairs).

    A job given a stored plan (``params.planId``) executes that plan's decisions once the
    target objects it read are found unchanged, else fails naming them (``planning.replay``).
    ``params.reuseDependencies``: dependencies the target has are reused (express copy)."""
    job = job_service.require_running(session, run.job_id)
    version = package_service.version_by_snapshot(session, job.snapshot_id)
    if version is None:
        raise SnapshotGone(
            f"the snapshot {job.snapshot_id} of package {job.package_id} is gone "
            "(the package was deleted)"
        )
    sandbox = lock_target(session, job.org_id, (job.destination_sandbox or {})["name"])
    principal = identity_service.principal_for(session, job.org_id, job.created_by)
    type_ctx = TypeContext(org_id=job.org_id, tenant=principal.org.tenant_id)
    engine = ImportRun(rt, run, session, job, version, sandbox, type_ctx, update=update)
    engine.principal = principal
    if job.params.get("planId"):
        decisions = planning.replay(session, rt, job, version, engine.manifest, sandbox, type_ctx)
    else:
        decisions = planning.decide(
            session,
            rt.types,
            engine.manifest,
            sandbox,
            type_ctx,
            pairs=pairs(session, job, sandbox),
            update=update,
            reuse_dependencies=bool(job.params.get("reuseDependencies")),
            stamp=engine.stamp,
        )
    engine.use(decisions)
    engine.check_permissions()
    engine.execute()
    job_service.succeed(job, engine.result())


class ImportRun:
    principal: identity_service.Principal

    def __init__(
        self,
        rt: Runtime,
        run: JobRun,
        session: Session,
        job: Job,
        version: PackageVersion,
        sandbox: Sandbox,
        type_ctx: TypeContext,
        *,
        update: bool,
    ) -> None:
        self.rt, self.session, self.job, self.version = rt, session, job, version
        self.sandbox, self.type_ctx, self.update = sandbox, type_ctx, update
        self.types = rt.types
        self.manifest = snapshot.read_manifest(rt.blobs, version)
        # Another org's package: its XDM content moves to this org's tenant.
        self.tenant = transform.tenant_rewriter(self.manifest, type_ctx.tenant)
        self.stamp = now_ms()
        self.run = run
        self.completed = run.progress.completed
        self.failed = run.progress.failed
        self.plan = Plan()
        self.id_map: dict[Key, str] = {}
        self.known_targets: set[Key] = set()
        self.taken: set[Key] = set()
        self.parents: dict[str, str] = {}
        self.created: list[tuple[str, str]] = []
        self.updated: list[tuple[str, str]] = []
        # References to objects outside the package: they must exist in the target.
        self.pending_refs: list[tuple[Step, Reference]] = []
        # Update mode: the paired objects, and the overwrites waiting for the next flush.
        self.targets: dict[Key, ObjectRow] = {}
        self.overwrites: list[tuple[Step, ObjectRow, registry_service.Prepared]] = []

    # -- planning -------------------------------------------------------------------------
    def use(self, decisions: planning.Decisions) -> None:
        """Take the planner's decisions (``importer/planning.py``)."""
        self.plan = decisions.plan
        self.taken = set(decisions.taken)
        self.id_map = self.plan.id_map()
        self.known_targets = {(k[0], tgt) for k, tgt in self.id_map.items()}
        self.run.progress.planned = planning.planned_counts(self.plan)
        if self.update:
            paired = [s.target_id for s in self.plan.steps.values() if s.action == "SUBSTITUTE"]
            self.targets = {
                (r.type, r.object_id): r
                for r in registry_service.rows_by_ids(
                    self.session, self.sandbox.id, [p for p in paired if p]
                )
            }

    def _overwritable(self, step: Step) -> bool:
        return (
            self.update
            and step.action == "SUBSTITUTE"
            and self.types.get(step.type).supports_update
        )

    def check_permissions(self) -> None:
        """The preflight, enforced: every object to create or overwrite needs its type's
        permissions."""
        writes = [
            s for s in self.plan.steps.values() if s.action == "CREATE" or self._overwritable(s)
        ]
        missing_by_type: dict[str, list[str]] = {}
        for type_name in sorted({s.type for s in writes}):
            needs = required_permissions(self.types, type_name)
            missing = missing_permissions(self.principal, needs, self.sandbox.name)
            if missing:
                missing_by_type[type_name] = [p.label() for p in missing]
        if not missing_by_type:
            return
        failed = [
            task(
                TaskStatus.FAILED,
                s.type,
                s.id,
                s.title,
                None,
                failed=True,
                message=f"user {self.principal.user_id} lacks "
                f"{', '.join(missing_by_type[s.type])} in sandbox '{self.sandbox.name}'",
            )
            for s in writes
            if s.type in missing_by_type
        ]
        summary = ", ".join(f"{t} needs {', '.join(m)}" for t, m in missing_by_type.items())
        raise JobFailed(f"missing permissions: {summary}", failed_result(failed))

    # -- execution ------------------------------------------------------------------------
    def execute(self) -> None:
        roots = set(self.plan.roots)
        source = self.manifest["sourceSandbox"]["name"]
        src_org = self.manifest["imsOrgId"]
        self.parents = {
            k[1]: parent_id(src_org, source, s.parent[0], s.parent[1])
            for k, s in self.plan.steps.items()
            if s.parent is not None and k not in roots
        }
        standard_seen: set[Key] = set()
        batch: list[tuple[Step, registry_service.Prepared]] = []
        for line in snapshot.iter_artifacts(self.rt.blobs, self.version):
            step = self.plan.steps.get((line["type"], line["id"]))
            if step is None or step.action == "SKIP":
                continue
            if self._overwritable(step):
                self._guarded(step, self._overwrite, line["definition"])
                continue
            if step.action != "CREATE":
                self.completed.append(
                    task(STATUS_OF[step.action], step.type, step.id, step.title, step.target_id)
                )
                continue
            prepared = self._guarded(step, self._prepare, line["definition"])
            for ref in prepared.references:
                key = (ref.type, ref.id)
                if ref.standard and ref.type == "ID_NAMESPACE" and key not in standard_seen:
                    standard_seen.add(key)
                    self.completed.append(
                        task(TaskStatus.NO_CHANGE, ref.type, ref.id, ref.id, ref.id)
                    )
            batch.append((step, prepared))
            if len(batch) + len(self.overwrites) >= BATCH:
                self._flush(batch)
                batch = []
        self._flush(batch)
        expected = self.plan.count("CREATE")
        if len(self.created) != expected:
            raise JobFailed(
                f"the snapshot holds {len(self.created)} of the {expected} objects to create",
                failed_result([]),
            )

    def _guarded(self, step: Step, work: Any, definition: dict[str, Any]) -> Any:
        """Run ``work``; any failure fails the whole job, naming this artifact."""
        try:
            return work(step, definition)
        except JobFailed:
            raise
        except AppError as exc:
            self._fail_artifact(step, exc.detail)
        except Exception as exc:
            self._fail_artifact(step, f"{type(exc).__name__}: {exc}")

    def _prepare(self, step: Step, definition: dict[str, Any]) -> registry_service.Prepared:
        atype = self.types.get(step.type)
        assert step.target_id is not None
        new, refs = transform.rewrite(
            atype,
            atype.import_rules(definition),
            step.target_id,
            self.id_map,
            self.tenant,
            self.type_ctx,
        )
        title = atype.title(new, step.target_id)
        if step.new_title is not None:  # the plan's title (its own was taken)
            if step.new_title != title:
                new = atype.retitle(new, step.new_title)
            self.taken.add((step.type, step.new_title))
        elif (step.type, title) in self.taken:
            suffixed, n = f"{title}_{self.stamp}", 2
            while (step.type, suffixed) in self.taken:
                suffixed, n = f"{title}_{self.stamp}_{n}", n + 1
            new = atype.retitle(new, suffixed)
            self.taken.add((step.type, suffixed))
        # An unsuffixed title is not marked taken: objects of the package that share a title
        # in the source (the XDM library has such pairs) share it in the target too.
        prepared = registry_service.prepare(
            atype, new, self.type_ctx, object_id=step.target_id, references=refs
        )
        self._note_outside_refs(step, prepared)
        return prepared

    def _overwrite(self, step: Step, definition: dict[str, Any]) -> None:
        """Update mode: the new definition of a paired object, if anything changes."""
        atype = self.types.get(step.type)
        assert step.target_id is not None
        row = self.targets.get((step.type, step.target_id))
        if row is None:
            self._fail_artifact(
                step,
                f"{step.type} '{step.target_id}' is no longer in sandbox '{self.sandbox.name}'",
            )
        new, refs = transform.updated(
            atype, definition, row, self.id_map, self.tenant, self.type_ctx, self.taken
        )
        if new == row.definition:  # most paired objects: nothing to validate or write
            self.completed.append(
                task(
                    TaskStatus.NO_CHANGE,
                    step.type,
                    step.id,
                    step.title,
                    row.object_id,
                    message=f"{step.type} {row.object_id} is up to date",
                )
            )
            return
        prepared = registry_service.prepare(
            atype, new, self.type_ctx, object_id=row.object_id, references=refs
        )
        problems = atype.update_problems(row.definition, prepared.definition)
        if problems:
            listed = "; ".join(f"{path}: {why}" for path, why in problems)
            self._fail_artifact(
                step, f"unsupported change to {step.type} '{row.object_id}': {listed}"
            )
        self._note_outside_refs(step, prepared)
        self.overwrites.append((step, row, prepared))

    def _note_outside_refs(self, step: Step, prepared: registry_service.Prepared) -> None:
        self.pending_refs.extend(
            (step, r)
            for r in prepared.references
            if not r.standard and (r.type, r.id) not in self.known_targets
        )

    def _flush(self, batch: list[tuple[Step, registry_service.Prepared]]) -> None:
        if self.pending_refs:
            present = registry_service.types_of_ids(
                self.session, self.sandbox.id, {r.id for _s, r in self.pending_refs}
            )
            for step, ref in self.pending_refs:
                if (ref.type, ref.id) not in present:
                    self._fail_artifact(
                        step,
                        f"{ref.type} '{ref.id}' is neither in the package "
                        f"nor in sandbox '{self.sandbox.name}'",
                    )
            self.pending_refs = []
        actor = self.job.created_by
        try:
            failpoints.hit("import.batch")
            if batch:
                registry_service.insert_prepared(
                    self.session, self.sandbox, [p for _s, p in batch], actor
                )
            if self.overwrites:
                registry_service.overwrite_prepared(
                    self.session,
                    self.sandbox,
                    [(row.pk, p) for _s, row, p in self.overwrites],
                    actor,
                )
        except (OperationalError, JobFailed):
            raise  # retriable (lock timeout, lost connection), or already described
        except Exception as exc:
            steps = [s for s, _p in batch] + [s for s, _r, _p in self.overwrites]
            self._fail_steps(steps, f"storage error: {type(exc).__name__}: {exc}")
        for step, p in batch:
            try:
                failpoints.hit("import.artifact")
            except failpoints.FailpointError as exc:
                self._fail_artifact(step, str(exc))
            self.created.append((p.type.name, p.object_id))
            self.completed.append(
                task(TaskStatus.CREATED, step.type, step.id, step.title, p.object_id)
            )
        for step, row, _p in self.overwrites:
            self.updated.append((row.type, row.object_id))
            self.completed.append(
                task(TaskStatus.UPDATED, step.type, step.id, step.title, row.object_id)
            )
        self.overwrites = []

    def _fail_artifact(self, step: Step, reason: str) -> NoReturn:
        self._fail_steps([step], reason)

    def _fail_steps(self, steps: list[Step], reason: str) -> NoReturn:
        failed = [
            task(TaskStatus.FAILED, s.type, s.id, s.title, None, failed=True, message=reason)
            for s in steps
        ]
        self.failed.extend(failed)
        what = f"{steps[0].type} '{steps[0].id}'" if len(steps) == 1 else f"{len(steps)} artifacts"
        raise JobFailed(
            f"{what} could not be imported: {reason}; nothing was imported",
            failed_result(failed),
        )

    def result(self) -> dict[str, Any]:
        summary = {a.lower(): self.plan.count(a) for a in ACTIONS}
        if self.update:
            summary["update"] = len(self.updated)
        return {
            "completedTasks": self.completed,
            "failedTasks": [],
            "importReplacementMap": {
                k[1]: v for k, v in self.id_map.items() if self.plan.steps[k].action != "SKIP"
            },
            "sourceParentArtifactMap": self.parents,
            "createdObjects": self.created,
            "updatedObjects": self.updated,
            "summary": summary,
        }
