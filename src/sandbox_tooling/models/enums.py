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
    WEBHOOK = "WEBHOOK"


class JobType(StrEnum):
    NEW = "NEW"
    RESUME = "RESUME"
    ROLLBACK = "ROLLBACK"
    COMPUTE = "COMPUTE"
    UPGRADE = "UPGRADE"
    UPDATE = "UPDATE"
    DELIVER = "DELIVER"


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
        (RequestType.WEBHOOK, JobType.DELIVER),  # send one webhook delivery (internal)
    }
)
#: Jobs of these request types are the service's own (webhook deliveries): never listed by
#: ``/packages/jobs`` or shown by ``/tools/job``, and their end is no audited or notified event.
INTERNAL_REQUEST_TYPES: frozenset[str] = frozenset({RequestType.WEBHOOK})
INTERNAL_JOB_TYPES: frozenset[str] = frozenset({JobType.DELIVER})


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


class AuditStatus(StrEnum):
    """An audit event's ``status``: the change was made, or it was attempted and failed."""

    SUCCESS = "Success"
    FAILURE = "Failure"


class AuditAction(StrEnum):
    """What an audit event records (docs/api.md, "Audit log"): ``<noun>.<verb>``."""

    TOKEN_ISSUE = "token.issue"
    CONSOLE_SIGN_IN = "console.signIn"
    CREDENTIAL_CREATE = "credential.create"
    USER_CREATE = "user.create"
    ROLE_CREATE = "role.create"
    ROLE_ASSIGN = "role.assign"
    SANDBOX_CREATE = "sandbox.create"
    SANDBOX_UPDATE = "sandbox.update"
    SANDBOX_RESET = "sandbox.reset"
    SANDBOX_DELETE = "sandbox.delete"
    OBJECT_CREATE = "object.create"
    OBJECT_UPDATE = "object.update"
    OBJECT_DELETE = "object.delete"
    OBJECTS_LOAD = "objects.load"
    PACKAGE_CREATE = "package.create"
    PACKAGE_UPDATE = "package.update"
    PACKAGE_MAKE_PUBLIC = "package.makePublic"
    PACKAGE_DELETE = "package.delete"
    PUBLISH_SUBMIT = "publish.submit"
    PUBLISH_FINISH = "publish.finish"
    IMPORT_SUBMIT = "import.submit"
    IMPORT_FINISH = "import.finish"
    UPDATE_SUBMIT = "update.submit"
    UPDATE_FINISH = "update.finish"
    ROLLBACK_SUBMIT = "rollback.submit"
    ROLLBACK_FINISH = "rollback.finish"
    VERSION_SUBMIT = "version.submit"
    VERSION_FINISH = "version.finish"
    COMPARE_SUBMIT = "compare.submit"
    COMPARE_FINISH = "compare.finish"
    TRANSFER_SUBMIT = "transfer.submit"
    TRANSFER_FINISH = "transfer.finish"
    COPY_SUBMIT = "copy.submit"
    COPY_FINISH = "copy.finish"
    HANDSHAKE_REQUEST = "handshake.request"
    HANDSHAKE_APPROVE = "handshake.approve"
    HANDSHAKE_REJECT = "handshake.reject"
    WEBHOOK_CREATE = "webhook.create"
    WEBHOOK_DELETE = "webhook.delete"


#: The submit and finish actions of each job kind.
JOB_ACTIONS: dict[JobKind, tuple[AuditAction, AuditAction]] = {
    (RequestType.EXPORT, JobType.NEW): (AuditAction.PUBLISH_SUBMIT, AuditAction.PUBLISH_FINISH),
    (RequestType.IMPORT, JobType.NEW): (AuditAction.IMPORT_SUBMIT, AuditAction.IMPORT_FINISH),
    (RequestType.IMPORT, JobType.UPDATE): (AuditAction.UPDATE_SUBMIT, AuditAction.UPDATE_FINISH),
    (RequestType.IMPORT, JobType.ROLLBACK): (
        AuditAction.ROLLBACK_SUBMIT,
        AuditAction.ROLLBACK_FINISH,
    ),
    (RequestType.VERSION, JobType.UPGRADE): (
        AuditAction.VERSION_SUBMIT,
        AuditAction.VERSION_FINISH,
    ),
    (RequestType.VERSION, JobType.COMPUTE): (
        AuditAction.COMPARE_SUBMIT,
        AuditAction.COMPARE_FINISH,
    ),
    (RequestType.TRANSFER, JobType.NEW): (
        AuditAction.TRANSFER_SUBMIT,
        AuditAction.TRANSFER_FINISH,
    ),
    (RequestType.COPY, JobType.NEW): (AuditAction.COPY_SUBMIT, AuditAction.COPY_FINISH),
}


class WebhookEvent(StrEnum):
    """The events an org's webhooks can subscribe to."""

    JOB_SUCCEEDED = "job.succeeded"
    JOB_FAILED = "job.failed"
    PACKAGE_PUBLISHED = "package.published"
    TRANSFER_COMPLETED = "transfer.completed"
    TRANSFER_FAILED = "transfer.failed"
    HANDSHAKE_REQUESTED = "handshake.requested"
    HANDSHAKE_APPROVED = "handshake.approved"
    HANDSHAKE_REJECTED = "handshake.rejected"


class DeliveryStatus(StrEnum):
    """A webhook delivery: waiting for its (next) attempt, delivered, or given up."""

    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
