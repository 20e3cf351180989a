"""The store: created and migrated automatically, SQLite tuned, articles and key/value state round-trip."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.errors import NotFoundError, StoreError
from bot.models import Article, ArticleState, Priority
from bot.store import Store, open_store
from bot.store import migrations as migrations_module
from bot.store.migrations import MIGRATIONS


def test_a_fresh_database_gets_every_migration(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/sub/dir/new.db")
    assert (tmp_path / "sub/dir/new.db").exists()
    assert store.schema_version() == MIGRATIONS[-1][0]
    tables = set(inspect(store.engine).get_table_names())
    assert {"articles", "posts", "attempts", "kv", "schema_version"} <= tables


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/wal.db")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_reopening_an_existing_database_applies_only_new_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    store = open_store(url)
    article_id = store.add_article(Article(source="a.txt", text="body", title="t"))
    store.close()

    applied: list[str] = []

    def add_notes_table(conn: object) -> None:
        applied.append("notes")
        conn.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")  # type: ignore[attr-defined]

    newest = MIGRATIONS[-1][0]
    monkeypatch.setattr(migrations_module, "MIGRATIONS", [*MIGRATIONS, (newest + 1, "notes", add_notes_table)])
    reopened = open_store(url)
    assert applied == ["notes"]
    assert reopened.schema_version() == newest + 1
    assert reopened.get_article(article_id).article.text == "body"  # data survives the migration
    reopened.close()
    open_store(url).close()
    assert applied == ["notes"]  # applied once, never again


def test_a_database_path_that_cannot_be_opened_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError):
        open_store(f"sqlite:///{blocker}/x/db.sqlite")


def test_not_a_database_url_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="NEWSBOT_DATABASE_URL"):
        open_store("not a url")


def test_article_round_trip_keeps_metadata_and_aware_datetimes(store: Store) -> None:
    kyiv = timezone(timedelta(hours=2))
    article = Article(
        source="queue/a.md",
        text="Body text.",
        title="Title",
        url="https://news.example/a",
        published=datetime(2026, 2, 27, 12, 16, tzinfo=kyiv),
        priority=Priority.BREAKING,
        tags=("ukraine", "belarus"),
        image="https://news.example/a.jpg",
        image_alt="A photo",
        language="en",
    )
    stored = store.get_article(store.add_article(article))
    assert stored.article == article
    assert stored.article.published is not None
    assert stored.article.published.tzinfo is not None
    assert stored.article.published == datetime(2026, 2, 27, 10, 16, tzinfo=UTC)
    assert stored.state == ArticleState.INGESTED


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        store.add_article(Article(source="a", text="b", published=datetime(2026, 1, 1)))


def test_duplicates_are_found_by_canonical_url_or_content_hash(store: Store) -> None:
    first = store.add_article(Article(source="a", text="Same  body", title="T", url="https://n.example/x"))
    assert store.find_duplicate("https://n.example/x", "0" * 64) == first
    same_content = Article(source="b", text="same body", title="t")
    assert store.find_duplicate(None, same_content.content_hash) == first
    assert store.find_duplicate("https://n.example/other", "0" * 64) is None


def test_missing_article_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no article with id 42"):
        store.get_article(42)


def test_key_value_state_is_persistent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/kv.db"
    store = open_store(url)
    assert store.kv.get("bluesky.session") is None
    store.kv.set("bluesky.session", "one")
    store.kv.set("bluesky.session", "two")
    store.close()
    assert open_store(url).kv.get("bluesky.session") == "two"
    raw = sqlite3.connect(tmp_path / "kv.db").execute("select count(*) from kv").fetchone()
    assert raw == (1,)


def test_a_database_error_never_quotes_the_values_it_was_writing(tmp_path: Path) -> None:
    # The state table holds live platform sessions (Bluesky's refresh token). A failed write (a locked or
    # full disk, a dropped connection) raises an error that ends up in the outbox's last error and the
    # logs, where no credential may appear: the statement is named, its values are not.
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    store = open_store(f"sqlite:///{tmp_path / 'bot.db'}")
    with store.transaction() as conn:
        conn.execute(text("DROP TABLE kv"))  # any failure of the write will do
    with pytest.raises(OperationalError) as caught:
        store.kv.set("bluesky.session.newsdesk", "refreshJwt-eyJhbGciOiJFUzI1NiJ9-session")
    store.close()

    assert "UPDATE kv" in str(caught.value)
    assert "refreshJwt" not in str(caught.value)
