"""Package errors."""

from __future__ import annotations

from sandbox_tooling.errors import BadRequest, Conflict, NotFound


class PackageNotFound(NotFound):
    """No package of that id in the caller's org (or not visible to the caller)."""

    title = "Package not found"

    def __init__(self, package_id: str) -> None:
        super().__init__(f"package {package_id} not found")


class PackageNotEditable(Conflict):
    """Artifacts and metadata change only while the package is DRAFT."""

    title = "Package not editable"

    def __init__(self, package_id: str, status: str) -> None:
        super().__init__(f"package {package_id} is {status}; only DRAFT packages can be edited")


class StaleVersion(Conflict):
    """The ``version`` sent is not the package's current one."""

    title = "Stale version"

    def __init__(self, given: int, current: int) -> None:
        super().__init__(
            f"version: {given} is stale; the package is at version {current} (reload and retry)"
        )


class PackageNameTaken(Conflict):
    """Another package of the org has that name."""

    title = "Package name taken"

    def __init__(self, name: str) -> None:
        super().__init__(f"name: a package named '{name}' already exists")


class SourceSandboxNotFound(BadRequest):
    """``sourceSandbox.name`` names no live sandbox of the org."""

    def __init__(self, name: str) -> None:
        super().__init__(f"sourceSandbox.name: sandbox '{name}' does not exist")


class SourceSandboxDeleted(Conflict):
    """The package's source sandbox was deleted since the package was made."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the package's source sandbox '{name}' was deleted")


class InvalidExpiry(BadRequest):
    """``expiry`` is not an ISO-8601 date in the future (or ``expiryPeriod`` is negative)."""


class InvalidArtifacts(BadRequest):
    """The ``artifacts`` list does not fit the package (type, count, FULL package...)."""


class ArtifactsNotFound(BadRequest):
    """Root artifacts that are not in the source sandbox."""


class ActionMismatch(BadRequest):
    """The fields sent do not fit the ``action``."""


class PackageNotPublished(Conflict):
    """The operation needs a PUBLISHED package."""


class PackageNotPublishable(Conflict):
    """Only a DRAFT (or PUBLISH_FAILED) package with artifacts can be published."""


class EmptyPackage(BadRequest):
    """A PARTIAL package without artifacts cannot be published."""

    def __init__(self, package_id: str) -> None:
        super().__init__(f"package {package_id} has no artifacts to publish")


class PackageBusy(Conflict):
    """The package is being published or versioned; try again once that ends."""


class VisibilityIrreversible(Conflict):
    """A PUBLIC package cannot become PRIVATE again."""

    def __init__(self, package_id: str) -> None:
        super().__init__(
            f"packageVisibility: package {package_id} is PUBLIC; that cannot be undone"
        )


class PackageNotPublic(Conflict):
    """Only a PUBLIC package has a payload to share."""

    def __init__(self, package_id: str) -> None:
        super().__init__(
            f"package {package_id} is PRIVATE; only a PUBLIC package has a payload to share"
        )


class NotInPackage(BadRequest):
    """An artifact asked about is not in the package's closure."""


class SourceObjectsMissing(Conflict):
    """Objects of the package's closure vanished from its source sandbox."""


class PackageChanged(Conflict):
    """The package changed (or was deleted) while a job about it ran."""


class InvalidPackageFile(BadRequest):
    """An uploaded package file that is not one, is corrupt, or was altered."""
