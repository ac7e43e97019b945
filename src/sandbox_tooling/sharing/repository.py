"""Handshake and transfer queries."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from sandbox_tooling.kit.listing import ListQuery
from sandbox_tooling.kit.sql import paginate
from sandbox_tooling.models import Handshake, Org, Transfer
from sandbox_tooling.models.enums import HandshakeStatus, TransferKind


def orgs(session: Session, ids: Iterable[str], *, for_update: bool = False) -> dict[str, Org]:
    """``for_update``: the org rows stay locked until the transaction ends (in id order, so
    two transactions locking the same orgs cannot deadlock)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    stmt = select(Org).where(Org.id.in_(wanted)).order_by(Org.id)
    if for_update:
        stmt = stmt.with_for_update()
    return {o.id: o for o in session.scalars(stmt)}


def link_between(session: Session, a: str, b: str, statuses: Iterable[str]) -> Handshake | None:
    """A link between two orgs, in either direction, in one of ``statuses``."""
    return session.scalars(
        select(Handshake).where(
            or_(
                and_(Handshake.source_org_id == a, Handshake.target_org_id == b),
                and_(Handshake.source_org_id == b, Handshake.target_org_id == a),
            ),
            Handshake.status.in_(tuple(statuses)),
        )
    ).first()


def by_linking_id(session: Session, linking_id: str) -> Handshake | None:
    """The link, locked until the transaction ends (only ``act`` reads it this way)."""
    stmt = select(Handshake).where(Handshake.linking_id == linking_id).with_for_update()
    return session.scalars(stmt).first()


def handshakes(
    session: Session, org_id: str, direction: str | None, query: ListQuery
) -> tuple[list[Handshake], int]:
    if direction == "INCOMING":
        where = Handshake.target_org_id == org_id
    elif direction == "OUTGOING":
        where = Handshake.source_org_id == org_id
    else:
        where = or_(Handshake.source_org_id == org_id, Handshake.target_org_id == org_id)
    return paginate(session, select(Handshake).where(where), Handshake, query, Handshake.id)


def transfers(
    session: Session, org_id: str, request_type: str | None, query: ListQuery
) -> tuple[list[Transfer], int]:
    """Transfers of the org: all it sent, and those it received from an org it is linked
    with (approved link, either direction) or pulled itself (PUBLIC)."""
    linked = (
        select(Handshake.id)
        .where(
            Handshake.status == HandshakeStatus.APPROVED,
            or_(
                and_(
                    Handshake.source_org_id == Transfer.source_org_id,
                    Handshake.target_org_id == Transfer.target_org_id,
                ),
                and_(
                    Handshake.source_org_id == Transfer.target_org_id,
                    Handshake.target_org_id == Transfer.source_org_id,
                ),
            ),
        )
        .exists()
    )
    stmt = select(Transfer).where(
        or_(
            Transfer.source_org_id == org_id,
            and_(
                Transfer.target_org_id == org_id,
                or_(Transfer.request_type == TransferKind.PUBLIC, linked),
            ),
        )
    )
    if request_type:
        stmt = stmt.where(Transfer.request_type == request_type)
    return paginate(session, stmt, Transfer, query, Transfer.id)


def transfer(session: Session, transfer_id: str, *, for_update: bool = False) -> Transfer | None:
    return session.get(Transfer, transfer_id, with_for_update=for_update or None)
