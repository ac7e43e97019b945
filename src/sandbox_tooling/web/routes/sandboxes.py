"""Sandboxes: the list with object counts, create, reset and delete (typed confirmation)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from sandbox_tooling.models.enums import SandboxType
from sandbox_tooling.registry import service as registry_service
from sandbox_tooling.sandbox import service as sandbox_service
from sandbox_tooling.sandbox.errors import InvalidSandbox
from sandbox_tooling.web import actions
from sandbox_tooling.web.actions import Done, text
from sandbox_tooling.web.context import PREFIX, CheckedForm, Page
from sandbox_tooling.web.graph import ordered
from sandbox_tooling.web.render import page

router = APIRouter(prefix=PREFIX)
BACK = PREFIX + "/sandboxes"


@router.get("/sandboxes")
def sandboxes(c: Page) -> Response:
    rows, total = sandbox_service.list_usable(c.session, c.principal, 100, 0)
    counts = registry_service.counts_by_type(c.session, [s.id for s in rows])
    per_sandbox: dict[str, list[tuple[str, str, int]]] = {}
    for sb in rows:
        per_sandbox[sb.id] = [
            (t, c.rt.types.get(t).label, counts[(sb.id, t)])
            for t in ordered(c.rt.types.names())
            if (sb.id, t) in counts
        ]
    return page(
        c,
        "sandboxes.html",
        active="sandboxes",
        title="Sandboxes",
        rows=rows,
        total=total,
        per_sandbox=per_sandbox,
        types=[t.value for t in SandboxType],
        can_create=c.can("Sandbox", "manage"),
    )


@router.post("/sandboxes")
def create_sandbox(c: Page, form: CheckedForm) -> RedirectResponse:
    name, title = text(form, "name").strip(), text(form, "title").strip()

    def work() -> Done:
        sb = sandbox_service.create(
            c.session, c.principal, name=name, title=title or name, type_=text(form, "type")
        )
        return Done(f"Sandbox {sb.name} created.")

    return actions.run(c, BACK, work)


def _confirmed(form: CheckedForm, name: str, what: str) -> None:
    if text(form, "confirm").strip() != name:
        raise InvalidSandbox(f"confirm: type the sandbox name '{name}' to {what} it")


@router.post("/sandboxes/{name}/reset")
def reset_sandbox(name: str, c: Page, form: CheckedForm) -> RedirectResponse:
    def work() -> Done:
        c.principal.require("Sandbox", "manage", name)
        _confirmed(form, name, "reset")
        sandbox_service.reset(c.session, c.principal, name, validation_only=False)
        return Done(f"Sandbox {name} was reset: every object in it was deleted.")

    return actions.run(c, BACK, work)


@router.post("/sandboxes/{name}/delete")
def delete_sandbox(name: str, c: Page, form: CheckedForm) -> RedirectResponse:
    def work() -> Done:
        c.principal.require("Sandbox", "manage", name)
        _confirmed(form, name, "delete")
        sandbox_service.delete(c.session, c.principal, name, validation_only=False)
        if c.sandbox_name == name:
            c.cookie.pop("sandbox")
        return Done(f"Sandbox {name} was deleted.")

    return actions.run(c, BACK, work)
