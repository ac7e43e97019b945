"""Package errors."""

from __future__ import annotations

from sandbox_tooling.errors import Conflict, NotFound


class PackageNotFound(NotFound):
    title = "Package not found"

    def __init__(self, package_id: str) -> None:
        super().__init__(f"package {package_id} not found")


class PackageNotEditable(Conflict):
    title = "Package not editable"

    def __init__(self, package_id: str, status: str) -> None:
        super().__init__(f"package {package_id} is {status}; only DRAFT packages can be edited")


class StaleVersion(Conflict):
    title = "Stale version"

    def __init__(self, given: int, current: int) -> None:
        super().__init__(
            f"version: {given} is stale; the package is at version {current} (reload and retry)"
        )
