"""Settings, read from the environment with the ``SBX_`` prefix."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    # The console's session cookies are signed with this key; empty: a key generated once and
    # kept in ``$SBX_DATA_DIR/secret_key`` (so restarts keep sessions).
    secret_key: str = ""
    console_session_hours: float = 12.0

    job_workers: int = 2
    job_max_attempts: int = 3
    job_sweep_seconds: float = 5.0

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'sbx.db'}"

    def resolved_blob_dir(self) -> Path:
        return self.blob_dir or (self.data_dir / "blobs")


@lru_cache
def get_settings() -> Settings:
    return Settings()
