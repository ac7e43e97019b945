"""Packages: the list (search, filters, paging), create (FULL, or a public package's payload;
from objects on the Objects page), the detail page (roots, the closure as a graph and a
table, versions, expiry), remove roots, publish, share, make public, payload, delete."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from sandbox_tooling.errors import AppError, BadRequest
from sandbox_tooling.job import service as job_service
from sandbox_tooling.kit.listing import Filter, ListQuery
from sandbox_tooling.models import Package
from sandbox_tooling.models.enums import (
    HandshakeStatus,
    PackageStatus,
    PackageType,
    Visibility,
)
from sandbox_tooling.package import service as package_service
from sandbox_tooling.package.errors import InvalidArtifacts
from sandbox_tooling.package.schemas import ArtifactIn, PackageCreate, PackageUpdate, SandboxIn
from sandbox_tooling.sandbox import service as sandbox_service
from sandbox_tooling.sharing import service as sharing_service
from sandbox_tooling.sharing.schemas import PullRequest, TransferRequest, TransferTarget
from sandbox_tooling.web import actions
from sandbox_tooling.web.actions import Done, text, texts
from sandbox_tooling.web.context import PREFIX, CheckedForm, Console, Page
from sandbox_tooling.web.graph import graph_json, ordered, package_graph
from sandbox_tooling.web.jobs import kind, progress
from sandbox_tooling.web.render import fragment, page

router = APIRouter(prefix=PREFIX)
PAGE_SIZE = 25
CLOSURE_PAGE = 100
SORTS = {
    "newest": ("created_date", True),
    "name": ("name", False),
    "modified": ("modified_date", True),
}


class PayloadInvalid(BadRequest):
    """A pasted package payload that is not ``{"imsOrgId": ..., "packageId": ...}``."""


@router.get("/packages")
def packages(
    c: Page,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[PackageStatus | None, Query()] = None,
    type: Annotated[PackageType | None, Query()] = None,
    visibility: Annotated[Visibility | None, Query()] = None,
    sort: Annotated[str, Query(pattern="^(newest|name|modified)$")] = "newest",
    start: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    filters = []
    if status:
        filters.append(Filter("status", "==", (status,)))
    if type:
        filters.append(Filter("package_type", "==", (type,)))
    if visibility:
        filters.append(Filter("visibility", "==", (visibility,)))
    column, descending = SORTS[sort]
    query = ListQuery(tuple(filters), column, descending, start, PAGE_SIZE)
    rows, total = package_service.list_packages(c.session, c.principal, query, q.strip() or None)
    context: dict[str, Any] = {
        "rows": rows,
        "total": total,
        "start": start,
        "size": PAGE_SIZE,
        "q": q,
        "status": status or "",
        "type": type or "",
        "visibility": visibility or "",
        "sort": sort,
        "filtered": bool(q or status or type or visibility),
    }
    if c.request.headers.get("hx-target") == "package-list":
        return fragment(c, "packages_table.html", **context)
    return page(
        c,
        "packages.html",
        active="packages",
        title="Packages",
        statuses=list(PackageStatus),
        types=list(PackageType),
        visibilities=list(Visibility),
        can_create=c.can("Package", "manage", c.sandbox().name),
        **context,
    )


@router.get("/packages/new")
def new_package(c: Page) -> Response:
    return page(
        c,
        "package_new.html",
        active="packages",
        title="New package",
        sandbox=c.sandbox(),
        can_pull=c.can("Package", "share"),
    )


@router.post("/packages")
def create_package(c: Page, form: CheckedForm) -> RedirectResponse:
    kind = text(form, "kind")
    sandbox = c.sandbox().name

    def work() -> Done:
        if kind == "payload":
            raw = text(form, "payload").strip()
            try:
                payload = orjson.loads(raw)
            except orjson.JSONDecodeError:
                raise PayloadInvalid(
                    'payload: paste the JSON the sharing org copied: {"imsOrgId": …, '
                    '"packageId": …}'
                ) from None
            if not isinstance(payload, dict):
                raise PayloadInvalid("payload: must be a JSON object with imsOrgId and packageId")
            body = PullRequest.model_validate(payload)
            transfer, job = sharing_service.pull(c.session, c.principal, body)
            return Done(
                f"Import of the public package {transfer.package_name} requested; it arrives "
                "in Packages when the transfer completes.",
                redirect=f"{PREFIX}/jobs/{job.id}",
                jobs=[job.id],
            )
        pkg = package_service.create(
            c.session,
            c.rt,
            c.principal,
            PackageCreate(
                name=text(form, "name").strip(),
                description=text(form, "description").strip() or None,
                package_type=PackageType.FULL,
                source_sandbox=SandboxIn(name=sandbox),
            ),
            sandbox,
        )
        return Done(f"Package {pkg.name} created.", redirect=f"{PREFIX}/packages/{pkg.id}")

    return actions.run(c, PREFIX + "/packages/new", work)


def _require(c: Console, package_id: str) -> Package:
    pkg, _caps = package_service.get(c.session, c.rt, c.principal, package_id, capabilities=False)
    return pkg


def _partners(c: Console) -> list[tuple[str, str]]:
    """``(org id, name)`` of the orgs with an approved link to the caller's."""
    if not c.can("Package", "share"):
        return []
    query = ListQuery(
        (Filter("status", "==", (HandshakeStatus.APPROVED,)),), "created_date", True, 0, 100
    )
    links, _total = sharing_service.list_handshakes(c.session, c.principal, None, query)
    orgs = sharing_service.orgs_of(c.session, links)
    out: dict[str, str] = {}
    for link in links:
        mine = link.source_org_id == c.principal.org_id
        other = link.target_org_id if mine else link.source_org_id
        out[other] = orgs[other].name if other in orgs else other
    return sorted(out.items(), key=lambda x: x[1])


