"""Asynchronous jobs (publish, import, compare, version, update, transfer, rollback)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sandbox_tooling.db import Base, JSONType


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_org_created", "org_id", "created_date"),
        Index("ix_jobs_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(128))
    package_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    request_type: Mapped[str] = mapped_column(String(16))
    job_type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(512))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    package_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    source_sandbox: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    destination_sandbox: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    snapshot_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    package_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSONType)
    result: Mapped[dict[str, Any]] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    counter: Mapped[int] = mapped_column(Integer, default=0)
    locked_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    heartbeat: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_by: Mapped[str] = mapped_column(String(256))
    created_date: Mapped[int] = mapped_column(BigInteger)
    modified_date: Mapped[int] = mapped_column(BigInteger)
    started_date: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    finished_date: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # A PENDING job is not run before this time (epoch ms; None: at once). Retries are
    # scheduled with it (job/runner.py); a queue backend maps it to its own schedule.
    not_before: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class JobProgress(Base):
    """Live progress of a running job, written by the worker running it every
    ``SBX_JOB_PROGRESS_SECONDS`` (procrastinate backend), so that any API process can show
    it. No foreign key to ``jobs``: the running job's transaction holds its row locked, and a
    key check would wait for it."""

    __tablename__ = "job_progress"

    job_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    planned: Mapped[dict[str, int]] = mapped_column(JSONType)
    completed: Mapped[list[Any]] = mapped_column(JSONType)
    failed: Mapped[list[Any]] = mapped_column(JSONType)
    updated_date: Mapped[int] = mapped_column(BigInteger)
