"""The /handshake and /transfer endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from sandbox_tooling.api.deps import (
    CurrentPrincipal,
    ListSpec,
    RuntimeDep,
    SessionDep,
    list_query,
)
from sandbox_tooling.api.responses import errors
from sandbox_tooling.api.routing import api_router
from sandbox_tooling.errors import InvalidChoice
from sandbox_tooling.kit.listing import FieldSpec
from sandbox_tooling.kit.schema import Page
from sandbox_tooling.models.enums import HandshakeStatus, TransferKind, TransferStatus
from sandbox_tooling.sharing import service as sharing_service
from sandbox_tooling.sharing.schemas import (
    BulkCreate,
    BulkCreateRead,
    FailedRequest,
    HandshakeAction,
    HandshakeRead,
    PullRequest,
    TransferRead,
    TransferRequest,
)

router = api_router("/data/foundation/exim", "sharing")

HANDSHAKES = ListSpec(
    fields={
        "status": FieldSpec("status", "enum", frozenset({*HandshakeStatus, "IN_PROGRESS"})),
        "createdDate": FieldSpec("created_date", "date"),
        "modifiedDate": FieldSpec("modified_date", "date"),
        "sourceIMSOrgId": FieldSpec("source_org_id"),
        "targetIMSOrgId": FieldSpec("target_org_id"),
    },
    sortable={"createdDate": "created_date", "modifiedDate": "modified_date"},
    default_order="-createdDate",
    extra=frozenset({"requestType"}),
)
TRANSFERS = ListSpec(
    fields={
        "status": FieldSpec("status", "enum", frozenset(TransferStatus)),
        "createdDate": FieldSpec("created_date", "date"),
        "packageId": FieldSpec("package_id"),
    },
    sortable={"createdDate": "created_date"},
    default_order="-createdDate",
    extra=frozenset({"requestType"}),
)


DIRECTIONS = ["INCOMING", "OUTGOING"]
KINDS = [str(k) for k in TransferKind]


def _choice(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    upper = value.strip().upper()
    if upper not in allowed:
        raise InvalidChoice(f"query parameter '{name}': must be one of {', '.join(allowed)}")
    return upper


@router.post("/handshake/bulkCreate", response_model=BulkCreateRead)
def bulk_create(
    body: BulkCreate, session: SessionDep, principal: CurrentPrincipal
) -> BulkCreateRead:
    """Ask partner orgs for a link (one per target: created, or the reason it was not)."""
    out = sharing_service.bulk_create(session, principal, body)
    session.commit()
    orgs = {principal.org_id: principal.org}
    return BulkCreateRead(
        successful_requests={
            t: HandshakeRead.of(link, orgs, bulk=True) for t, link in out.created.items()
        },
        failed_requests={t: FailedRequest(reason=r) for t, r in out.failed.items()},
    )


@router.post("/handshake/action", response_model=HandshakeRead, responses=errors(404, 409))
def handshake_action(
    body: HandshakeAction, session: SessionDep, principal: CurrentPrincipal
) -> HandshakeRead:
    """Approve or reject a link (the target org only)."""
    link = sharing_service.act(session, principal, body)
    session.commit()
    return HandshakeRead.of(link, sharing_service.orgs_of(session, [link]))


@router.get(
    "/handshake/list", response_model=Page[HandshakeRead], openapi_extra=HANDSHAKES.openapi()
)
def handshake_list(
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    request_type: Annotated[
        str | None, Query(alias="requestType", json_schema_extra={"enum": DIRECTIONS})
    ] = None,
) -> Page[HandshakeRead]:
    """The caller's links: INCOMING (it is the target), OUTGOING (the source), or both."""
    direction = _choice("requestType", request_type, tuple(DIRECTIONS))
    query = list_query(request, rt, HANDSHAKES)
    rows, total = sharing_service.list_handshakes(session, principal, direction, query)
    orgs = sharing_service.orgs_of(session, rows)
    return Page[HandshakeRead].of(rows, total, query, lambda x: HandshakeRead.of(x, orgs))


@router.post("/transfer", response_model=list[TransferRead], responses=errors(404, 409))
def create_transfer(
    body: TransferRequest, session: SessionDep, rt: RuntimeDep, principal: CurrentPrincipal
) -> list[TransferRead]:
    """Share a published package with partner orgs (one transfer per target)."""
    transfers, jobs = sharing_service.create_transfers(session, principal, body)
    session.commit()
    for job in jobs:
        rt.jobs.submit(job.id)
    orgs = sharing_service.orgs_of(session, transfers)
    return [TransferRead.of(t, orgs) for t in transfers]


@router.post("/transfer/pullRequest", response_model=TransferRead, responses=errors(404))
def pull_request(
    body: PullRequest, session: SessionDep, rt: RuntimeDep, principal: CurrentPrincipal
) -> TransferRead:
    """Pull another org's public package into the caller's org."""
    transfer, job = sharing_service.pull(session, principal, body)
    session.commit()
    rt.jobs.submit(job.id)
    return TransferRead.of(transfer, sharing_service.orgs_of(session, [transfer]))


@router.get("/transfer/list", response_model=Page[TransferRead], openapi_extra=TRANSFERS.openapi())
def transfer_list(
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    request_type: Annotated[
        str | None, Query(alias="requestType", json_schema_extra={"enum": KINDS})
    ] = None,
) -> Page[TransferRead]:
    """Transfers from or to the caller's org."""
    kind = _choice("requestType", request_type, tuple(KINDS))
    query = list_query(request, rt, TRANSFERS)
    rows, total = sharing_service.list_transfers(
        session, principal, TransferKind(kind) if kind else None, query
    )
    orgs = sharing_service.orgs_of(session, rows)
    return Page[TransferRead].of(rows, total, query, lambda t: TransferRead.of(t, orgs))


@router.get("/transfer/{transfer_id}", response_model=TransferRead, responses=errors(404))
def get_transfer(
    transfer_id: str, session: SessionDep, principal: CurrentPrincipal
) -> TransferRead:
    """One transfer (visible to its two orgs only)."""
    transfer = sharing_service.get_transfer(session, principal, transfer_id)
    return TransferRead.of(transfer, sharing_service.orgs_of(session, [transfer]))
