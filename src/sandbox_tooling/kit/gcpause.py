"""Pausing Python's cyclic garbage collector around bulk work.

A bulk load builds tens of thousands of containers (parsed definitions) that all live until
it ends. Each automatic collection of the oldest generation walks every one of them again,
and on CPython 3.11 that took about half of a 10,000-object load. The collector is paused
while such work runs (reference counting still frees everything that is not in a cycle) and
resumes when the last concurrent bulk operation ends; the process-wide switch is counted, so
overlapping operations in other threads do not turn it back on early.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def collection_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
