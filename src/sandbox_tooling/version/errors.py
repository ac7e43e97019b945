"""Version errors."""

from __future__ import annotations

from sandbox_tooling.errors import BadRequest, Conflict


class NotVersionable(Conflict):
    """Compare and update need every root artifact of a type that supports updates."""

    def __init__(self, package_id: str) -> None:
        super().__init__(
            f"package {package_id} is not VERSIONABLE: every root artifact must be of a type "
            "that supports updates (schemas, classes, field groups, data types)"
        )


class NoSuchVersion(BadRequest):
    """``packageVersion`` names no version of the package."""


class NoPublishedVersion(Conflict):
    """The package has no published version yet."""


class VersionInProgress(Conflict):
    """A version of the package is being saved already."""


class VersionExists(Conflict):
    """The version a save job was to record exists already."""


class VersionGone(Conflict):
    """The package, version or target a compare job works on was deleted meanwhile."""


class InvalidCompare(BadRequest):
    """A compare or update request that does not fit (a mapping without a target, an id)."""
