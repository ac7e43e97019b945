"""Settings, read from the environment with the ``SBX_`` prefix."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sbx"


class Settings(BaseSettings):
    """Service settings. Every field can be set as ``SBX_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="SBX_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    # Plain ``postgresql://user@host:port/db``; the driver is ours to choose. Empty: SQLite.
    database_url: str = ""
    blob_dir: Path | None = None
    # ``s3://bucket/prefix`` for an S3-compatible store; empty: the local directory.
    blob_url: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""

    token_ttl_seconds: int = 86_400
    max_body_bytes: int = 50 * 1024 * 1024
    default_page_size: int = 20
    max_page_size: int = 100
    package_expiry_days: int = 90
    max_package_artifacts: int = 1_000
    max_closure_size: int = 500_000

    log_level: str = "INFO"

    # How long a sign-in to the web console lasts (its cookie is signed with ``secret_key``).
    console_session_hours: float = 12.0

    # Job backend: "inprocess" (a thread pool in the serving process, one process per
    # database) or "procrastinate" (PostgreSQL only: API processes defer, ``sbx worker``
    # processes run). Empty: procrastinate on PostgreSQL, inprocess on SQLite.
    job_backend: str = ""
    job_workers: int = 2
    # In-process runner: run each job attempt in a job process of its own (job/processes.py),
    # so that jobs do not take the serving process's interpreter lock from requests.
    job_processes: bool = False
    # CPU priority (Unix nice increment) of job processes and of `sbx worker` processes.
    job_nice: int = Field(default=0, ge=0, le=19)
    job_max_attempts: int = 3
    job_sweep_seconds: float = 5.0
    # Retries of retriable job failures wait base * 2^(attempt-1) seconds, at most max.
    job_retry_base_seconds: float = Field(default=0.5, ge=0)
    job_retry_max_seconds: float = Field(default=60.0, ge=0)
    # Procrastinate workers: heartbeat period; a worker silent for ``worker_stalled_seconds``
    # is dead and its jobs are retried elsewhere; running jobs' progress is written to the
    # database every ``job_progress_seconds`` (any API process reads it).
    worker_heartbeat_seconds: float = Field(default=5.0, gt=0)
    worker_stalled_seconds: float = Field(default=30.0, gt=0)
    job_progress_seconds: float = Field(default=1.0, gt=0)

    # Concurrency (docs/architecture.md, "Concurrency and admission"). At most http_threads
    # requests are in flight, http_write_slots of them kept for writes (POST, PUT, PATCH,
    # DELETE) so reads cannot starve them; others wait up to admission_queue_seconds (at most
    # admission_queue_limit of them), then get 503 with Retry-After. The thread pool of sync
    # endpoints has http_threads threads; the connection pool (no overflow) has db_pool_size
    # connections, 0: http_threads + job_workers + 4 (the job sweeper, /readyz, /metrics).
    http_threads: int = Field(default=8, ge=2)
    http_write_slots: int = Field(default=2, ge=1)
    admission_queue_seconds: float = Field(default=5.0, ge=0)
    admission_queue_limit: int = Field(default=1000, ge=0)
    db_pool_size: int = Field(default=0, ge=0)
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0)

    # How long a process keeps the caller it read for an access token (identity/cache.py):
    # a change made by another process takes effect within this time; 0: read every time.
    auth_cache_seconds: float = Field(default=5.0, ge=0)

    # The server key from which webhook signing secrets are derived (webhook/keys.py).
    # Empty: a random key kept in $SBX_DATA_DIR/secret.key, made on first use.
    secret_key: SecretStr = SecretStr("")

    # Webhooks (docs/api.md, "Webhooks"). Deliveries are retried with exponential backoff
    # (base * 2^(attempt-1), at most max) up to max_attempts, then FAILED.
    webhook_max_per_org: int = Field(default=20, ge=1)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_max_attempts: int = Field(default=10, ge=1)
    webhook_retry_base_seconds: float = Field(default=30.0, ge=0)
    webhook_retry_max_seconds: float = Field(default=6 * 3600.0, ge=0)
    # Targets (SSRF): only public addresses unless these allow more; link-local (cloud
    # metadata), multicast, unspecified and reserved addresses are never allowed.
    webhook_allow_private: bool = False
    webhook_allow_loopback: bool = False
    # When set (comma-separated or a JSON list): the only host names or IP literals a
    # webhook URL may name; checked before any name is resolved.
    webhook_allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("webhook_allowed_hosts", mode="before")
    @classmethod
    def _host_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [h.strip() for h in text.split(",") if h.strip()]
        return value

    @model_validator(mode="after")
    def _slots(self) -> Settings:
        if self.http_write_slots >= self.http_threads:
            raise ValueError(
                f"SBX_HTTP_WRITE_SLOTS ({self.http_write_slots}) must be below "
                f"SBX_HTTP_THREADS ({self.http_threads}): the rest are the reads' slots"
            )
        return self

    def resolved_db_pool_size(self) -> int:
        """Connections: one per request thread and job worker, and a few for the rest."""
        return self.db_pool_size or self.http_threads + self.job_workers + 4

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'sbx.db'}"

    def resolved_job_backend(self) -> str:
        """``procrastinate`` or ``inprocess``: the setting, else by the database."""
        backend = self.job_backend.strip().lower()
        if backend:
            if backend not in ("procrastinate", "inprocess"):
                raise ValueError(f"SBX_JOB_BACKEND: unknown backend {self.job_backend!r}")
            return backend
        url = self.resolved_database_url()
        return "procrastinate" if url.startswith(("postgresql", "postgres:")) else "inprocess"

    def resolved_blob_dir(self) -> Path:
        return self.blob_dir or (self.data_dir / "blobs")


@lru_cache
def get_settings() -> Settings:
    return Settings()
