"""An open-loop HTTP load generator (asyncio, raw HTTP/1.1 over keep-alive sockets).

Usage as a library (another benchmark imports it)::

    from loadgen import run_rate, run_burst
    stats = run_rate("http://127.0.0.1:8080/data/foundation/exim/packages/ID",
                     rps=200, seconds=20, clients=100, headers=H)
    print(stats.format()); stats.summary()  # count, statuses, errors, p50/p95/p99/max, late

or from the shell::

    .venv/bin/python bench/loadgen.py URL --rps 200 --seconds 20 --clients 100 \\
        -H "Authorization: Bearer $TOKEN" -H "x-api-key: $API_KEY" -H "x-gw-ims-org-id: $ORG"
    .venv/bin/python bench/loadgen.py URL --burst 500 -H ...   # 500 simultaneous connections

Open loop: request *i* is due at ``start + i / rps`` whatever happened to the earlier ones,
and its latency is measured from that due time (so time spent waiting for a free client
counts: no coordinated omission). ``clients`` connections serve the due requests; each is a
keep-alive socket (reconnected when the server closes it). The client is raw asyncio streams
rather than an HTTP library, so that it costs the machine little next to the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

#: An answer later than this counts as "late" (the lock-up answered after 30 s).
LATE_SECONDS = 30.0


@dataclass
class Stats:
    """What a run measured. Latencies are seconds from each request's due time."""

    target_rps: float = 0.0
    seconds: float = 0.0
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    #: (due time relative to the start, latency, status or error) of every request.
    samples: list[tuple[float, float, int | str]] = field(default_factory=list)
    late_after: float = LATE_SECONDS

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    @property
    def late(self) -> int:
        """Requests answered (or failed) after ``late_after`` seconds."""
        return sum(1 for _due, lat, _s in self.samples if lat > self.late_after)

    def percentile(self, q: float) -> float:
        """The q-th percentile latency in seconds (nearest rank), NaN if nothing answered."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(1, math.ceil(q / 100 * len(ordered)))
        return ordered[rank - 1]

    def window(self, start: float, end: float) -> Stats:
        """The requests due between ``start`` and ``end`` seconds after the run's start."""
        part = Stats(self.target_rps, end - start, late_after=self.late_after)
        for due, latency, outcome in self.samples:
            if start <= due < end:
                part.add(due, latency, outcome)
        return part

    def add(self, due: float, latency: float, outcome: int | str) -> None:
        self.sent += 1
        self.samples.append((due, latency, outcome))
        if isinstance(outcome, int):
            self.statuses[outcome] += 1
            self.latencies.append(latency)
        else:
            self.errors[outcome] += 1

    def summary(self) -> dict[str, Any]:
        def ms(q: float) -> float | None:
            value = self.percentile(q)
            return None if math.isnan(value) else round(value * 1000, 1)

        not_ok = sum(n for s, n in self.statuses.items() if s >= 400)
        return {
            "target_rps": self.target_rps,
            "seconds": round(self.seconds, 2),
            "sent": self.sent,
            "answered": self.answered,
            "achieved_rps": round(self.answered / self.seconds, 1) if self.seconds else None,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": dict(self.errors),
            "error_count": not_ok + sum(self.errors.values()),
            "p50_ms": ms(50),
            "p95_ms": ms(95),
            "p99_ms": ms(99),
            "max_ms": ms(100),
            f"late_after_{int(self.late_after)}s": self.late,
        }

    def format(self) -> str:
        s = self.summary()
        return (
            f"{s['sent']} sent, {s['answered']} answered ({s['achieved_rps']}/s), "
            f"statuses {s['statuses']}, errors {s['errors'] or 0}, "
            f"p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, p99 {s['p99_ms']} ms, "
            f"max {s['max_ms']} ms, late {self.late}"
        )


