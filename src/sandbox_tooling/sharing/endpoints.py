"""The /handshake and /transfer endpoints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from sandbox_tooling.api.deps import CurrentPrincipal, SessionDep, StateDep, list_query
from sandbox_tooling.errors import BadRequest
from sandbox_tooling.kit.listing import FieldSpec, page_envelope
from sandbox_tooling.sharing import repository
from sandbox_tooling.sharing import service as sharing_service
from sandbox_tooling.sharing.schemas import (
    BulkCreate,
    HandshakeAction,
    PullRequest,
    TransferRequest,
)

router = APIRouter(prefix="/data/foundation/exim", tags=["sharing"])

HANDSHAKE_FIELDS = {
    "status": FieldSpec(
        "status", "enum", frozenset({"APPROVAL_PENDING", "APPROVED", "REJECTED", "IN_PROGRESS"})
    ),
    "createdDate": FieldSpec("created_date", "date"),
    "modifiedDate": FieldSpec("modified_date", "date"),
    "sourceIMSOrgId": FieldSpec("source_org_id"),
    "targetIMSOrgId": FieldSpec("target_org_id"),
}
HANDSHAKE_SORTABLE = {"createdDate": "created_date", "modifiedDate": "modified_date"}
TRANSFER_FIELDS = {
    "status": FieldSpec(
        "status", "enum", frozenset({"PENDING", "IN_PROGRESS", "COMPLETED", "FAILED"})
    ),
    "createdDate": FieldSpec("created_date", "date"),
    "packageId": FieldSpec("package_id"),
}
TRANSFER_SORTABLE = {"createdDate": "created_date"}


def _choice(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    upper = value.strip().upper()
    if upper not in allowed:
        raise BadRequest(f"query parameter '{name}': must be one of {', '.join(allowed)}")
    return upper


@router.post("/handshake/bulkCreate")
def bulk_create(
    body: BulkCreate, session: SessionDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Ask partner orgs for a link (one per target: created, or the reason it was not)."""
    out = sharing_service.bulk_create(session, principal, body)
    session.commit()
    return out


@router.post("/handshake/action")
def handshake_action(
    body: HandshakeAction, session: SessionDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Approve or reject a link (the target org only)."""
    link = sharing_service.act(session, principal, body)
    session.commit()
    return sharing_service.present_handshakes(session, [link])[0]


@router.get("/handshake/list")
def handshake_list(
    request: Request,
    session: SessionDep,
    state: StateDep,
    principal: CurrentPrincipal,
    request_type: Annotated[str | None, Query(alias="requestType")] = None,
) -> dict[str, Any]:
    """The caller's links: INCOMING (it is the target), OUTGOING (the source), or both."""
    direction = _choice("requestType", request_type, ("INCOMING", "OUTGOING"))
    query = list_query(
        request,
        state,
        fields=HANDSHAKE_FIELDS,
        sortable=HANDSHAKE_SORTABLE,
        default_order="-createdDate",
        extra=frozenset({"requestType"}),
    )
    rows, total = sharing_service.list_handshakes(session, principal, direction, query)
    return page_envelope(sharing_service.present_handshakes(session, rows), total, query)


@router.post("/transfer")
def create_transfer(
    body: TransferRequest, session: SessionDep, state: StateDep, principal: CurrentPrincipal
) -> list[dict[str, Any]]:
    """Share a published package with partner orgs (one transfer per target)."""
    transfers, jobs = sharing_service.create_transfers(session, principal, body)
    session.commit()
    for job in jobs:
        state.runner.submit(job.id)
    return sharing_service.present_transfers(session, transfers)


@router.post("/transfer/pullRequest")
def pull_request(
    body: PullRequest, session: SessionDep, state: StateDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Pull another org's public package into the caller's org."""
    transfer, job = sharing_service.pull(session, principal, body)
    session.commit()
    state.runner.submit(job.id)
    return sharing_service.present_transfers(session, [transfer])[0]


@router.get("/transfer/list")
def transfer_list(
    request: Request,
    session: SessionDep,
    state: StateDep,
    principal: CurrentPrincipal,
    request_type: Annotated[str | None, Query(alias="requestType")] = None,
) -> dict[str, Any]:
    """Transfers from or to the caller's org."""
    principal.require("Package", "view")
    kind = _choice("requestType", request_type, ("PRIVATE", "PUBLIC"))
    query = list_query(
        request,
        state,
        fields=TRANSFER_FIELDS,
        sortable=TRANSFER_SORTABLE,
        default_order="-createdDate",
        extra=frozenset({"requestType"}),
    )
    rows, total = repository.transfers(session, principal.org_id, kind, query)
    return page_envelope(sharing_service.present_transfers(session, rows), total, query)


@router.get("/transfer/{transfer_id}")
def get_transfer(
    transfer_id: str, session: SessionDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """One transfer (visible to its two orgs only)."""
    transfer = sharing_service.get_transfer(session, principal, transfer_id)
    return sharing_service.present_transfers(session, [transfer])[0]
