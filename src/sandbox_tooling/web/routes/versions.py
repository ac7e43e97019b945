"""Versions: "Check for updates" against a target sandbox (a compare job), the diff per object
in two columns with what an update refuses flagged, save version, update, and the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from sandbox_tooling.models import Job
from sandbox_tooling.models.enums import Capability, JobStatus, PackageStatus
from sandbox_tooling.package import service as package_service
from sandbox_tooling.package.schemas import SandboxIn
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.sandbox import service as sandbox_service
from sandbox_tooling.version import service as version_service
from sandbox_tooling.version.schemas import CompareRequest, UpdateRequest
from sandbox_tooling.web import actions
from sandbox_tooling.web.actions import Done, text
from sandbox_tooling.web.context import PREFIX, CheckedForm, Console, Page
from sandbox_tooling.web.diff import ObjectDiff, object_diff
from sandbox_tooling.web.render import page

router = APIRouter(prefix=PREFIX)


@router.get("/packages/{package_id}/versions")
def versions(package_id: str, c: Page) -> Response:
    pkg, caps = package_service.get(c.session, c.rt, c.principal, package_id, capabilities=True)
    history = version_service.history(c.session, c.principal, package_id)
    usable, _n = sandbox_service.list_usable(c.session, c.principal, 100, 0)
    own = pkg.source_org_id == pkg.org_id
    return page(
        c,
        "versions.html",
        active="packages",
        title=f"Versions of {pkg.name}",
        pkg=pkg,
        versionable=Capability.VERSIONABLE in (caps or []),
        history=history,
        targets=[s.name for s in usable if s.name != pkg.source_sandbox_name],
        manage=own and c.can("Package", "manage", pkg.source_sandbox_name),
        published=pkg.status == PackageStatus.PUBLISHED,
    )


def _back(package_id: str) -> str:
    return f"{PREFIX}/packages/{package_id}/versions"


@router.post("/packages/{package_id}/compare")
def compare(package_id: str, c: Page, form: CheckedForm) -> RedirectResponse:
    def work() -> Done:
        job = version_service.submit_compare(
            c.session,
            c.rt,
            c.principal,
            package_id,
            CompareRequest(trigger_new=True, target_sandbox=text(form, "target") or None),
        )
        return Done(redirect=f"{PREFIX}/jobs/{job.id}", jobs=[job.id])

    return actions.run(c, _back(package_id), work)


@router.post("/packages/{package_id}/save-version")
def save_version(package_id: str, c: Page, form: CheckedForm) -> RedirectResponse:
    def work() -> Done:
        job = version_service.save_version(c.session, c.principal, package_id)
        return Done(
            f"Saving version {job.package_version}…",
            redirect=f"{PREFIX}/jobs/{job.id}",
            jobs=[job.id],
        )

    return actions.run(c, _back(package_id), work)


@router.post("/packages/{package_id}/update")
def update(package_id: str, c: Page, form: CheckedForm) -> RedirectResponse:
    def work() -> Done:
        job = version_service.submit_update(
            c.session,
            c.rt,
            c.principal,
            package_id,
            UpdateRequest(destination_sandbox=SandboxIn(name=text(form, "target"))),
        )
        return Done("Update started.", redirect=f"{PREFIX}/jobs/{job.id}", jobs=[job.id])

    return actions.run(c, _back(package_id), work)


@dataclass
class CompareView:
    package_id: str
    target: str | None
    version: int | None
    validated: bool
    diffs: list[ObjectDiff]
    vertices: list[dict[str, Any]]
    can_update: bool
    actions: list[str] = field(default_factory=list)


def compare_view(c: Console, job: Job) -> CompareView | None:
    """A finished compare job's result: one diff per changed object, the target's current
    definition on the left and the source on the right."""
    if job.status != JobStatus.SUCCESS:
        return None
    delta = (job.result or {}).get("deltaPackageVersion") or {}
    graph = delta.get("eximGraphDelta") or {}
    target = job.params.get("targetSandbox")
    deltas = list(graph.get("pluginDeltas", []))
    definitions: dict[tuple[str, str], Any] = {}
    sandbox = sandbox_service.live(c.session, c.principal.org_id, target) if target else None
    if sandbox is not None:
        ids = [d.get("targetArtifact", {}).get("id", "") for d in deltas]
        for row in registry_service.rows_by_ids(c.session, sandbox.id, ids):
            definitions[(row.type, row.object_id)] = row.definition
    diffs = []
    for d in deltas:
        tgt = d.get("targetArtifact", {})
        diffs.append(object_diff(d, definitions.get((tgt.get("type", ""), tgt.get("id", "")))))
    pkg = package_service.get_any(c.session, job.package_id or "")
    can_update = bool(
        target
        and pkg is not None
        and pkg.status == PackageStatus.PUBLISHED
        and c.can("Package", "manage", target)
    )
    return CompareView(
        package_id=job.package_id or "",
        target=target,
        version=delta.get("currentVersion"),
        validated=bool(delta.get("validated", True)),
        diffs=diffs,
        vertices=list(graph.get("vertices", [])),
        can_update=can_update,
    )
