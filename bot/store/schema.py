"""Tables (SQLAlchemy Core). The schema's history lives in ``migrations.py``; this is its current shape."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite has no time zones: store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass a timezone-aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", UTCDateTime, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),  # queue file name, feed entry id or URL
    Column("canonical_url", Text),
    Column("content_hash", String(64), nullable=False),
    Column("title", Text),
    Column("body", Text, nullable=False),
    Column("published", UTCDateTime),
    Column("embargo", UTCDateTime),
    Column("priority", String(16), nullable=False, default="normal"),
    Column("meta", JSON, nullable=False, default=dict),  # tags, image, language, outlet, summary, feed …
    Column("state", String(16), nullable=False),
    Column("error", Text),
    Column("duplicate_of", Integer, ForeignKey("articles.id")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_articles_canonical_url", "canonical_url"),
    Index("ix_articles_content_hash", "content_hash"),
    Index("ix_articles_state", "state"),
)

# The outbox: one row per thread part per platform, written before anything is sent.
posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("account", String(255), nullable=False, default=""),
    Column("thread_index", Integer, nullable=False, default=0),
    Column("kind", String(16), nullable=False, default="main"),
    Column("text", Text, nullable=False),
    Column("payload", JSON, nullable=False, default=dict),  # length, limit, facets, card, images, language
    Column("scheduled_at", UTCDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("idempotency_key", String(128), nullable=False),
    Column("prepared", JSON),  # what the adapter needs to reconcile a crashed send (Bluesky rkey, …)
    Column("remote_id", Text),
    Column("remote_url", Text),
    Column("remote_extra", JSON),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("next_attempt_at", UTCDateTime),
    Column("claimed_by", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    UniqueConstraint("idempotency_key", name="uq_posts_idempotency_key"),
    Index("ix_posts_due", "state", "scheduled_at"),
    Index("ix_posts_article", "article_id", "platform", "thread_index"),
)

attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("post_id", Integer, ForeignKey("posts.id"), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("outcome", String(16)),  # sent | retry | failed | reconciled
    Column("error", Text),
    Index("ix_attempts_post", "post_id"),
)

# Small persistent state: platform sessions, cached instance limits, daemon heartbeat.
kv = Table(
    "kv",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# --- feeds (migration 2) ------------------------------------------------------------------------
# Subscribed RSS/Atom feeds, with what conditional GET and backoff need to be polite.
feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("name", Text),
    Column("priority", String(16), nullable=False, default="normal"),
    Column("backfill", Integer, nullable=False, default=0),  # newest K entries ingested on first poll
    Column("interval_seconds", Integer, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("primed", Boolean, nullable=False, default=False),  # first successful poll done
    Column("status", String(32), nullable=False, default="new"),
    Column("last_error", Text),
    Column("error_count", Integer, nullable=False, default=0),  # consecutive failed polls
    Column("gone_count", Integer, nullable=False, default=0),  # consecutive 404/410 answers
    Column("disabled", Boolean, nullable=False, default=False),
    Column("next_poll_at", UTCDateTime),
    Column("last_polled_at", UTCDateTime),
    Column("last_ok_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("url", name="uq_feeds_url"),
)

# One row per feed entry ever seen: what makes "new", "seen before" and "changed" decidable.
feed_entries = Table(
    "feed_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    Column("entry_key", Text, nullable=False),  # guid / atom id, else the link
    Column("url", Text),  # canonical URL of the entry's article
    Column("article_id", Integer, ForeignKey("articles.id")),
    Column("state", String(16), nullable=False),  # seen | article | duplicate | pending
    Column("fingerprint", String(64), nullable=False),  # title + body as the feed gave them
    Column("data", JSON),  # the entry itself while pending, so a retry never depends on the feed
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("seen_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("feed_id", "entry_key", name="uq_feed_entries_key"),
    Index("ix_feed_entries_url", "feed_id", "url"),
    Index("ix_feed_entries_state", "state"),
)

# Extra dedup keys for articles (kind "lead": normalised title + lead), beside URL and content hash.
article_keys = Table(
    "article_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("value", String(128), nullable=False),
    Index("ix_article_keys_value", "kind", "value"),
)

# An ingested article whose source changed afterwards (an edited feed entry): never a new post.
article_updates = Table(
    "article_updates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("source", Text, nullable=False),
    Column("old_title", Text),
    Column("new_title", Text),
    Column("old_hash", String(64), nullable=False),
    Column("new_hash", String(64), nullable=False),
    Column("action", String(16), nullable=False),  # recompose (posts still planned) | record (already sent) | none
    Column("detected_at", UTCDateTime, nullable=False),
    Column("handled_at", UTCDateTime),
    Index("ix_article_updates_article", "article_id"),
)
