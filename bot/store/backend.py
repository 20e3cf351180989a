"""Everything that differs between SQLite and PostgreSQL lives here, and only here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Select, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ..errors import StoreError


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"NEWSBOT_DATABASE_URL: {url!r} is not a database URL (e.g. sqlite:///data/newsbot.db)") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the folder for the database {database!r} ({exc.strerror}); "
                    "set NEWSBOT_DATA_DIR or NEWSBOT_DATABASE_URL to a writable place"
                ) from None
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"the database driver for {parsed.get_backend_name()} is not installed ({exc.name}); "
            "for PostgreSQL install newsbot[postgres]"
        ) from None


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _sqlite_on_begin).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front, so two processes claiming the same due row serialise
    # instead of both reading it as free.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def lock_rows(stmt: Select[Any], engine: Engine) -> Select[Any]:
    """Rows claimed by one worker are invisible to the others (PostgreSQL); SQLite locks the database."""
    if is_sqlite(engine):
        return stmt
    return stmt.with_for_update(skip_locked=True)


# Any fixed number: the advisory lock that serialises schema migrations between workers.
_MIGRATION_LOCK = 0x6E657773  # "news"


def lock_for_migration(conn: Connection) -> None:
    """Hold the schema lock until ``conn``'s transaction ends, so workers starting together migrate once.

    PostgreSQL: a transaction-scoped advisory lock (two workers creating the same table at once would
    otherwise collide). SQLite: ``BEGIN IMMEDIATE`` already holds the database's write lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
