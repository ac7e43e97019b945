"""Webhook errors."""

from __future__ import annotations

from sandbox_tooling.errors import BadRequest, Conflict, NotFound


class InvalidWebhookUrl(BadRequest):
    """A webhook URL that is not an absolute http(s) URL without credentials."""


class WebhookTargetRefused(BadRequest):
    """The webhook URL names a host or address deliveries may not go to (SSRF policy)."""


class WebhookNotFound(NotFound):
    """No webhook of that id in the caller's org."""


class TooManyWebhooks(Conflict):
    """The org holds the maximum number of webhooks (``SBX_WEBHOOK_MAX_PER_ORG``)."""
