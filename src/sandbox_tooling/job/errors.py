"""Job errors."""

from __future__ import annotations

from sandbox_tooling.errors import Conflict, NotFound


class JobNotFound(NotFound):
    """No job of that id in the caller's org."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id} not found")


class JobNotRunning(Conflict):
    """A job handler's job was ended meanwhile (by another attempt, or by recovery)."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id} is no longer in progress")
