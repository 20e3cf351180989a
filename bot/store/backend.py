"""Everything that differs between SQLite and PostgreSQL lives here, and only here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Select, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from ..errors import StoreError

_EXAMPLES = "e.g. sqlite:///data/newsbot.db or postgresql+psycopg://user:password@host:5432/newsbot"


def masked(url: str | URL) -> str:
    """``url`` fit to print: the password is replaced by ***, even when the URL cannot be parsed."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    # user:password@ before the host; a URL too broken to parse may still carry one. Up to the last "@",
    # so that a password with an unescaped ":" or "@" is hidden whole.
    scheme, slashes, rest = url.partition("//") if "//" in url else ("", "", url)
    return scheme + slashes + re.sub(r"^([^:/@\s]*:)\S*@", r"\1***@", rest)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def parse_url(url: str) -> URL:
    """``url`` parsed, touching nothing; a StoreError naming NEWSBOT_DATABASE_URL when it is no database URL."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        # ValueError: a port that is not a number ("host:notaport"), found while parsing.
        why = f" ({exc})" if isinstance(exc, ValueError) else ""
        raise StoreError(
            f"NEWSBOT_DATABASE_URL: {masked(url)!r} is not a database URL{why}; set it to a valid one ({_EXAMPLES})"
        ) from None


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout.

    ``hide_parameters``: a failed statement's error names the SQL but not its values, which may be a
    platform session (live tokens) on its way to the state table; such errors reach logs and the outbox."""
    parsed = parse_url(url)
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
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    except NoSuchModuleError:
        raise StoreError(
            f"NEWSBOT_DATABASE_URL: {masked(parsed)!r} names a database or driver "
            f"({parsed.drivername!r}) that SQLAlchemy does not know; set it to a supported URL ({_EXAMPLES})"
        ) from None
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"NEWSBOT_DATABASE_URL: the database driver for {parsed.drivername!r} is not installed ({exc.name}); "
            "install it, or for PostgreSQL install 'newsbot[postgres]' and write the URL as postgresql+psycopg://…"
        ) from None
    except (ArgumentError, ValueError, TypeError) as exc:
        raise StoreError(
            f"NEWSBOT_DATABASE_URL: {masked(parsed)!r} cannot be used ({exc}); set it to a valid URL ({_EXAMPLES})"
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
