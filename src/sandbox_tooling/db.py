"""Engine, sessions and the declarative base.

SQLite (WAL) is the embedded default; PostgreSQL is used when ``SBX_DATABASE_URL`` is set.
On SQLite, sessions that write open their transaction with ``BEGIN IMMEDIATE`` so that two
writers queue on the busy timeout instead of failing when a read lock cannot be upgraded.

The connection pool has a fixed size and no overflow (``SBX_DB_POOL_SIZE``, sized with the
request threads and job workers; docs/architecture.md, "Concurrency and admission"); a
checkout that waits longer than ``SBX_DB_POOL_TIMEOUT_SECONDS`` raises SQLAlchemy's
``TimeoutError``, which the API answers with 503 and ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import JSON, Engine, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

if TYPE_CHECKING:
    from sandbox_tooling.config import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")

_IMMEDIATE = "sbx_sqlite_immediate"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def normalize_url(url: str) -> str:
    """Map a plain ``postgresql://`` URL to the driver this project ships (psycopg 3)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


#: The defaults of ``Settings``: 16 request threads + 2 job workers + 4.
POOL_SIZE = 22
POOL_TIMEOUT_SECONDS = 10.0


def make_engine(
    url: str, *, pool_size: int = POOL_SIZE, pool_timeout: float = POOL_TIMEOUT_SECONDS
) -> Engine:
    url = normalize_url(url)
    pool: dict[str, Any] = {"pool_size": pool_size, "max_overflow": 0, "pool_timeout": pool_timeout}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        else:  # an in-memory database: SQLAlchemy's one-connection pool, nothing to size
            pool = {}
        engine = create_engine(
            url,
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
            connect_args={"check_same_thread": False, "timeout": 60},
            **pool,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        pool_pre_ping=True,
        **pool,
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        # 64 MiB page cache (the default is 2 MiB): ids are random, so index inserts of a
        # large import touch pages all over the b-trees.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(_IMMEDIATE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


class Database:
    """Owns the engine and hands out sessions."""

    def __init__(
        self, url: str, *, pool_size: int = POOL_SIZE, pool_timeout: float = POOL_TIMEOUT_SECONDS
    ) -> None:
        self.url = normalize_url(url)
        self.pool_size = pool_size
        self.engine = make_engine(url, pool_size=pool_size, pool_timeout=pool_timeout)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._read = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._write = sessionmaker(
            self.engine.execution_options(**{_IMMEDIATE: True}),
            expire_on_commit=False,
            autoflush=False,
        )
        self._commit_hook: Callable[[Session], None] | None = None
        self._before_commit_hook: Callable[[Session], None] | None = None
        for maker in (self._read, self._write):
            event.listen(maker, "after_commit", self._after_commit)
            event.listen(maker, "before_commit", self._before_commit)

    @classmethod
    def for_settings(cls, settings: Settings) -> Database:
        """The database of these settings, its pool sized by them."""
        return cls(
            settings.resolved_database_url(),
            pool_size=settings.resolved_db_pool_size(),
            pool_timeout=settings.db_pool_timeout_seconds,
        )

    def on_commit(self, hook: Callable[[Session], None] | None) -> None:
        """Call ``hook(session)`` after each commit of this database's sessions (one hook:
        the runtime's, which submits the jobs a transaction created)."""
        self._commit_hook = hook

    def before_commit(self, hook: Callable[[Session], None] | None) -> None:
        """Call ``hook(session)`` just before each commit, inside the transaction (one hook:
        the queue backend's, which enqueues the jobs the transaction made PENDING)."""
        self._before_commit_hook = hook

    def _before_commit(self, session: Session) -> None:
        if self._before_commit_hook is not None:
            self._before_commit_hook(session)

    def _after_commit(self, session: Session) -> None:
        if self._commit_hook is not None:
            self._commit_hook(session)

    def session(self, *, write: bool = True) -> Session:
        return (self._write if write else self._read)()

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        session = self.session(write=write)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
