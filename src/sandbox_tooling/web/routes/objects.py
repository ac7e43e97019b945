"""The object inventory of a sandbox: a table per artifact type with search and paging, "Add
to package" (a new package or a DRAFT one), and an object page (definition, what it refers
to, what refers to it)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from sandbox_tooling.kit.listing import Filter, ListQuery
from sandbox_tooling.models.enums import PackageStatus, PackageType
from sandbox_tooling.package import service as package_service
from sandbox_tooling.package.errors import InvalidArtifacts
from sandbox_tooling.package.schemas import ArtifactIn, PackageCreate, PackageUpdate, SandboxIn
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.web import actions
from sandbox_tooling.web.actions import Done, text, texts
from sandbox_tooling.web.context import PREFIX, CheckedForm, Console, Page
from sandbox_tooling.web.graph import ordered
from sandbox_tooling.web.render import fragment, page, ucfirst

router = APIRouter(prefix=PREFIX)
PAGE_SIZE = 50


def use_sandbox(c: Console, name: str | None) -> str:
    """``?sandbox=``: the page switches the current sandbox (links from other pages)."""
    if name and c.can_use(name):
        c.cookie.set("sandbox", name)
    return c.sandbox().name


def draft_packages(c: Console, sandbox: str) -> list[tuple[str, str]]:
    """``(id, name)`` of the DRAFT PARTIAL packages of this source sandbox (newest first)."""
    if not c.can("Package", "manage", sandbox):
        return []
    query = ListQuery(
        filters=(
            Filter("status", "==", (PackageStatus.DRAFT,)),
            Filter("package_type", "==", (PackageType.PARTIAL,)),
            Filter("source_sandbox_name", "==", (sandbox,)),
        ),
        order_column="modified_date",
        descending=True,
        start=0,
        limit=100,
    )
    rows, _total = package_service.list_packages(c.session, c.principal, query)
    return [(p.id, p.name) for p in rows]


@router.get("/objects")
def objects(
    c: Page,
    sandbox: Annotated[str | None, Query()] = None,
    type: Annotated[str | None, Query()] = None,
    q: Annotated[str, Query(max_length=200)] = "",
    start: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    name = use_sandbox(c, sandbox)
    sb = c.sandbox()
    counts = registry_service.counts_by_type(c.session, [sb.id])
    readable = [
        c.rt.types.get(t)
        for t in ordered(c.rt.types.names())
        if c.can(c.rt.types.get(t).resource, "read", name)
    ]
    if type is None:
        type = next((t.name for t in readable if (sb.id, t.name) in counts), None)
        type = type or (readable[0].name if readable else "REGISTRY_SCHEMA")
    access = registry_service.access(c.session, c.rt, c.principal, name, type, "read")
    rows, total = registry_service.search_objects(c.session, access, q, start, PAGE_SIZE)
    context: dict[str, Any] = {
        "sandbox": sb,
        "atype": access.type,
        "rows": rows,
        "total": total,
        "q": q,
        "start": start,
        "size": PAGE_SIZE,
    }
    if c.request.headers.get("hx-request") and c.request.headers.get("hx-target") == "inventory":
        return fragment(c, "objects_table.html", **context)
    return page(
        c,
        "objects.html",
        active="objects",
        title=f"{ucfirst(access.type.label)}s in {name}",
        tabs=[(t, counts.get((sb.id, t.name), 0)) for t in readable],
        drafts=draft_packages(c, name),
        can_package=c.can("Package", "manage", name),
        **context,
    )


@router.post("/objects/add-to-package")
def add_to_package(c: Page, form: CheckedForm) -> RedirectResponse:
    sandbox = c.sandbox().name
    back = text(form, "back") or PREFIX + "/objects"
    if not back.startswith(PREFIX):
        back = PREFIX + "/objects"
    keys = [v.split("|", 1) for v in texts(form, "object") if "|" in v]
    artifacts = [ArtifactIn(type=t, id=i) for t, i in keys]

    def work() -> Done:
        c.principal.require("Package", "manage", sandbox)
        if not artifacts:
            raise InvalidArtifacts("artifacts: select at least one object to add")
        if text(form, "target") == "existing":
            pkg_id = text(form, "package")
            pkg = package_service.update(
                c.session,
                c.rt,
                c.principal,
                PackageUpdate(id=pkg_id, action="ADD", artifacts=artifacts),
            )
            verb = "added to"
        else:
            pkg = package_service.create(
                c.session,
                c.rt,
                c.principal,
                PackageCreate(
                    name=text(form, "name").strip() or "",
                    description=text(form, "description").strip() or None,
                    package_type=PackageType.PARTIAL,
                    source_sandbox=SandboxIn(name=sandbox),
                    artifacts=artifacts,
                ),
                sandbox,
            )
            verb = "in the new package"
        n = len(artifacts)
        return Done(
            f"{n} object{'s' if n != 1 else ''} {verb} {pkg.name}.",
            redirect=f"{PREFIX}/packages/{pkg.id}",
        )

    return actions.run(c, back, work)


@router.get("/object")
def object_page(
    c: Page,
    type: Annotated[str, Query(max_length=64)],
    id: Annotated[str, Query(max_length=512)],
    sandbox: Annotated[str | None, Query()] = None,
) -> Response:
    name = use_sandbox(c, sandbox)
    access = registry_service.access(c.session, c.rt, c.principal, name, type, "read")
    obj = registry_service.require(c.session, access.sandbox, type, id)
    refs = list(access.type.references(obj.definition))
    titles = registry_service.titles_by_ids(
        c.session, access.sandbox.id, [r.id for r in refs if not r.standard]
    )
    outgoing = []
    seen: set[tuple[str, str, str]] = set()
    for r in refs:
        key = (r.type, r.id, r.path)
        if key in seen:
            continue
        seen.add(key)
        outgoing.append(
            {
                "type": r.type,
                "id": r.id,
                "path": r.path,
                "standard": r.standard,
                "title": titles.get((r.type, r.id)),
            }
        )
    incoming = registry_service.referrers(c.session, access, id)
    return page(
        c,
        "object.html",
        active="objects",
        title=obj.title,
        obj=obj,
        atype=access.type,
        sandbox=access.sandbox,
        outgoing=outgoing,
        incoming=incoming,
        drafts=draft_packages(c, name) if access.type.root_allowed else [],
        can_package=access.type.root_allowed and c.can("Package", "manage", name),
    )
