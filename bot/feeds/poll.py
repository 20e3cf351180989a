"""Polling subscribed feeds: conditional GET, new entries into articles, changed entries into updates.

``poll_feeds`` is what the daemon's ingest job and `newsbot ingest` call. One bad feed never stops the batch;
every outcome is a status on the feed (`newsbot feeds list`). An entry whose full text cannot be fetched yet
is kept as ``pending`` (with the entry itself) and retried on later polls, then ingested with the feed's own
text: never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, RowMapping, update

from ..config import Settings
from ..store import Store
from ..store import schema as s
from .articles import (
    ArticleUpdate,
    article_from_parts,
    fetch_page,
    keep_identity,
    record_update,
    safe_canonical,
    store_article,
)
from .fetch import Fetcher, FetchError, FetchResult
from .pages import PageContent
from .parse import FeedEntry, FeedParseError, parse_feed
from .registry import Feed, claim_feed, due_feeds, get_entry, get_feed, list_feeds, pending_entries, save_feed

log = logging.getLogger(__name__)

MAX_PAGE_ATTEMPTS = 3  # polls that try an entry's page before ingesting the feed's own text
# Page failures worth waiting out; anything else (404, not HTML, no article in it) won't get better.
TRANSIENT_PAGE_ERRORS = ("unreachable", "timeout", "http_error")
DISABLE_AFTER = {"not_found": 3, "gone": 1}  # consecutive answers before a feed is disabled
MAX_BACKOFF = timedelta(hours=6)
MAX_TTL = timedelta(hours=24)
LEASE = timedelta(minutes=10)  # a claimed feed is not polled by another process for this long
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
OK_STATUSES = ("ok", "not_modified", "malformed")


@dataclass
class FeedResult:
    """What one poll of one feed did."""

    feed_id: int
    url: str
    name: str | None
    status: str  # ok | not_modified | malformed | unreachable | timeout | not_found | gone | http_error |
    # redirect_loop | too_large | invalid_feed | not_a_feed | error
    error: str | None = None
    new_article_ids: list[int] = field(default_factory=list)
    duplicate_article_ids: list[int] = field(default_factory=list)
    updates: list[ArticleUpdate] = field(default_factory=list)
    marked_seen: int = 0  # existing entries skipped on first subscription
    pending: int = 0  # entries waiting for their page (retried next poll)
    deferred: int = 0  # edits seen but not applied yet (their page or the store failed): retried next poll
    disabled: bool = False
    next_poll_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    @property
    def updated_article_ids(self) -> list[int]:
        return [u.article_id for u in self.updates]

    @property
    def recompose_article_ids(self) -> list[int]:
        """Articles whose posts are still planned and must be composed again."""
        return [u.article_id for u in self.updates if u.action == "recompose"]

    def to_json(self) -> dict[str, Any]:
        return {
            "feed_id": self.feed_id,
            "url": self.url,
            "name": self.name,
            "status": self.status,
            "error": self.error,
            "new_article_ids": self.new_article_ids,
            "duplicate_article_ids": self.duplicate_article_ids,
            "updates": [u.__dict__ for u in self.updates],
            "marked_seen": self.marked_seen,
            "pending": self.pending,
            "deferred": self.deferred,
            "disabled": self.disabled,
            "next_poll_at": self.next_poll_at,
        }


UpdateHook = Callable[[ArticleUpdate], None]


def poll_feeds(
    settings: Settings,
    store: Store,
    *,
    now: datetime,
    client: Fetcher | None = None,
    force: bool = False,
    feed_ids: list[int] | None = None,
    on_update: UpdateHook | None = None,
) -> list[FeedResult]:
    """Poll every feed that is due at ``now`` (all enabled ones with ``force``; only ``feed_ids`` if given).

    ``client`` is a ``Fetcher`` to reuse (tests pass one with a fast rate limit); otherwise one is made from
    ``settings`` and closed afterwards. ``on_update`` is called after each article update is committed.
    """
    if feed_ids is not None:
        feeds = [get_feed(store, i) for i in feed_ids]
        feeds = [f for f in feeds if not f.disabled]
    elif force:
        feeds = [f for f in list_feeds(store) if not f.disabled]
    else:
        feeds = due_feeds(store, now)
    if not feeds:
        return []
    fetcher = client or Fetcher.from_settings(settings)
    results = []
    try:
        for feed in feeds:
            if not (force or feed_ids is not None) and not claim_feed(store, feed, now, LEASE):
                continue  # another poller has it
            try:
                result = poll_feed(store, feed, fetcher, now=now)
            except Exception as exc:  # a bug must not stop the other feeds; it shows on this one
                log.exception("polling feed %s failed", feed.url)
                result = _fail(store, feed, now, "error", f"internal error while polling: {type(exc).__name__}: {exc}")
            results.append(result)
            if on_update is not None:
                for item in result.updates:
                    on_update(item)
    finally:
        if client is None:
            fetcher.close()
    return results


def poll_feed(store: Store, feed: Feed, fetcher: Fetcher, *, now: datetime) -> FeedResult:
    """Fetch one feed (conditionally), ingest its new entries, record changed ones as updates."""
    try:
        fetched = fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified, accept=FEED_ACCEPT)
    except FetchError as exc:
        return _fail(store, feed, now, exc.kind, str(exc), retry_after=exc.retry_after)
    result = FeedResult(feed.id, feed.url, feed.name, "not_modified")
    done_keys: set[str] = set()
    ttl = None
    if not fetched.not_modified:
        try:
            parsed = parse_feed(fetched.content, url=fetched.final_url, headers=fetched.headers)
        except FeedParseError as exc:
            return _fail(store, feed, now, exc.kind, str(exc))
        result.status = "malformed" if parsed.malformed else "ok"
        result.error = parsed.malformed
        ttl = parsed.ttl_seconds
        _process_entries(store, feed, parsed.entries, fetcher, now, result, done_keys)
    _retry_pending(store, feed, fetcher, now, result, done_keys)
    interval = timedelta(seconds=feed.interval_seconds)
    if ttl:
        interval = max(interval, min(timedelta(seconds=ttl), MAX_TTL))
    result.next_poll_at = now + interval
    values: dict[str, Any] = dict(
        status=result.status,
        last_error=result.error,
        error_count=0,
        gone_count=0,
        primed=True,
        next_poll_at=result.next_poll_at,
        last_polled_at=now,
        last_ok_at=now,
        updated_at=now,
    )
    if result.deferred:
        # An edit waits to be applied: the next poll must read the feed again, not get a 304 for it.
        values.update(etag=None, last_modified=None)
    elif not fetched.not_modified:
        values.update(etag=fetched.etag, last_modified=fetched.last_modified)
    _follow_permanent_redirect(store, feed, fetched, values)
    save_feed(store, feed.id, **values)
    return result


def _follow_permanent_redirect(store: Store, feed: Feed, fetched: FetchResult, values: dict[str, Any]) -> None:
    if not fetched.permanent_redirect or fetched.final_url == feed.url:
        return
    taken = {f.url for f in list_feeds(store)}
    if fetched.final_url not in taken:
        values["url"] = fetched.final_url  # the publisher moved the feed for good: poll the new place


def _fail(
    store: Store, feed: Feed, now: datetime, kind: str, message: str, *, retry_after: float | None = None
) -> FeedResult:
    error_count = feed.error_count + 1
    gone_count = feed.gone_count + 1 if kind in DISABLE_AFTER else 0
    disabled = kind in DISABLE_AFTER and gone_count >= DISABLE_AFTER[kind]
    delay = min(timedelta(seconds=feed.interval_seconds) * 2 ** min(error_count, 10), MAX_BACKOFF)
    if retry_after:
        delay = max(delay, timedelta(seconds=min(retry_after, MAX_TTL.total_seconds())))
    if disabled:
        message += f" — feed disabled after {gone_count} such answer(s); `newsbot feeds enable {feed.id}` re-enables it"
    next_poll = None if disabled else now + delay
    save_feed(
        store,
        feed.id,
        status=kind,
        last_error=message,
        error_count=error_count,
        gone_count=gone_count,
        disabled=disabled,
        next_poll_at=next_poll,
        last_polled_at=now,
        updated_at=now,
    )
    return FeedResult(feed.id, feed.url, feed.name, kind, error=message, disabled=disabled, next_poll_at=next_poll)


# --- entries --------------------------------------------------------------------------------------
def _oldest_first(entries: list[FeedEntry]) -> list[FeedEntry]:
    if entries and all(e.published for e in entries):
        return sorted(entries, key=lambda e: e.published)  # type: ignore[arg-type,return-value]
    return list(reversed(entries))  # feeds list the newest first


def _process_entries(
    store: Store,
    feed: Feed,
    entries: list[FeedEntry],
    fetcher: Fetcher,
    now: datetime,
    result: FeedResult,
    done_keys: set[str],
) -> None:
    unique: dict[str, FeedEntry] = {}
    for entry in entries:
        unique.setdefault(entry.key, entry)  # a feed listing one guid twice: the first (newest) wins
    ordered = _oldest_first(list(unique.values()))
    backfill: set[str] = set()
    if not feed.primed and feed.backfill:
        backfill = {e.key for e in ordered[-feed.backfill :]}
    for entry in ordered:
        done_keys.add(entry.key)
        try:
            _one_entry(
                store, feed, entry, fetcher, now, result, first_poll=not feed.primed, backfill=backfill, listed=unique
            )
        except Exception as exc:  # keep the entry for the next poll rather than lose it
            log.exception("feed %s entry %s failed", feed.url, entry.key)
            error = f"{type(exc).__name__}: {exc}"
            with store.engine.connect() as conn:
                row = get_entry(conn, feed.id, entry.key, None)
            if row is not None and row["state"] != "pending":
                # An edit of a known entry failed: it stays tied to its article, with the old fingerprint so
                # the change is applied on a later poll. Made "pending", it would lose its article and come
                # back as a duplicate of it, and no later edit would reach the article.
                _save_entry(store, feed, entry, row["state"], now, existing=row, error=error, keep_fingerprint=True)
                result.deferred += 1
                continue
            _save_entry(store, feed, entry, "pending", now, error=error, attempts_inc=True)
            result.pending += 1


def _one_entry(
    store: Store,
    feed: Feed,
    entry: FeedEntry,
    fetcher: Fetcher,
    now: datetime,
    result: FeedResult,
    *,
    first_poll: bool,
    backfill: set[str],
    listed: Mapping[str, FeedEntry],
) -> None:
    url = safe_canonical(entry.link)
    with store.engine.connect() as conn:
        existing = get_entry(conn, feed.id, entry.key, url)
    if existing is not None and existing["entry_key"] != entry.key and existing["entry_key"] in listed:
        # Found by URL, but the entry it belongs to is still in the feed: not a changed guid, another entry
        # with the same link (a live blog's updates). Taken as an edit, the two would overwrite each other.
        existing = None
    if existing is None:
        if first_poll and entry.key not in backfill:
            _save_entry(store, feed, entry, "seen", now)
            result.marked_seen += 1
            return
        _ingest(store, feed, entry, fetcher, now, result, existing=None)
    elif existing["state"] == "pending":
        _ingest(store, feed, entry, fetcher, now, result, existing=existing)
    elif existing["fingerprint"] != entry.fingerprint:
        if existing["state"] == "article" and existing["article_id"] is not None:
            _update(store, feed, entry, existing, fetcher, now, result)
        else:  # an entry we skipped or found duplicate: only remember what it looks like now
            _save_entry(store, feed, entry, existing["state"], now, existing=existing)


def _retry_pending(
    store: Store, feed: Feed, fetcher: Fetcher, now: datetime, result: FeedResult, done_keys: set[str]
) -> None:
    for row in pending_entries(store, feed.id):
        if row["entry_key"] in done_keys or not row["data"]:
            continue
        entry = FeedEntry.from_json(row["data"])
        try:
            _ingest(store, feed, entry, fetcher, now, result, existing=row)
        except Exception as exc:
            log.exception("feed %s pending entry %s failed", feed.url, entry.key)
            _save_entry(store, feed, entry, "pending", now, existing=row, error=str(exc), attempts_inc=True)


def _page_for(entry: FeedEntry, fetcher: Fetcher) -> tuple[PageContent | None, FetchError | None]:
    """The entry's page when the feed only has a teaser: (page, None), or (None, why not)."""
    if not entry.is_teaser or not entry.link or safe_canonical(entry.link) is None:
        return None, None
    try:
        return fetch_page(fetcher, entry.link), None
    except FetchError as exc:
        return None, exc


