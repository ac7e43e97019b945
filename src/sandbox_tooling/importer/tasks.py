"""The import (IMPORT/NEW) and rollback (IMPORT/ROLLBACK) jobs.

An import runs in one write transaction on the target: it plans from the snapshot manifest,
checks the submitter's permissions, then streams the snapshot's artifacts (dependencies
first) and inserts the new objects in batches. Any failure rolls the transaction back, so the
target is exactly as it was; the job then records which artifact failed and why. Imports into
one target are serialized by a row lock on the sandbox (PostgreSQL) or by SQLite's single
writer.
"""

from __future__ import annotations

from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.spec import Reference, TypeContext
from sandbox_tooling.errors import AppError, Conflict
from sandbox_tooling.identity import service as identity_service
from sandbox_tooling.importer import service as import_service
from sandbox_tooling.importer.plan import Action, Key, Plan, Step, make_plan
from sandbox_tooling.job import handlers
from sandbox_tooling.job import repository as job_repository
from sandbox_tooling.job import service as job_service
from sandbox_tooling.job.repository import IN_PROGRESS
from sandbox_tooling.kit import failpoints
from sandbox_tooling.kit.clock import now_ms
from sandbox_tooling.models import Job, PackageVersion, Sandbox
from sandbox_tooling.package import snapshot
from sandbox_tooling.registry import repository as registry_repository
from sandbox_tooling.registry import service as registry_service

BATCH = 1_000
ACTIONS: tuple[Action, ...] = ("CREATE", "REUSE", "SUBSTITUTE", "EXISTS", "SKIP")

STATUS_OF = {
    "CREATE": "CREATED",
    "REUSE": "OBJECT_REUSED",
    "SUBSTITUTE": "OBJECT_EXISTS",
    "EXISTS": "OBJECT_EXISTS",
}
task = job_service.task


def failed_result(failed: list[job_service.Task]) -> dict[str, Any]:
    result = job_service.empty_result()
    result["failedTasks"] = failed
    return result


def load_job(session: Session, job_id: str) -> Job:
    job = job_repository.get(session, job_id)
    if job is None or job.status != IN_PROGRESS:
        raise Conflict(f"job {job_id} is no longer in progress")
    return job


