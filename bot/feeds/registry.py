"""Feed subscriptions and their entries in the store: queries as functions taking a ``Store``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, func, or_, select, update

from ..errors import BotError, NotFoundError
from ..ingest.urls import canonical_url
from ..models import Priority
from ..store import Store, utcnow
from ..store import schema as s


class FeedExistsError(BotError):
    """The feed is already subscribed."""


@dataclass(frozen=True)
class Feed:
    id: int
    url: str
    name: str | None
    priority: Priority
    backfill: int
    interval_seconds: int
    etag: str | None
    last_modified: str | None
    primed: bool
    status: str
    last_error: str | None
    error_count: int
    gone_count: int
    disabled: bool
    next_poll_at: datetime | None
    last_polled_at: datetime | None
    last_ok_at: datetime | None
    created_at: datetime

    @property
    def label(self) -> str:
        return self.name or self.url


def _feed(row: RowMapping) -> Feed:
    return Feed(
        id=row["id"],
        url=row["url"],
        name=row["name"],
        priority=Priority(row["priority"]),
        backfill=row["backfill"],
        interval_seconds=row["interval_seconds"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        primed=bool(row["primed"]),
        status=row["status"],
        last_error=row["last_error"],
        error_count=row["error_count"],
        gone_count=row["gone_count"],
        disabled=bool(row["disabled"]),
        next_poll_at=row["next_poll_at"],
        last_polled_at=row["last_polled_at"],
        last_ok_at=row["last_ok_at"],
        created_at=row["created_at"],
    )


def normalise_feed_url(url: str) -> str:
    """Scheme and host case and the fragment only: a feed's query string is part of what it is."""
    try:
        canonical_url(url)  # validates: an absolute http(s) URL
    except ValueError as exc:
        raise BotError(str(exc)) from None
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def add_feed(
    store: Store,
    url: str,
    *,
    name: str | None = None,
    priority: Priority = Priority.NORMAL,
    backfill: int = 0,
    interval_seconds: int = 900,
    now: datetime | None = None,
) -> Feed:
    """Subscribe to a feed; its first poll marks existing entries seen, except the newest ``backfill``."""
    if backfill < 0:
        raise BotError("--backfill must be 0 or more (how many of the newest entries to ingest)")
    if interval_seconds < 60:
        raise BotError("the polling interval must be at least one minute")
    url = normalise_feed_url(url)
    now = now or utcnow()
    with store.transaction() as conn:
        existing = conn.execute(select(s.feeds.c.id).where(s.feeds.c.url == url)).scalar()
        if existing is not None:
            raise FeedExistsError(f"already subscribed to {url} (feed {existing}); `newsbot feeds list` shows it")
        inserted = conn.execute(
            s.feeds.insert().values(
                url=url,
                name=name,
                priority=priority.value,
                backfill=backfill,
                interval_seconds=interval_seconds,
                primed=False,
                status="new",
                error_count=0,
                gone_count=0,
                disabled=False,
                next_poll_at=now,
                created_at=now,
                updated_at=now,
            )
        )
        feed_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
    return get_feed(store, feed_id)


def get_feed(store: Store, feed_id: int) -> Feed:
    with store.engine.connect() as conn:
        row = conn.execute(select(s.feeds).where(s.feeds.c.id == feed_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"no feed with id {feed_id}; `newsbot feeds list` shows them")
    return _feed(row)


def find_feed(store: Store, id_or_url: str) -> Feed:
    """A feed by its id or its URL (as given to `feeds add`)."""
    if id_or_url.strip().isdigit():
        return get_feed(store, int(id_or_url))
    try:
        url = normalise_feed_url(id_or_url)
    except BotError:
        raise NotFoundError(f"no feed {id_or_url!r}; give its id or URL from `newsbot feeds list`") from None
    with store.engine.connect() as conn:
        row = conn.execute(select(s.feeds).where(s.feeds.c.url == url)).mappings().first()
    if row is None:
        raise NotFoundError(f"not subscribed to {url}; `newsbot feeds list` shows the feeds")
    return _feed(row)


def list_feeds(store: Store) -> list[Feed]:
    with store.engine.connect() as conn:
        return [_feed(row) for row in conn.execute(select(s.feeds).order_by(s.feeds.c.id)).mappings()]


def remove_feed(store: Store, feed_id: int) -> Feed:
    """Unsubscribe: the feed and its entry bookkeeping go; the articles it brought stay."""
    feed = get_feed(store, feed_id)
    with store.transaction() as conn:
        conn.execute(delete(s.feed_entries).where(s.feed_entries.c.feed_id == feed_id))
        conn.execute(delete(s.feeds).where(s.feeds.c.id == feed_id))
    return feed


def set_disabled(store: Store, feed_id: int, disabled: bool, *, now: datetime | None = None) -> Feed:
    now = now or utcnow()
    values: dict[str, Any] = {"disabled": disabled, "updated_at": now}
    if not disabled:
        values.update(error_count=0, gone_count=0, next_poll_at=now, status="ok" if get_feed(store, feed_id).primed else "new")
    with store.transaction() as conn:
        conn.execute(update(s.feeds).where(s.feeds.c.id == feed_id).values(**values))
    return get_feed(store, feed_id)


def due_feeds(store: Store, now: datetime) -> list[Feed]:
    t = s.feeds
    query = (
        select(t)
        .where(t.c.disabled.is_(False), or_(t.c.next_poll_at.is_(None), t.c.next_poll_at <= now))
        .order_by(t.c.next_poll_at, t.c.id)
    )
    with store.engine.connect() as conn:
        return [_feed(row) for row in conn.execute(query).mappings()]


def claim_feed(store: Store, feed: Feed, now: datetime, lease: timedelta) -> bool:
    """Take a due feed for this poller by pushing its next poll out; False if another poller took it first."""
    t = s.feeds
    with store.transaction() as conn:
        cond = t.c.next_poll_at.is_(None) if feed.next_poll_at is None else t.c.next_poll_at == feed.next_poll_at
        done = conn.execute(update(t).where(t.c.id == feed.id, cond).values(next_poll_at=now + lease))
    return done.rowcount == 1


def save_feed(store: Store, feed_id: int, **values: Any) -> None:
    values.setdefault("updated_at", utcnow())
    with store.transaction() as conn:
        conn.execute(update(s.feeds).where(s.feeds.c.id == feed_id).values(**values))


def entry_counts(store: Store) -> dict[int, dict[str, int]]:
    """Per feed: how many entries in each state (seen, article, duplicate, pending)."""
    t = s.feed_entries
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.c.feed_id, t.c.state, func.count()).group_by(t.c.feed_id, t.c.state)).all()
    counts: dict[int, dict[str, int]] = {}
    for feed_id, state, n in rows:
        counts.setdefault(int(feed_id), {})[state] = int(n)
    return counts


# --- entries --------------------------------------------------------------------------------------
def get_entry(conn: Connection, feed_id: int, key: str, url: str | None) -> RowMapping | None:
    """An entry of this feed seen before: same key, or (a feed that changed its guids) same canonical URL."""
    t = s.feed_entries
    row = conn.execute(select(t).where(t.c.feed_id == feed_id, t.c.entry_key == key)).mappings().first()
    if row is None and url:
        row = conn.execute(select(t).where(t.c.feed_id == feed_id, t.c.url == url).order_by(t.c.id)).mappings().first()
    return row


def pending_entries(store: Store, feed_id: int) -> list[RowMapping]:
    t = s.feed_entries
    with store.engine.connect() as conn:
        return list(conn.execute(select(t).where(t.c.feed_id == feed_id, t.c.state == "pending").order_by(t.c.id)).mappings())
