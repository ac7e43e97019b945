"""The import wizard: 1. package, target sandbox, job name and description; 2. the plan (every
object of the closure with its action, ranked suggestions, a "Use existing" picker per object,
the permission preflight); 3. import, then the job's live progress and summary."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from sandbox_tooling.api.deps import writes
from sandbox_tooling.errors import Forbidden
from sandbox_tooling.importer import service as import_service
from sandbox_tooling.importer.schemas import ImportRequest
from sandbox_tooling.kit.listing import Filter, ListQuery
from sandbox_tooling.models.enums import PackageStatus
from sandbox_tooling.package import service as package_service
from sandbox_tooling.package.schemas import SandboxIn
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.sandbox import service as sandbox_service
from sandbox_tooling.web import actions
from sandbox_tooling.web.actions import Done, text, texts
from sandbox_tooling.web.context import PREFIX, CheckedForm, Console, Page
from sandbox_tooling.web.plan import ACTIONS, plan_import
from sandbox_tooling.web.render import fragment, page

router = APIRouter(prefix=PREFIX)
PICKER_SIZE = 50


def _published(c: Console) -> list[tuple[str, str, str]]:
    """``(id, name, source sandbox)`` of the 100 newest published packages."""
    query = ListQuery(
        (Filter("status", "==", (PackageStatus.PUBLISHED,)),), "created_date", True, 0, 100
    )
    rows, _total = package_service.list_packages(c.session, c.principal, query)
    return [(p.id, p.name, p.source_sandbox_name) for p in rows]


def _targets(c: Console) -> list[str]:
    usable, _n = sandbox_service.list_usable(c.session, c.principal, 100, 0)
    return [s.name for s in usable]


@router.get("/import")
def step_one(
    c: Page,
    package: Annotated[str, Query(max_length=64)] = "",
    target: Annotated[str, Query(max_length=256)] = "",
) -> Response:
    packages = _published(c)
    if package and package not in {p[0] for p in packages}:
        pkg, _caps = package_service.get(c.session, c.rt, c.principal, package, capabilities=False)
        packages.insert(0, (pkg.id, pkg.name, pkg.source_sandbox_name))
    return page(
        c,
        "import_start.html",
        active="packages",
        title="Import a package",
        packages=packages,
        targets=_targets(c),
        package=package,
        target=target or next((t for t in _targets(c) if t != "prod"), ""),
    )


def _alternatives(alt: list[str], drop: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in alt:
        source, sep, target = item.partition("=")
        if sep and source and source != drop:
            if target:
                out[source] = target
            else:
                out.pop(source, None)
    return out


@router.get("/import/plan")
@writes  # the plan is stored, for the import to name it
def step_two(
    c: Page,
    package: Annotated[str, Query(min_length=1, max_length=64)],
    target: Annotated[str, Query(min_length=1, max_length=256)],
    name: Annotated[str, Query(max_length=512)] = "",
    description: Annotated[str, Query(max_length=10_000)] = "",
    alt: Annotated[list[str] | None, Query(max_length=1000)] = None,
    drop: Annotated[str, Query(max_length=512)] = "",
) -> Response:
    alternatives = _alternatives(alt or [], drop)
    plan = plan_import(c.session, c.rt, c.principal, package, target, alternatives)
    c.session.commit()
    counts = plan.counts()
    return page(
        c,
        "import_plan.html",
        active="packages",
        title=f"Import {plan.package.name} into {target}",
        plan=plan,
        counts=[(a, counts.get(a, 0)) for a in ACTIONS],
        name=name,
        description=description,
        alternatives=alternatives,
    )


@router.get("/import/candidates")
def candidates(
    c: Page,
    target: Annotated[str, Query(min_length=1, max_length=256)],
    type: Annotated[str, Query(min_length=1, max_length=64)],
    source: Annotated[str, Query(min_length=1, max_length=512)],
    title: Annotated[str, Query(max_length=512)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    suggested: Annotated[list[str] | None, Query(max_length=20)] = None,
) -> Response:
    """The "Use existing" picker of one object: objects of its type in the target, the
    ranked suggestions first."""
    access = registry_service.access(c.session, c.rt, c.principal, target, type, "read")
    rows, total = registry_service.search_objects(c.session, access, q, 0, PICKER_SIZE)
    first = [s.split("|", 1) for s in suggested or [] if "|" in s]
    seen = {i for i, _t in first}
    options = [(i, t, True) for i, t in first] + [
        (r.object_id, r.title, False) for r in rows if r.object_id not in seen
    ]
    return fragment(
        c,
        "import_picker.html",
        field_id="pick-" + hashlib.sha1(source.encode()).hexdigest()[:12],
        source=source,
        title=title,
        type=type,
        label=access.type.label,
        target=target,
        options=options,
        total=total,
        q=q,
        suggested=suggested or [],
    )


@router.post("/import")
def submit(c: Page, form: CheckedForm) -> RedirectResponse:
    package, target = text(form, "package"), text(form, "target")
    alternatives = _alternatives(texts(form, "alt"), "")
    back = f"{PREFIX}/import?package={package}"

    def work() -> Done:
        plan = plan_import(c.session, c.rt, c.principal, package, target, alternatives)
        if plan.blocked:
            missing = sorted({m for p in plan.preflight if p.writes for m in p.missing})
            raise Forbidden(
                f"user {c.principal.user_id} lacks "
                + (", ".join(missing) if missing else "Package:manage")
                + f" in sandbox '{target}' to import this package"
            )
        body = ImportRequest(
            id=package,
            name=text(form, "name").strip() or None,
            description=text(form, "description").strip() or None,
            destination_sandbox=SandboxIn(name=target),
            alternatives=plan.alternatives or None,
            # The plan the user reviewed: the job does exactly it, or refuses on drift.
            plan_id=text(form, "plan").strip() or None,
        )
        _pkg, job = import_service.submit_import(c.session, c.rt, c.principal, body)
        return Done(redirect=f"{PREFIX}/jobs/{job.id}", jobs=[job.id])

    return actions.run(c, back, work)
