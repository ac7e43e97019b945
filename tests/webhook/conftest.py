"""A webhook receiver: an HTTP server on 127.0.0.1 that records what it is sent."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return orjson.loads(self.body)


class Receiver:
    """Answers each POST with the next scripted status (``default`` once the script is
    spent) and keeps every request."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.script: deque[int] = deque()
        self.default = 200
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver._cond:
                    status = receiver.script.popleft() if receiver.script else receiver.default
                    receiver.received.append(
                        Received(self.path, dict(self.headers.items()), body, time.monotonic())
                    )
                    receiver._cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(f"answered {status}".encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def wait(self, n: int, timeout: float = 15.0) -> list[Received]:
        """The first ``n`` requests, once they have arrived."""
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.received) >= n, timeout), (
                f"{len(self.received)} of {n} deliveries arrived"
            )
            return list(self.received[:n])

    def events(self, name: str) -> list[Received]:
        with self._cond:
            return [r for r in self.received if r.headers.get("X-Sbx-Event") == name]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def receiver_b() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()