def _ingest(
    store: Store,
    feed: Feed,
    entry: FeedEntry,
    fetcher: Fetcher,
    now: datetime,
    result: FeedResult,
    *,
    existing: RowMapping | None,
) -> None:
    page, page_error = _page_for(entry, fetcher)
    attempts = (existing["attempts"] if existing is not None else 0) + (1 if page_error else 0)
    transient = page_error is not None and page_error.kind in TRANSIENT_PAGE_ERRORS
    if transient and attempts < MAX_PAGE_ATTEMPTS:
        _save_entry(store, feed, entry, "pending", now, existing=existing, error=str(page_error), attempts_inc=True)
        result.pending += 1
        return
    article = article_from_parts(source=f"feed {feed.id}: {entry.key}", entry=entry, page=page, priority=feed.priority)
    if not article.text.strip():
        reason = "the entry has no text and no page to fetch it from"
        _save_entry(store, feed, entry, "seen", now, existing=existing, error=reason)
        return
    note = f"page unavailable ({page_error}); ingested the feed's own text" if page_error else None
    with store.transaction() as conn:
        article_id, original = store_article(store, conn, article)
        state = "duplicate" if original is not None else "article"
        _write_entry(conn, feed, entry, state, now, existing=existing, article_id=article_id, url=article.url, error=note)
    (result.duplicate_article_ids if original is not None else result.new_article_ids).append(article_id)


