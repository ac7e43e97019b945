"""Failpoints: named places where tests make a job fail or the process die.

``SBX_FAILPOINTS="import.insert=3:raise,import.insert=5:kill"`` makes the 3rd hit of
``import.insert`` raise ``FailpointError`` and the 5th kill the process with SIGKILL;
``sleep250`` pauses 250 ms. Unset (production), ``hit`` is one environment lookup.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter

_counts: Counter[str] = Counter()
_lock = threading.Lock()


class FailpointError(RuntimeError):
    """An injected failure."""


def _parse(spec: str) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for item in filter(None, (p.strip() for p in spec.split(","))):
        where, _, action = item.partition(":")
        name, _, count = where.partition("=")
        out[(name, int(count or 1))] = action or "raise"
    return out


def hit(name: str) -> None:
    spec = os.environ.get("SBX_FAILPOINTS")
    if not spec:
        return
    with _lock:
        _counts[name] += 1
        n = _counts[name]
    action = _parse(spec).get((name, n))
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "raise":
        raise FailpointError(f"failpoint {name} #{n}")
    elif action and action.startswith("sleep"):
        time.sleep(int(action[5:]) / 1000)


def reset() -> None:
    with _lock:
        _counts.clear()
