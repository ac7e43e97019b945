"""Import errors."""

from __future__ import annotations

from sandbox_tooling.errors import BadRequest, Conflict, NotFound


class TargetSandboxNotFound(BadRequest):
    """The target sandbox named in the request is not a live sandbox of the org."""

    def __init__(self, field: str, name: str) -> None:
        super().__init__(f"{field}: sandbox '{name}' does not exist")


class MissingTargetSandbox(BadRequest):
    """``targetSandbox`` is required."""

    def __init__(self) -> None:
        super().__init__("query parameter 'targetSandbox': required")


class InvalidMapping(BadRequest):
    """An ``alternatives`` or ``overwriteMappings`` entry that fits no artifact or object."""


class NotAnImport(Conflict):
    """Only a successful import that was not rolled back can be rolled back."""


class RollbackRefused(Conflict):
    """Objects the import created changed since, or are used by newer objects."""


class TargetSandboxGone(Conflict):
    """The job's target sandbox was deleted after the job was submitted."""


class SnapshotGone(Conflict):
    """The package version the job imports was deleted after the job was submitted."""


class PlanNotFound(NotFound):
    """No import plan of that id in the caller's org."""

    def __init__(self, plan_id: str) -> None:
        super().__init__(f"planId: no plan '{plan_id}' in the caller's org")


class PlanMismatch(BadRequest):
    """The request does not fit the plan it names (package, target, kind or mappings)."""


class PlanExpired(Conflict):
    """The plan is older than a day; plan again."""
