"""Read models of the operational endpoints."""

from __future__ import annotations

from typing import Literal

from sandbox_tooling.kit.schema import ReadModel


class Health(ReadModel):
    status: Literal["ok"]


class ReadinessRead(ReadModel):
    status: Literal["ready", "unavailable"]
    database: Literal["ok", "unavailable"]
    blobs: Literal["ok", "unavailable"]