@router.get("/packages/{package_id}")
def package_page(
    package_id: str,
    c: Page,
    job: Annotated[str | None, Query(max_length=64)] = None,
    start: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    pkg = _require(c, package_id)
    caps = package_service.package_capabilities(c.rt.types, pkg)
    graph = package_graph(c, pkg)
    versions = package_service.versions(c.session, pkg.id)
    source = pkg.source_sandbox_name
    own = pkg.source_org_id == pkg.org_id
    manage = own and c.can("Package", "manage", source)
    share = own and c.can("Package", "share", source)
    payload = None
    if pkg.visibility == Visibility.PUBLIC:
        payload = orjson.dumps(
            {"imsOrgId": pkg.org_id, "packageId": pkg.id}, option=orjson.OPT_INDENT_2
        ).decode()
    targets = []
    if pkg.status == PackageStatus.PUBLISHED:
        usable, _n = sandbox_service.list_usable(c.session, c.principal, 100, 0)
        targets = [s.name for s in usable]
    types = c.rt.types
    job_row = None
    if job:
        try:
            job_row = job_service.get_job(c.session, c.principal, job)
        except AppError:
            job_row = None
    return page(
        c,
        "package.html",
        active="packages",
        title=pkg.name,
        pkg=pkg,
        caps=caps,
        graph=graph,
        counts=[(t, n) for t in ordered(graph.counts()) for n in [graph.counts()[t]]],
        type_labels={t.name: t.label for t in types.all()},
        closure=[
            (n, t, i, title, (t, i) in graph.roots) for n, (t, i, title) in enumerate(graph.nodes)
        ][start : start + CLOSURE_PAGE],
        start=start,
        size=CLOSURE_PAGE,
        total=len(graph.nodes),
        versions=versions,
        manage=manage,
        share=share,
        partners=_partners(c) if share and pkg.status == PackageStatus.PUBLISHED else [],
        payload=payload,
        job=job_row,
        kind=kind(job_row) if job_row is not None else "",
        progress=progress(c, job_row) if job_row is not None else None,
        targets=targets,
        can_import=any(c.can("Package", "manage", t) for t in targets),
        own=own,
    )


@router.get("/packages/{package_id}/graph.json")
def package_graph_json(package_id: str, c: Page) -> JSONResponse:
    pkg = _require(c, package_id)
    return JSONResponse(graph_json(c, package_graph(c, pkg)))


def _back(package_id: str) -> str:
    return f"{PREFIX}/packages/{package_id}"


@router.post("/packages/{package_id}/remove-roots")
def remove_roots(package_id: str, c: Page, form: CheckedForm) -> RedirectResponse:
    keys = [v.split("|", 1) for v in texts(form, "root") if "|" in v]

    def work() -> Done:
        if not keys:
            raise InvalidArtifacts("artifacts: tick the root objects to remove")
        pkg = package_service.update(
            c.session,
            c.rt,
            c.principal,
            PackageUpdate(
                id=package_id,
                action="DELETE",
                artifacts=[ArtifactIn(type=t, id=i) for t, i in keys],
            ),
        )
        return Done(f"{len(keys)} root object(s) removed from {pkg.name}.")

    return actions.run(c, _back(package_id), work)


@router.post("/packages/{package_id}/publish")
def publish(package_id: str, c: Page, form: CheckedForm) -> RedirectResponse:
    def work() -> Done:
        days = text(form, "expiry_days", "90").strip() or "90"
        if not days.isdigit() or int(days) > 36_500:
            raise BadRequest("expiryPeriod: a number of days from 0 to 36,500")
        pkg, job = package_service.publish(c.session, c.principal, package_id, int(days))
        return Done(
            f"Publishing {pkg.name}…",
            redirect=f"{_back(package_id)}?job={job.id}",
            jobs=[job.id],
        )

    return actions.run(c, _back(package_id), work)


@router.post("/packages/{package_id}/share")
def share(package_id: str, c: Page, form: CheckedForm) -> RedirectResponse:
    orgs = texts(form, "org")

    def work() -> Done:
        if not orgs:
            raise BadRequest("targets: tick at least one partner org")
        transfers, jobs = sharing_service.create_transfers(
            c.session,
            c.principal,
            TransferRequest(
                package_id=package_id, targets=[TransferTarget(ims_org_id=o) for o in orgs]
            ),
        )
        names = ", ".join(t.target_org_id for t in transfers)
        return Done(
            f"Sharing with {names} started; follow it under Partner orgs.",
            redirect=f"{PREFIX}/partners",
            jobs=[j.id for j in jobs],
        )

    return actions.run(c, _back(package_id), work)


@router.post("/packages/{package_id}/make-public")
def make_public(package_id: str, c: Page, form: CheckedForm) -> RedirectResponse:
    def work() -> Done:
        pkg = _require(c, package_id)
        c.principal.require("Package", "share", pkg.source_sandbox_name)
        if text(form, "confirm").strip() != pkg.name:
            raise BadRequest(f"confirm: type the package name '{pkg.name}' to make it public")
        package_service.update(
            c.session,
            c.rt,
            c.principal,
            PackageUpdate(id=package_id, action="UPDATE", package_visibility=Visibility.PUBLIC),
        )
        return Done(f"{pkg.name} is public: any org with its payload can import it.")

    return actions.run(c, _back(package_id), work)


@router.post("/packages/{package_id}/delete")
def delete(package_id: str, c: Page, form: CheckedForm) -> RedirectResponse:
    def work() -> Done:
        pkg = _require(c, package_id)
        c.principal.require("Package", "manage", pkg.source_sandbox_name)
        if text(form, "confirm").strip() != pkg.name:
            raise BadRequest(f"confirm: type the package name '{pkg.name}' to delete it")
        package_service.delete(c.session, c.principal, package_id)
        return Done(f"Package {pkg.name} deleted.", redirect=f"{PREFIX}/packages")

    return actions.run(c, _back(package_id), work)
