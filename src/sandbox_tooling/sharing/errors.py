"""Sharing errors: partner links and transfers."""

from __future__ import annotations

from sandbox_tooling.errors import BadRequest, Conflict, Forbidden, NotFound


class LinkNotFound(NotFound):
    """No link with that ``linkingID`` involving the caller's org."""


class NotLinkTarget(Forbidden):
    """Only the target org of a link approves or rejects it."""


class OrgDetailsMismatch(BadRequest):
    """``targetIMSOrgDetails`` does not describe the caller's org."""


class LinkDecided(Conflict):
    """APPROVED and REJECTED are final."""


class CannotShareWithSelf(BadRequest):
    """A package is shared with other orgs, not its own."""


class TransferNotFound(NotFound):
    """No transfer of that id from or to the caller's org."""


class PublicPackageNotFound(NotFound):
    """No PUBLIC, PUBLISHED package of that id in the named org (private ones look the same)."""


class NoApprovedLink(Conflict):
    """A private transfer needs an approved link between the two orgs."""

    def __init__(self, source: str, target: str) -> None:
        super().__init__(
            f"no approved link between {source} and {target}: org {target} has no approved "
            f"link with org {source}; send a handshake and have it approved"
        )


class TransferRefused(Conflict):
    """The package or the target org no longer allows the transfer."""


class TransferGone(Conflict):
    """The transfer a job carries out was deleted."""