class Connection:
    """One keep-alive HTTP/1.1 connection; ``request`` returns the status and the body."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        for attempt in (1, 2):
            fresh = self.writer is None
            if fresh:
                await self._open()
            assert self.reader is not None and self.writer is not None
            try:
                self.writer.write(raw)
                await self.writer.drain()
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if fresh or attempt == 2:  # a reused socket the server closed: once more
                    raise
        raise AssertionError("unreachable")

    async def _response(self) -> tuple[int, dict[str, str], bytes]:
        assert self.reader is not None
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(p[:-2] for p in parts)
        else:
            body = await self.reader.read()
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body


def request_bytes(
    url: str, method: str = "GET", headers: dict[str, str] | None = None, body: bytes = b""
) -> tuple[str, int, bytes]:
    """(host, port, the request's bytes) for ``url``."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or 80
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return host, port, ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def run_rate_async(
    url: str,
    rps: float,
    seconds: float,
    clients: int = 100,
    headers: dict[str, str] | None = None,
    *,
    method: str = "GET",
    body: bytes = b"",
    timeout: float = 60.0,
    late_after: float = LATE_SECONDS,
) -> Stats:
    """``rps`` requests per second for ``seconds``, served by ``clients`` connections."""
    host, port, raw = request_bytes(url, method, headers, body)
    total = int(rps * seconds)
    stats = Stats(float(rps), float(seconds), late_after=late_after)
    due: asyncio.Queue[float | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05

    async def feed() -> None:
        for i in range(total):
            at = start + i / rps
            delay = at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            due.put_nowait(at)
        for _ in range(clients):
            due.put_nowait(None)

    async def client() -> None:
        conn = Connection(host, port)
        try:
            while (at := await due.get()) is not None:
                outcome: int | str
                try:
                    status, _h, _b = await asyncio.wait_for(conn.request(raw), timeout)
                    outcome = status
                except TimeoutError:
                    outcome = "Timeout"
                    conn.close()
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    outcome = type(exc).__name__
                    conn.close()
                stats.add(at - start, loop.time() - at, outcome)
        finally:
            conn.close()

    await asyncio.gather(feed(), *(client() for _ in range(clients)))
    stats.seconds = max(float(seconds), loop.time() - start)
    return stats


def run_rate(
    url: str,
    rps: float,
    seconds: float,
    clients: int = 100,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> Stats:
    """``run_rate_async`` in its own event loop."""
    return asyncio.run(run_rate_async(url, rps, seconds, clients, headers, **kwargs))


async def run_burst_async(
    url: str,
    connections: int,
    headers: dict[str, str] | None = None,
    *,
    timeout: float = 60.0,
    late_after: float = LATE_SECONDS,
) -> tuple[Stats, dict[int, int]]:
    """``connections`` connections opened at once, each sending one GET; the stats and how
    many 503 answers carried ``Retry-After`` (by status)."""
    host, port, raw = request_bytes(url, "GET", headers)
    stats = Stats(0.0, 0.0, late_after=late_after)
    retry_after: Counter[int] = Counter()
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def one() -> None:
        conn = Connection(host, port)
        outcome: int | str
        try:
            status, h, _b = await asyncio.wait_for(conn.request(raw), timeout)
            outcome = status
            if "retry-after" in h:
                retry_after[status] += 1
        except TimeoutError:
            outcome = "Timeout"
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            outcome = type(exc).__name__
        finally:
            conn.close()
        stats.add(0.0, loop.time() - start, outcome)

    await asyncio.gather(*(one() for _ in range(connections)))
    stats.seconds = loop.time() - start
    return stats, dict(retry_after)


def run_burst(
    url: str, connections: int, headers: dict[str, str] | None = None, **kwargs: Any
) -> tuple[Stats, dict[int, int]]:
    """``run_burst_async`` in its own event loop."""
    return asyncio.run(run_burst_async(url, connections, headers, **kwargs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--rps", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--burst", type=int, default=0, help="N simultaneous connections")
    parser.add_argument("-H", "--header", action="append", default=[], help="'Name: value'")
    args = parser.parse_args()
    headers = {k.strip(): v.strip() for k, _, v in (h.partition(":") for h in args.header)}
    if args.burst:
        stats, retry_after = run_burst(args.url, args.burst, headers)
        print(json.dumps({**stats.summary(), "with_retry_after": retry_after}, indent=2))
    else:
        stats = run_rate(args.url, args.rps, args.seconds, args.clients, headers)
        print(json.dumps(stats.summary(), indent=2))


if __name__ == "__main__":
    main()
