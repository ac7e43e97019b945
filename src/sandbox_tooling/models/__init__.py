"""All ORM models, in one package to avoid import cycles."""

from sandbox_tooling.models.audit import AuditEvent
from sandbox_tooling.models.identity import AccessToken, Credential, Org, Role, User, UserRole
from sandbox_tooling.models.job import Job, JobProgress
from sandbox_tooling.models.package import Package, PackageVersion
from sandbox_tooling.models.plan import StoredPlan
from sandbox_tooling.models.registry import ObjectReference, RegistryObject
from sandbox_tooling.models.sandbox import Sandbox
from sandbox_tooling.models.sharing import Handshake, Transfer
from sandbox_tooling.models.webhook import Webhook, WebhookAttempt, WebhookDelivery

__all__ = [
    "AccessToken",
    "AuditEvent",
    "Credential",
    "Handshake",
    "Job",
    "JobProgress",
    "ObjectReference",
    "Org",
    "Package",
    "PackageVersion",
    "RegistryObject",
    "Role",
    "Sandbox",
    "StoredPlan",
    "Transfer",
    "User",
    "UserRole",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
]
