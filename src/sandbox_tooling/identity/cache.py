"""The callers of recent requests, by access token, for a few seconds.

Every authenticated request needs its token, credential, user, org and roles; reading them is
one query, but loading five kinds of ORM rows costs more than most endpoints' own work (about
0.8 ms of a 5 ms read). A process keeps what it read, by token hash, for
``SBX_AUTH_CACHE_SECONDS`` (0: never kept), as detached copies shared read-only by requests.

Freshness: any committed change to an org, user, role, user's roles, credential or token made
by this process (through the ORM, including bulk ``update``/``delete`` statements) empties
the cache of every runtime of the process at once, so a revoked role or deleted credential
takes effect on the next request. A change made by another process (another ``sbx serve``
worker, the ``sbx`` CLI) takes effect within ``SBX_AUTH_CACHE_SECONDS``. A token's expiry is
checked on every request, cached or not. docs/architecture.md, "Authentication".
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from sandbox_tooling.models.identity import AccessToken, Credential, Org, Role, User, UserRole

IDENTITY_MODELS = (Org, User, Role, UserRole, Credential, AccessToken)
_CHANGED = "sbx_identity_changed"

T = TypeVar("T")


class _Generation:
    """A process-wide counter, bumped after every committed identity change."""

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self.value += 1


GENERATION = _Generation()


@dataclass(frozen=True)
class CachedCaller:
    """What authentication read for a token (detached copies, never attached to a session)."""

    expires_at: int
    credential: Credential
    user: User
    org: Org
    roles: tuple[Role, ...]
    generation: int
    stored: float


def detached(obj: T) -> T:
    """A transient copy of a mapped row (column values only, mutable values deep-copied)."""
    cls = type(obj)
    values = {a.key: copy.deepcopy(getattr(obj, a.key)) for a in inspect(cls).column_attrs}
    return cls(**values)


class CallerCache:
    """Token hash → the caller read for it, for ``seconds``; at most ``size`` entries."""

    def __init__(self, seconds: float, size: int = 10_000) -> None:
        self.seconds = seconds
        self.size = size
        self._entries: dict[str, CachedCaller] = {}

    @property
    def enabled(self) -> bool:
        return self.seconds > 0

    def generation(self) -> int:
        """Taken before reading the rows to store: a change committed meanwhile makes the
        stored entry stale at once."""
        return GENERATION.value

    def get(self, token_hash: str) -> CachedCaller | None:
        if not self.enabled:
            return None
        found = self._entries.get(token_hash)
        if found is None:
            return None
        if found.generation != GENERATION.value or time.monotonic() - found.stored > self.seconds:
            self._entries.pop(token_hash, None)
            return None
        return found

    def put(
        self,
        token_hash: str,
        *,
        expires_at: int,
        credential: Credential,
        user: User,
        org: Org,
        roles: list[Role],
        generation: int,
    ) -> None:
        if not self.enabled:
            return
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[token_hash] = CachedCaller(
            expires_at=expires_at,
            credential=detached(credential),
            user=detached(user),
            org=detached(org),
            roles=tuple(detached(r) for r in roles),
            generation=generation,
            stored=time.monotonic(),
        )


# -- invalidation: every session of the process ------------------------------------------------


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    if _CHANGED in session.info:
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, IDENTITY_MODELS):
            session.info[_CHANGED] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        mapper: Any = state.bind_mapper
        if mapper is not None and mapper.class_ in IDENTITY_MODELS:
            state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        GENERATION.bump()