def lock_target(session: Session, org_id: str, name: str) -> Sandbox:
    """The live target sandbox, locked for the rest of the transaction on PostgreSQL."""
    stmt = select(Sandbox).where(
        Sandbox.org_id == org_id, Sandbox.name == name, Sandbox.state != "deleted"
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    sandbox = session.scalars(stmt).first()
    if sandbox is None:
        raise Conflict(f"target sandbox '{name}' no longer exists")
    return sandbox


@handlers.register("IMPORT", "NEW")
class ImportPackage:
    def run(self, ctx: handlers.JobContext) -> None:
        with ctx.db.transaction() as session:
            job = load_job(session, ctx.job_id)
            version = session.scalars(
                select(PackageVersion).where(PackageVersion.snapshot_id == job.snapshot_id)
            ).first()
            if version is None:
                raise Conflict(
                    f"the snapshot {job.snapshot_id} of package {job.package_id} "
                    "is gone (the package was deleted)"
                )
            dest = (job.destination_sandbox or {})["name"]
            sandbox = lock_target(session, job.org_id, dest)
            principal = identity_service.principal_for(session, job.org_id, job.created_by)
            type_ctx = TypeContext(org_id=job.org_id, tenant=principal.org.tenant_id)
            run = _ImportRun(ctx, session, job, version, sandbox, type_ctx)
            run.plan_import(
                alternatives={k: v["id"] for k, v in job.params.get("alternatives", {}).items()}
            )
            run.check_permissions(principal)
            run.execute()
            job_service.succeed(job, run.result())

    def on_failure(self, session: Session, job: Job, reason: str) -> None:
        """Nothing to undo: the import's transaction was rolled back."""


class _ImportRun:
    def __init__(
        self,
        ctx: handlers.JobContext,
        session: Session,
        job: Job,
        version: PackageVersion,
        sandbox: Sandbox,
        type_ctx: TypeContext,
    ) -> None:
        self.ctx, self.session, self.job, self.version = ctx, session, job, version
        self.sandbox, self.type_ctx = sandbox, type_ctx
        self.registry = ctx.registry
        self.manifest = snapshot.read_manifest(ctx.blobs, version)
        self.full = self.manifest.get("packageType") == "FULL"
        self.stamp = now_ms()
        self.completed = ctx.progress.completed
        self.failed = ctx.progress.failed
        self.plan = Plan()
        self.id_map: dict[Key, str] = {}
        self.known_targets: set[Key] = set()
        self.taken: set[Key] = set()
        self.parents: dict[str, str] = {}
        self.created: list[tuple[str, str]] = []
        # References to objects outside the package: they must exist in the target.
        self.pending_refs: list[tuple[Step, Reference]] = []

    # -- planning -------------------------------------------------------------------------
    def plan_import(self, alternatives: dict[str, str]) -> None:
        artifacts = self.manifest["artifacts"]
        reuse_types = {t.name for t in self.registry.all() if t.reuse_by_title}
        titles = {a["title"] for a in artifacts}
        target_titles: dict[Key, str] = {}
        for type_name, object_id, title in registry_repository.with_titles(
            self.session, self.sandbox.id, titles
        ):
            self.taken.add((type_name, title))
            if type_name in reuse_types:
                target_titles.setdefault((type_name, title), object_id)
        codes = {a["id"] for a in artifacts if a["type"] == "ID_NAMESPACE"}
        existing = registry_repository.types_of_ids(self.session, self.sandbox.id, codes)
        target_codes = {i for t, i in existing if t == "ID_NAMESPACE"}
        self.plan = make_plan(
            self.manifest,
            self.registry,
            self.type_ctx,
            full=self.full,
            alternatives=alternatives,
            target_titles=target_titles,
            target_codes=target_codes,
        )
        self.id_map = self.plan.id_map()
        self.known_targets = {(k[0], tgt) for k, tgt in self.id_map.items()}

    def check_permissions(self, principal: identity_service.Principal) -> None:
        """The preflight, enforced: every object to create needs its type's permissions."""
        missing_by_type: dict[str, list[str]] = {}
        for type_name in sorted({s.type for s in self.plan.steps.values() if s.action == "CREATE"}):
            needs = import_service.required(self.registry, type_name)
            missing = import_service.missing_permissions(principal, needs, self.sandbox.name)
            if missing:
                missing_by_type[type_name] = [p.label() for p in missing]
        if not missing_by_type:
            return
        failed = [
            task(
                "FAILED",
                s.type,
                s.id,
                s.title,
                None,
                failed=True,
                message=f"user {principal.user_id} lacks {', '.join(missing_by_type[s.type])} "
                f"in sandbox '{self.sandbox.name}'",
            )
            for s in self.plan.steps.values()
            if s.action == "CREATE" and s.type in missing_by_type
        ]
        summary = ", ".join(f"{t} needs {', '.join(m)}" for t, m in missing_by_type.items())
        raise handlers.JobFailed(f"missing permissions: {summary}", failed_result(failed))

    # -- execution ------------------------------------------------------------------------
    def execute(self) -> None:
        roots = set(self.plan.roots)
        source = self.manifest["sourceSandbox"]["name"]
        src_org = self.manifest["imsOrgId"]
        self.parents = {
            k[1]: import_service.parent_id(src_org, source, s.parent[0], s.parent[1])
            for k, s in self.plan.steps.items()
            if s.parent is not None and k not in roots
        }
        standard_seen: set[Key] = set()
        batch: list[tuple[Step, registry_service.Prepared]] = []
        for line in snapshot.iter_artifacts(self.ctx.blobs, self.version):
            key = (line["type"], line["id"])
            step = self.plan.steps.get(key)
            if step is None or step.action == "SKIP":
                continue
            if step.action != "CREATE":
                self.completed.append(
                    task(STATUS_OF[step.action], step.type, step.id, step.title, step.target_id)
                )
                continue
            try:
                prepared, standard = self._prepare(step, line["definition"])
            except AppError as exc:
                self._fail_artifact(step, exc.detail)
            except Exception as exc:
                self._fail_artifact(step, f"{type(exc).__name__}: {exc}")
            for ref in standard:
                if ref.type == "ID_NAMESPACE" and (ref.type, ref.id) not in standard_seen:
                    standard_seen.add((ref.type, ref.id))
                    self.completed.append(task("NO_CHANGE", "ID_NAMESPACE", ref.id, ref.id, ref.id))
            batch.append((step, prepared))
            if len(batch) >= BATCH:
                self._flush(batch)
                batch = []
        if batch:
            self._flush(batch)
        expected = self.plan.count("CREATE")
        if len(self.created) != expected:
            raise handlers.JobFailed(
                f"the snapshot holds {len(self.created)} of the {expected} objects to create",
                failed_result([]),
            )

    def _prepare(
        self, step: Step, definition: dict[str, Any]
    ) -> tuple[registry_service.Prepared, list[Reference]]:
        atype = self.registry.get(step.type)
        assert step.target_id is not None
        new, refs = atype.rewrite_with_refs(definition, self.id_map)
        new = atype.import_rules(new)
        new = atype.with_id(new, step.target_id, self.type_ctx)
        title = atype.title(new, step.target_id)
        if (step.type, title) in self.taken:
            suffixed = f"{title}_{self.stamp}"
            n = 2
            while (step.type, suffixed) in self.taken:
                suffixed, n = f"{title}_{self.stamp}_{n}", n + 1
            new = atype.retitle(new, suffixed)
        prepared = registry_service.prepare(
            atype, new, self.type_ctx, object_id=step.target_id, references=refs
        )
        self.taken.add((step.type, prepared.title))
        self.pending_refs.extend(
            (step, r)
            for r in prepared.references
            if not r.standard and (r.type, r.id) not in self.known_targets
        )
        return prepared, [r for r in prepared.references if r.standard]

    def _flush(self, batch: list[tuple[Step, registry_service.Prepared]]) -> None:
        if self.pending_refs:
            present = registry_repository.types_of_ids(
                self.session, self.sandbox.id, {r.id for _s, r in self.pending_refs}
            )
            for step, ref in self.pending_refs:
                if (ref.type, ref.id) not in present:
                    self._fail_artifact(
                        step,
                        f"{ref.type} '{ref.id}' is neither in the package nor in sandbox "
                        f"'{self.sandbox.name}'",
                    )
            self.pending_refs = []
        try:
            failpoints.hit("import.batch")
            registry_service.insert_prepared(
                self.session, self.sandbox, [p for _s, p in batch], self.job.created_by
            )
        except (OperationalError, handlers.JobFailed):
            raise  # retriable (lock timeout, lost connection), or already described
        except Exception as exc:
            self._fail_steps([s for s, _p in batch], f"storage error: {type(exc).__name__}: {exc}")
        for step, p in batch:
            try:
                failpoints.hit("import.artifact")
            except failpoints.FailpointError as exc:
                self._fail_artifact(step, str(exc))
            self.created.append((p.type.name, p.object_id))
            self.completed.append(task("CREATED", step.type, step.id, step.title, p.object_id))

    def _fail_artifact(self, step: Step, reason: str) -> NoReturn:
        self._fail_steps([step], reason)

    def _fail_steps(self, steps: list[Step], reason: str) -> NoReturn:
        failed = [
            task("FAILED", s.type, s.id, s.title, None, failed=True, message=reason) for s in steps
        ]
        self.failed.extend(failed)
        what = f"{steps[0].type} '{steps[0].id}'" if len(steps) == 1 else f"{len(steps)} artifacts"
        raise handlers.JobFailed(
            f"{what} could not be imported: {reason}; nothing was imported",
            failed_result(failed),
        )

    def result(self) -> dict[str, Any]:
        return {
            "completedTasks": self.completed,
            "failedTasks": [],
            "importReplacementMap": {
                k[1]: v for k, v in self.id_map.items() if self.plan.steps[k].action != "SKIP"
            },
            "sourceParentArtifactMap": self.parents,
            "createdObjects": self.created,
            "summary": {a.lower(): self.plan.count(a) for a in ACTIONS},
        }


@handlers.register("IMPORT", "ROLLBACK")
class RollbackImport:
    def run(self, ctx: handlers.JobContext) -> None:
        with ctx.db.transaction() as session:
            job = load_job(session, ctx.job_id)
            import_job = job_repository.get(session, job.params["importJobId"])
            if import_job is None or import_job.result.get("rolledBackBy"):
                raise Conflict("the import was already rolled back or no longer exists")
            sandbox = lock_target(session, job.org_id, (job.destination_sandbox or {})["name"])
            present, blockers = import_service.rollback_blockers(session, sandbox, import_job)
            if blockers:
                raise import_service.rollback_conflict(blockers)
            registry_repository.delete_pks(session, list(present.values()))
            completed = [
                task("DELETED", t, i, None, i, message=f"{t} {i} deleted by the rollback")
                for (t, i) in present
            ]
            import_job.result = {**import_job.result, "rolledBackBy": job.id}
            result = job_service.empty_result()
            result["completedTasks"] = completed
            result["deletedObjects"] = list(present)
            job_service.succeed(job, result)

    def on_failure(self, session: Session, job: Job, reason: str) -> None:
        """Nothing to undo: the rollback's transaction was rolled back."""
