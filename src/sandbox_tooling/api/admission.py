"""Bounded admission: at most so many requests in flight, a short queue, then 503.

Every admitted request may hold one database connection and one thread of the pool that runs
sync endpoints and dependencies; admitting no more requests than there are threads (and
connections: ``Settings.resolved_db_pool_size``) is what keeps a request from ever waiting for
a connection while holding a thread, or for a thread while holding a connection
(docs/architecture.md, "Concurrency and admission"). Reads (GET, HEAD, OPTIONS) and writes
have separate budgets, so a burst of reads cannot keep an import from being submitted. A
request that finds its budget spent waits in a FIFO queue for at most ``queue_seconds`` (and
at most ``queue_limit`` requests wait), then is answered 503 ``Overloaded`` with
``Retry-After``. Probes and the scraper (``/healthz``, ``/readyz``, ``/metrics``) are never
queued.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Any
from weakref import WeakKeyDictionary

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox_tooling.errors import Overloaded
from sandbox_tooling.kit import metrics

#: Never queued nor refused: a probe must tell "up" from "busy", a scrape must see the load.
EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def overloaded_body(detail: str) -> dict[str, Any]:
    """The problem body of a 503 ``Overloaded``."""
    return {
        "type": f"http://ns.adobe.com/aep/errors/{Overloaded.code}",
        "status": Overloaded.status_code,
        "title": Overloaded.title,
        "detail": detail,
        "error": Overloaded.__name__,
    }


def overloaded_headers() -> dict[str, str]:
    return {"Retry-After": str(Overloaded.retry_after)}


class Gate:
    """``slots`` permits handed out in arrival order; at most ``queue_limit`` waiters.
    Used from one event loop (asyncio, no locks)."""

    def __init__(self, slots: int, queue_limit: int) -> None:
        self.free = slots
        self.queue_limit = queue_limit
        self.waiters: deque[asyncio.Future[None]] = deque()

    def waiting(self) -> int:
        return len(self.waiters)

    async def take(self, timeout: float) -> str | None:
        """Take a permit: None once taken, else why not (``queue_full``, ``queue_timeout``)."""
        if self.free > 0 and not self.waiting():
            self.free -= 1
            return None
        if self.waiting() >= self.queue_limit or timeout <= 0:
            return "queue_full"
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout):
                await waiter
            return None
        except TimeoutError:
            # Handed a permit just as the time ran out: keep it.
            if waiter.done() and not waiter.cancelled():
                return None
            return "queue_timeout"
        except BaseException:  # cancelled (the server is stopping): give back what we got
            if waiter.done() and not waiter.cancelled():
                self.release()
            raise
        finally:
            if not waiter.done():
                waiter.cancel()
            with contextlib.suppress(ValueError):  # already handed its permit
                self.waiters.remove(waiter)

    def release(self) -> None:
        """Hand the permit to the longest waiter still waiting, else free it."""
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.free += 1


class Admission:
    """Pure ASGI middleware: ``read_slots`` reads and ``write_slots`` writes in flight, the
    rest queued up to ``queue_seconds`` (at most ``queue_limit`` per kind), then 503."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        read_slots: int,
        write_slots: int,
        queue_seconds: float,
        queue_limit: int,
    ) -> None:
        self.app = app
        self.slots = {"read": read_slots, "write": write_slots}
        self.queue_seconds = queue_seconds
        self.queue_limit = queue_limit
        # One set of gates per event loop (a test client may run its own loop).
        self._gates: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Gate]] = (
            WeakKeyDictionary()
        )

    def gates(self) -> dict[str, Gate]:
        loop = asyncio.get_running_loop()
        gates = self._gates.get(loop)
        if gates is None:
            gates = {kind: Gate(n, self.queue_limit) for kind, n in self.slots.items()}
            self._gates[loop] = gates
        return gates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        kind = "read" if scope["method"] in READ_METHODS else "write"
        gate = self.gates()[kind]
        refused = await gate.take(self.queue_seconds)
        if refused is not None:
            metrics.REJECTED.labels(kind, refused).inc()
            await _reply_overloaded(
                send,
                f"the service is at capacity ({self.slots[kind]} {kind} requests in flight, "
                f"{gate.waiting()} waiting); retry after {Overloaded.retry_after} s",
            )
            return
        try:
            await self.app(scope, receive, send)
        finally:
            gate.release()


async def _reply_overloaded(send: Send, detail: str) -> None:
    data = orjson.dumps(overloaded_body(detail))
    await send(
        {
            "type": "http.response.start",
            "status": Overloaded.status_code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                (b"retry-after", str(Overloaded.retry_after).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})
