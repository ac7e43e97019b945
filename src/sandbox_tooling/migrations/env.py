"""Alembic environment: the URL comes from the caller's config or from SBX_ settings."""

from __future__ import annotations

from alembic import context

from sandbox_tooling import models  # noqa: F401  (registers every table on Base.metadata)
from sandbox_tooling.config import get_settings
from sandbox_tooling.db import Base, make_engine, normalize_url

config = context.config


def include_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
    """Procrastinate's own tables (PostgreSQL, applied by ``sbx migrate``) are not ours to
    compare."""
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url()


def run_migrations_offline() -> None:
    context.configure(url=normalize_url(url), target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