def _update(
    store: Store,
    feed: Feed,
    entry: FeedEntry,
    existing: RowMapping,
    fetcher: Fetcher,
    now: datetime,
    result: FeedResult,
) -> None:
    page, page_error = _page_for(entry, fetcher)
    if page_error:
        # Keep the old fingerprint: the change is noticed again, and applied, on the next poll.
        _save_entry(store, feed, entry, "article", now, existing=existing, error=str(page_error), keep_fingerprint=True)
        if page_error.kind in TRANSIENT_PAGE_ERRORS:  # worth reading the feed again for; a 404 page is not
            result.deferred += 1
        return
    stored = store.get_article(existing["article_id"]).article
    new = keep_identity(article_from_parts(source=stored.source, entry=entry, page=page, priority=feed.priority), stored)
    with store.transaction() as conn:
        if new.content_hash != stored.content_hash or new.url != stored.url:
            store.update_article(existing["article_id"], new, conn=conn)
            result.updates.append(record_update(conn, existing["article_id"], stored, new, now))
        _write_entry(conn, feed, entry, "article", now, existing=existing, article_id=existing["article_id"], url=new.url)


def _save_entry(
    store: Store,
    feed: Feed,
    entry: FeedEntry,
    state: str,
    now: datetime,
    *,
    existing: RowMapping | None = None,
    error: str | None = None,
    attempts_inc: bool = False,
    keep_fingerprint: bool = False,
) -> None:
    with store.transaction() as conn:
        _write_entry(
            conn,
            feed,
            entry,
            state,
            now,
            existing=existing,
            error=error,
            attempts_inc=attempts_inc,
            keep_fingerprint=keep_fingerprint,
            article_id=existing["article_id"] if existing is not None else None,
            url=safe_canonical(entry.link),
        )


def _write_entry(
    conn: Connection,
    feed: Feed,
    entry: FeedEntry,
    state: str,
    now: datetime,
    *,
    existing: RowMapping | None,
    article_id: int | None,
    url: str | None,
    error: str | None = None,
    attempts_inc: bool = False,
    keep_fingerprint: bool = False,
) -> None:
    t = s.feed_entries
    if existing is None:
        existing = get_entry(conn, feed.id, entry.key, None)
    values: dict[str, Any] = dict(
        state=state,
        url=url,
        article_id=article_id,
        data=entry.to_json() if state == "pending" else None,
        last_error=error,
        updated_at=now,
    )
    if not keep_fingerprint:
        values["fingerprint"] = entry.fingerprint
    if existing is None:
        values.setdefault("fingerprint", entry.fingerprint)
        conn.execute(
            t.insert().values(feed_id=feed.id, entry_key=entry.key, attempts=1 if attempts_inc else 0, seen_at=now, **values)
        )
    else:
        if attempts_inc:
            values["attempts"] = existing["attempts"] + 1
        conn.execute(update(t).where(t.c.id == existing["id"]).values(**values))
