"""Health, readiness and metrics: what an orchestrator and a monitoring system ask."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from sandbox_tooling.kit import logs, metrics
from sandbox_tooling.ops import repository

if TYPE_CHECKING:
    from sandbox_tooling.runtime import Runtime

log = logs.get(__name__)


@dataclass(frozen=True)
class Readiness:
    """Whether each dependency answered; ``ready`` when all did."""

    database: str
    blobs: str

    @property
    def ready(self) -> bool:
        return self.database == "ok" and self.blobs == "ok"


def readiness(rt: Runtime) -> Readiness:
    checks = {}
    probes: tuple[tuple[str, Callable[[], None]], ...] = (
        ("database", partial(_database, rt)),
        ("blobs", rt.blobs.check),
    )
    for name, probe in probes:
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:  # any failure means not ready; the reason goes to the log
            log.warning("readiness check failed", check=name, error=f"{type(exc).__name__}")
            checks[name] = "unavailable"
    return Readiness(**checks)


def _database(rt: Runtime) -> None:
    with rt.db.transaction(write=False) as session:
        repository.ping(session)


def metrics_text(rt: Runtime) -> bytes:
    def queue() -> dict[str, int]:
        with rt.db.transaction(write=False) as session:
            return repository.queue_depth(session)

    return metrics.render(queue)
