"""The closed vocabularies of stored rows: statuses, kinds and visibilities.

Every value is spelled as the documents spell it (and as it is stored), so a member compares
equal to the plain string in JSON, in the database and in filters.
"""

from __future__ import annotations

from enum import StrEnum


class PackageStatus(StrEnum):
    DRAFT = "DRAFT"
    PUBLISH_IN_PROGRESS = "PUBLISH_IN_PROGRESS"
    PUBLISHED = "PUBLISHED"
    PUBLISH_FAILED = "PUBLISH_FAILED"


class PackageType(StrEnum):
    PARTIAL = "PARTIAL"
    FULL = "FULL"


class Visibility(StrEnum):
    PRIVATE = "PRIVATE"
    PUBLIC = "PUBLIC"


class PackageAction(StrEnum):
    """What a ``PUT /packages`` does."""

    ADD = "ADD"
    DELETE = "DELETE"
    UPDATE = "UPDATE"


class Capability(StrEnum):
    VERSIONABLE = "VERSIONABLE"


class JobStatus(StrEnum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCESS, JobStatus.FAILED, JobStatus.CANCELLED)


class RequestType(StrEnum):
    EXPORT = "EXPORT"
    IMPORT = "IMPORT"
    COPY = "COPY"
    VERSION = "VERSION"
    TRANSFER = "TRANSFER"


class JobType(StrEnum):
    NEW = "NEW"
    RESUME = "RESUME"
    ROLLBACK = "ROLLBACK"
    COMPUTE = "COMPUTE"
    UPGRADE = "UPGRADE"
    UPDATE = "UPDATE"


#: The ``(requestType, jobType)`` pairs sbx creates; each needs exactly one handler.
JobKind = tuple[RequestType, JobType]
JOB_KINDS: frozenset[JobKind] = frozenset(
    {
        (RequestType.EXPORT, JobType.NEW),  # publish
        (RequestType.IMPORT, JobType.NEW),  # import
        (RequestType.IMPORT, JobType.UPDATE),  # update existing objects
        (RequestType.IMPORT, JobType.ROLLBACK),  # undo an import
        (RequestType.VERSION, JobType.UPGRADE),  # save version n+1
        (RequestType.VERSION, JobType.COMPUTE),  # compare
        (RequestType.TRANSFER, JobType.NEW),  # copy a package to another org
        (RequestType.COPY, JobType.NEW),  # express copy: package, publish and import at once
    }
)


class PlanKind(StrEnum):
    """What an import plan is for."""

    IMPORT = "IMPORT"  # a new import of a published package
    UPDATE = "UPDATE"  # an update of the objects an earlier import created
    EXPRESS = "EXPRESS"  # an express copy (package, publish and import in one job)


class PlanAction(StrEnum):
    """What an import plan does with one artifact."""

    CREATE = "CREATE"  # a new object, with the package's title
    RENAME = "RENAME"  # a new object whose title is taken in the target: suffixed
    REUSE = "REUSE"  # an object of the target with the same type and title is used
    SUBSTITUTE = "SUBSTITUTE"  # mapped to a target object (alternatives, an update's pairs)
    EXISTS = "EXISTS"  # an identity namespace whose code the target has
    SKIP = "SKIP"  # needed only by reused or substituted objects: not imported
    UPDATE = "UPDATE"  # an update writes the new definition over the paired object
    NO_CHANGE = "NO_CHANGE"  # an update's paired object is already equal


class TaskStatus(StrEnum):
    """The ``messages[].status`` of an import task."""

    CREATED = "CREATED"
    OBJECT_REUSED = "OBJECT_REUSED"
    OBJECT_EXISTS = "OBJECT_EXISTS"
    NO_CHANGE = "NO_CHANGE"
    UPDATED = "UPDATED"
    DELETED = "DELETED"
    FAILED = "FAILED"


class HandshakeStatus(StrEnum):
    APPROVAL_PENDING = "APPROVAL_PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class HandshakeAction(StrEnum):
    """What a link's ``statusHistory`` records."""

    INITIATED = "INITIATED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class TransferStatus(StrEnum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class TransferKind(StrEnum):
    """A transfer's ``requestType``: pushed to a linked org, or pulled as a public package."""

    PRIVATE = "PRIVATE"
    PUBLIC = "PUBLIC"


class SandboxState(StrEnum):
    ACTIVE = "active"
    DELETED = "deleted"


class SandboxType(StrEnum):
    PRODUCTION = "production"
    DEVELOPMENT = "development"
