"""Express copy (beyond Adobe's API, as the platform UI's "copy to sandbox"): objects of one
sandbox copied into another in one job that makes a package of them, publishes it and
imports it, dependencies the target has being reused. Its plan is made from the source
sandbox's objects as they are now, with the import planner; a copy given the plan's id
refuses if the source objects or the target objects the plan read changed since."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from sandbox_tooling.artifact_type.spec import TypeContext
from sandbox_tooling.errors import NotCallersOrg
from sandbox_tooling.express.schemas import ExpressCopyRequest, ExpressPlanRequest
from sandbox_tooling.identity.service import Principal
from sandbox_tooling.importer import planning
from sandbox_tooling.importer import service as import_service
from sandbox_tooling.importer.errors import PlanMismatch
from sandbox_tooling.job import service as job_service
from sandbox_tooling.kit.clock import now_ms
from sandbox_tooling.models import Job, Sandbox
from sandbox_tooling.models.enums import PackageType, PlanKind, RequestType
from sandbox_tooling.package import service as package_service
from sandbox_tooling.package import snapshot
from sandbox_tooling.package.errors import SourceObjectsMissing
from sandbox_tooling.package.schemas import PackageCreate, SandboxIn
from sandbox_tooling.registry import closure as closure_mod

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime


class _Copy:
    """An express copy request, checked: sandboxes, root artifacts, alternatives."""

    def __init__(
        self, session: Session, rt: Runtime, principal: Principal, body: ExpressPlanRequest
    ) -> None:
        self.source = package_service.source_sandbox(session, principal, body.source_sandbox, "")
        dest = body.destination_sandbox
        if dest.ims_org_id and dest.ims_org_id != principal.org_id:
            raise NotCallersOrg("destinationSandbox.imsOrgId", dest.ims_org_id, principal.org_id)
        self.target: Sandbox = import_service.target_sandbox(
            session, principal, dest.name, "destinationSandbox.name"
        )
        self.roots = package_service.check_artifacts(session, rt.types, self.source, body.artifacts)
        keys = [(a["type"], a["id"]) for a in self.roots]
        cl = closure_mod.closure(
            session, rt.types, self.source.id, keys, max_size=rt.settings.max_closure_size
        )
        if cl.missing:
            listed = ", ".join(f"{t} '{i}'" for t, i in cl.missing)
            raise SourceObjectsMissing(
                f"artifacts: objects no longer in source sandbox '{self.source.name}': {listed}"
            )
        order = cl.order()
        self.manifest: dict[str, Any] = {
            "packageType": PackageType.PARTIAL,
            "tenantId": principal.org.tenant_id,
            "imsOrgId": principal.org_id,
            "sourceSandbox": {"name": self.source.name, "imsOrgId": principal.org_id},
            "rootArtifacts": [{"id": i, "type": t} for t, i in keys],
            **snapshot.graph(cl, order),
        }
        self.source_reads = [
            [k[0], k[1], cl.nodes[k].obj.title, cl.nodes[k].obj.version] for k in order
        ]
        in_package = {a["id"]: a["type"] for a in self.manifest["artifacts"]}
        self.alternatives = import_service.check_mappings_in(
            session, in_package, self.target, body.alternatives or {}, "alternatives"
        )


def plan_copy(
    session: Session, rt: Runtime, principal: Principal, body: ExpressPlanRequest
) -> planning.ImportPlan:
    """What an express copy would do now (stored: a copy given its id is held to it)."""
    copy = _Copy(session, rt, principal, body)
    principal.require("Package", "view", copy.source.name)
    principal.require("Package", "view", copy.target.name)
    ctx = TypeContext(org_id=principal.org_id, tenant=principal.org.tenant_id)
    stamp = now_ms()
    mapped = {k: v["id"] for k, v in copy.alternatives.items()}
    decisions = planning.decide(
        session,
        rt.types,
        copy.manifest,
        copy.target,
        ctx,
        pairs=mapped,
        reuse_dependencies=True,
        stamp=stamp,
    )
    steps = planning.steps_of(decisions, PlanKind.EXPRESS, set(mapped))
    row = planning.store(
        session,
        principal,
        decisions,
        steps,
        kind=PlanKind.EXPRESS,
        sandbox=copy.target,
        source_name=copy.source.name,
        request={
            "alternatives": copy.alternatives,
            "artifacts": [{"id": a["id"], "type": a["type"]} for a in copy.roots],
        },
        pairs=mapped,
        stamp=stamp,
        source_reads=copy.source_reads,
    )
    preflight = planning.preflight_of(rt.types, principal, "", copy.target, steps, PlanKind.EXPRESS)
    return planning.plan_of(row, preflight)


def submit_copy(
    session: Session, rt: Runtime, principal: Principal, body: ExpressCopyRequest
) -> Job:
    """Make the package (DRAFT, then PUBLISH_IN_PROGRESS) and the COPY job that publishes
    and imports it."""
    copy = _Copy(session, rt, principal, body)
    principal.require("Package", "manage", copy.source.name)
    principal.require("Package", "manage", copy.target.name)
    params: dict[str, Any] = {"alternatives": copy.alternatives, "reuseDependencies": True}
    if body.plan_id is not None:
        row = planning.plan_for_apply(
            session,
            principal,
            body.plan_id,
            kind=PlanKind.EXPRESS,
            package_id=None,
            target=copy.target.name,
            mappings=copy.alternatives if body.alternatives is not None else None,
            field="alternatives",
        )
        roots = [{"id": a["id"], "type": a["type"]} for a in copy.roots]
        if row.source_name != copy.source.name or row.request.get("artifacts") != roots:
            raise PlanMismatch(
                f"artifacts: plan {row.id} copies other artifacts (or from another sandbox)"
            )
        params["planId"] = row.id
        params["alternatives"] = row.request.get("alternatives", {})
    name = body.name or (f"Express copy from {copy.source.name} to {copy.target.name} ({now_ms()})")
    pkg = package_service.create(
        session,
        rt,
        principal,
        PackageCreate(
            name=name,
            description=body.description,
            package_type=PackageType.PARTIAL,
            source_sandbox=SandboxIn(name=copy.source.name),
            artifacts=body.artifacts,
        ),
        copy.source.name,
    )
    _pkg, job = package_service.publish(
        session,
        principal,
        pkg.id,
        rt.settings.package_expiry_days,
        request_type=RequestType.COPY,
        destination_sandbox={"name": copy.target.name, "imsOrgId": principal.org_id},
        params=params,
    )
    return job


# -- the job's steps --------------------------------------------------------------------------
def published(session: Session, job_id: str) -> bool:
    """Whether the copy job's snapshot is recorded already (a retry goes on to import)."""
    job = job_service.get_any(session, job_id)
    if job is None:
        return False
    return package_service.version_by_snapshot(session, job.snapshot_id) is not None


def finish(session: Session, job_id: str) -> None:
    """The finished copy's result also shows the snapshot it published."""
    job = job_service.get_any(session, job_id)
    assert job is not None
    version = package_service.version_by_snapshot(session, job.snapshot_id)
    if version is not None:
        job.result = {**job.result, "snapshot": package_service.snapshot_summary(version)}
