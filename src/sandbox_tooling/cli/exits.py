"""The exit codes of ``sbx`` (documented in docs/cli.md)."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    ERROR = 1  # the server refused the request, or anything else went wrong
    USAGE = 2  # bad arguments or options (also: a destructive command without --yes)
    AUTH = 3  # no credentials, or they (or the token) were refused
    JOB_FAILED = 4  # a job the command waited for ended FAILED
    TIMEOUT = 5  # a job was still running when --timeout passed
    DRIFTED = 6  # the target changed since the plan: nothing was applied
    CHANGES = 7  # import plan --detailed-exitcode: the plan would write to the target
