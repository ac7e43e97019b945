"""Run Alembic migrations programmatically (``alembic upgrade head``), and on PostgreSQL
apply Procrastinate's schema (the job queue of ``sbx worker``) when it is not there yet.

Several processes may start at once against one PostgreSQL database (API processes and
workers all migrate first): the whole upgrade runs under a PostgreSQL advisory lock, so they
take turns and all but the first find nothing to do.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

#: ``pg_advisory_lock`` key held while migrating (any constant unlikely to clash).
MIGRATION_LOCK = 0x5B78_0001


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    from sandbox_tooling.db import make_engine

    if not url.startswith(("postgresql", "postgres:")):
        command.upgrade(alembic_config(url), "head")
        return
    engine = make_engine(url)
    try:
        with engine.connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
            try:
                command.upgrade(alembic_config(url), "head")
                apply_queue_schema(url)
            finally:
                lock.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
                lock.commit()
    finally:
        engine.dispose()


def queue_schema_present(conn: object) -> bool:
    from sqlalchemy.engine import Connection

    assert isinstance(conn, Connection)
    return conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None


def apply_queue_schema(url: str) -> bool:
    """Create Procrastinate's tables, types and functions unless they exist; True if it did.

    The schema is the one of the pinned Procrastinate version (``requirements.lock``); a
    later Procrastinate release that changes it comes with its own migration here."""
    import procrastinate.schema

    from sandbox_tooling.db import make_engine

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            if queue_schema_present(conn):
                return False
            sql = procrastinate.schema.SchemaManager.get_schema()
            # Through the driver with no parameters: the SQL holds literal '%' signs.
            cursor = conn.connection.cursor()
            try:
                cursor.execute(sql)
            finally:
                cursor.close()
            return True
    finally:
        engine.dispose()
