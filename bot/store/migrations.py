"""Ordered schema migrations with a version table.

Each migration is applied once, in order, inside a transaction, and its number recorded in
``schema_version``. A migration that creates a table uses the Table object from ``schema``; a migration
that later adds a column to an existing table must check the inspector first, because a fresh database
gets the newest table shape from the earlier ``create``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, inspect, select

from . import schema
from .backend import lock_for_migration

Migration = Callable[[Connection], None]


def _initial(conn: Connection) -> None:
    for table in (schema.articles, schema.posts, schema.attempts, schema.kv):
        table.create(conn, checkfirst=True)


def _feeds(conn: Connection) -> None:
    for table in (schema.feeds, schema.feed_entries, schema.article_keys, schema.article_updates):
        table.create(conn, checkfirst=True)


MIGRATIONS: list[tuple[int, str, Migration]] = [
    (1, "articles, posts (outbox), attempts, kv", _initial),
    (2, "feeds, feed entries, article dedup keys, article updates", _feeds),
]


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table("schema_version"):
        return 0
    version = conn.execute(select(schema.schema_version.c.version).order_by(schema.schema_version.c.version.desc()))
    return int(version.scalar() or 0)


def migrate(engine: Engine) -> list[int]:
    """Bring the database up to the newest version; returns the versions applied now."""
    applied = []
    with engine.begin() as conn:
        lock_for_migration(conn)
        schema.schema_version.create(conn, checkfirst=True)
    for number, _description, step in MIGRATIONS:
        with engine.begin() as conn:
            lock_for_migration(conn)  # then read the version: another worker may have just applied it
            if current_version(conn) >= number:
                continue
            step(conn)
            conn.execute(schema.schema_version.insert().values(version=number, applied_at=datetime.now(UTC)))
            applied.append(number)
    return applied
