"""Partner orgs: request links (org ids), incoming requests (approve or reject with a reason),
outgoing requests, and the transfers to and from partner orgs with their status."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from sandbox_tooling.errors import BadRequest
from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.sharing import service as sharing_service
from sandbox_tooling.sharing.schemas import (
    BulkCreate,
    HandshakeAction,
    OrgDetails,
    TargetOrgDetails,
)
from sandbox_tooling.web import actions
from sandbox_tooling.web.actions import Done, text
from sandbox_tooling.web.context import PREFIX, CheckedForm, Page
from sandbox_tooling.web.render import page

router = APIRouter(prefix=PREFIX)
BACK = PREFIX + "/partners"
PAGE = 50


@router.get("/partners")
def partners(c: Page, start: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    c.principal.require("Package", "share")
    recent = ListQuery((), "created_date", True, 0, PAGE)
    incoming, n_in = sharing_service.list_handshakes(c.session, c.principal, "INCOMING", recent)
    outgoing, n_out = sharing_service.list_handshakes(c.session, c.principal, "OUTGOING", recent)
    transfers, n_tr = sharing_service.list_transfers(
        c.session, c.principal, None, ListQuery((), "created_date", True, start, PAGE)
    )
    orgs = sharing_service.orgs_of(c.session, [*incoming, *outgoing])
    orgs.update(sharing_service.orgs_of(c.session, transfers))
    return page(
        c,
        "partners.html",
        active="partners",
        title="Partner orgs",
        incoming=incoming,
        outgoing=outgoing,
        transfers=transfers,
        n_in=n_in,
        n_out=n_out,
        total=n_tr,
        start=start,
        size=PAGE,
        orgs=orgs,
    )


@router.post("/partners/request")
def request_links(c: Page, form: CheckedForm) -> RedirectResponse:
    ids = [i for i in re.split(r"[\s,;]+", text(form, "orgs")) if i]

    def work() -> Done:
        if not ids:
            raise BadRequest("targetIMSOrgIds: give at least one org id")
        result = sharing_service.bulk_create(
            c.session,
            c.principal,
            BulkCreate(
                target_ims_org_ids=ids,
                source_ims_details=OrgDetails(id=c.principal.org_id, name=c.principal.org.name),
            ),
        )
        parts = []
        if result.created:
            parts.append("Link requested with " + ", ".join(result.created) + ".")
        for org_id, reason in result.failed.items():
            parts.append(f"Not requested with {org_id}: {reason}.")
        if not result.created:
            raise BadRequest("targetIMSOrgIds: " + " ".join(parts))
        return Done(" ".join(parts))

    return actions.run(c, BACK, work)


@router.post("/partners/{linking_id}/decide")
def decide(linking_id: str, c: Page, form: CheckedForm) -> RedirectResponse:
    decision = text(form, "decision")

    def work() -> Done:
        org = c.principal.org
        link = sharing_service.act(
            c.session,
            c.principal,
            HandshakeAction.model_validate(
                {
                    "linkingID": linking_id,
                    "status": decision,
                    "reason": text(form, "reason").strip(),
                    "targetIMSOrgDetails": TargetOrgDetails(
                        id=org.id, name=org.name, region=org.region
                    ),
                }
            ),
        )
        verb = "approved" if link.status == "APPROVED" else "rejected"
        return Done(f"Link with {link.source_org_id} {verb}.")

    return actions.run(c, BACK, work)
