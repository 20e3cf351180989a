"""Library side of `newsbot post`, `status` and `doctor`: publish one article now, report on the outbox."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .config import PLATFORMS, Settings
from .errors import BotError, ConfigError, NotFoundError
from .models import Article, ArticleState, PostState
from .pipeline import Prepared, platform_limits, prepare
from .publish import STALE_SENDING, PassReport, Publisher
from .store import Store
from .store.outbox import Outbox, PostRow

log = logging.getLogger(__name__)


def _choose_platforms(settings: Settings, requested: Sequence[str] | None) -> list[str]:
    if requested:
        unknown = [p for p in requested if p not in PLATFORMS]
        if unknown:
            raise ConfigError(f"unknown platform {unknown[0]!r}; choose from {', '.join(PLATFORMS)}")
        for name in requested:
            missing = settings.missing_credentials(name)
            if missing:
                raise ConfigError(f"{name} is not configured: set {' and '.join(missing)} in .env")
        return list(requested)
    if not settings.enabled_platforms:
        raise ConfigError(
            "no platform is configured: set the credentials of at least one platform in .env "
            "(see .env.example), or use `newsbot preview` to see the posts without sending"
        )
    return settings.enabled_platforms


def embargo_note(article: Article, settings: Settings, now: datetime) -> str | None:
    """Why `newsbot post` refuses this article now (it is under embargo), or None."""
    if article.embargo is None or article.embargo <= now:
        return None
    until = article.embargo.astimezone(settings.tz).strftime("%a %d %b %Y %H:%M %Z")
    return (f"under embargo until {until}: `newsbot post` would send it now. Wait until then (`newsbot run` "
            "posts it once the embargo lifts), or pass --ignore-embargo if the embargo was lifted early")


def resolve_article(settings: Settings, store: Store | None, target: str) -> tuple[int | None, Article]:
    """An article by store id, by queue file name, or by path. Returns (stored id or None, article)."""
    from .ingest import read_article_file
    from .ingest.inbox import PROCESSED

    if target.isdigit() and store is not None:
        stored = store.get_article(int(target))
        return stored.id, stored.article
    path = Path(target)
    if not path.exists():
        # A name dropped into the queue: still waiting there, or already taken in. The daemon moves a file to
        # processed/ seconds after the drop, and the editor still knows the story by that name.
        queued = settings.queue_dir / target
        in_queue = path.parent == Path() or path.parent.resolve() == settings.queue_dir.resolve()  # queue/story.md
        taken = settings.queue_dir / PROCESSED / path.name
        if queued.exists():
            path = queued
        elif store is not None and in_queue and taken.is_file():
            path = taken
        else:
            raise NotFoundError(f"no article {target!r}: give a file path, a file name in {settings.queue_dir}, or an article id")
    article = read_article_file(path, settings.max_file_bytes)
    if store is not None:
        existing = store.find_duplicate(article.url, article.content_hash)
        if existing is not None:
            return existing, store.get_article(existing).article
    return None, article


@dataclass
class PostReport:
    article_id: int | None
    headline: str
    prepared: Prepared
    posts: list[PostRow] = field(default_factory=list)
    publish: PassReport | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "headline": self.headline,
            "posts": [post_json(p) for p in self.posts],
        }


def post_now(
    settings: Settings,
    store: Store,
    target: str,
    *,
    platforms: Sequence[str] | None = None,
    now: datetime,
    publisher: Publisher | None = None,
    ignore_embargo: bool = False,
) -> PostReport:
    """Publish one article now, outside the schedule, with the outbox's exactly-once guarantee.

    Posting the same article again sends nothing new: its rows exist (same idempotency keys) and are sent.
    An article under embargo is refused unless ``ignore_embargo`` (the editor knows it was lifted early).
    """
    chosen = _choose_platforms(settings, platforms)
    article_id, article = resolve_article(settings, store, target)
    embargoed = embargo_note(article, settings, now)
    if embargoed and not ignore_embargo:
        raise BotError(f"{target}: {embargoed}")
    publisher = publisher or Publisher(settings, store)
    if "mastodon" in chosen:
        try:
            publisher.platform("mastodon").character_limit()  # asked once, kept: compose for the instance's own
        except BotError as exc:
            # the send itself will say what is wrong with the platform, if anything
            log.debug("mastodon: could not read its character limit, composing for the last known one: %s", exc)
    prepared = prepare(article, settings, chosen, platform_limits(settings, store, chosen))  # as the daemon composes
    if article_id is None:
        article_id = store.add_article(article, ArticleState.PLANNED)
    else:
        store.set_article_state(article_id, ArticleState.PLANNED)
    outbox = Outbox(store)
    ids = outbox.enqueue(article_id, article.content_hash, list(prepared.drafts), {p: now for p in chosen})
    for post_id in ids:
        # Waiting for room in the schedule (unplanned): posting now is the editor overriding the schedule.
        outbox.set_state(post_id, PostState.PLANNED, only_from=[PostState.UNPLANNED.value])
        outbox.reschedule(post_id, now)  # already planned for later by the daemon: now instead
    daemon = not _no_daemon(settings)
    stale_before = now - STALE_SENDING if daemon else None
    report = publisher.publish_due(only=ids, stale_before=stale_before)
    posts = [outbox.get(i) for i in ids]
    if daemon:
        # These rows became due now for the running daemon too: its publish tick may have claimed one before this
        # pass reached it. Wait for the daemon to record that send, then send the replies it made due (the outbox's
        # claims keep the two from sending anything twice), so the report says what went out.
        deadline = time.monotonic() + settings.http_timeout_seconds + settings.publish_tick_seconds + 1
        while _taken_by_another(posts) and time.monotonic() < deadline:
            time.sleep(0.2)
            publisher.publish_due(only=ids, stale_before=stale_before)
            posts = [outbox.get(i) for i in ids]
    return PostReport(article_id, prepared.analysis.headline, prepared, posts, report)


def _taken_by_another(posts: Sequence[PostRow]) -> bool:
    """Whether a part is being sent by someone else, or waits only for a part someone else just sent."""
    by_place = {(row.platform, row.thread_index): row for row in posts}
    for row in posts:
        if row.state == PostState.SENDING.value:
            return True
        parent = by_place.get((row.platform, row.thread_index - 1))
        if row.state == PostState.PLANNED.value and row.attempts == 0 and parent and parent.state == PostState.SENT.value:
            return True
    return False


def _no_daemon(settings: Settings) -> bool:
    """True when no `newsbot run` holds this database, so every `sending` row is a crash's leftover.

    With a daemon running, its send in flight is also `sending`: only rows quiet for a while are settled.
    """
    from .daemon import InstanceLock
    from .errors import AlreadyRunningError

    lock = InstanceLock(settings.db_url)
    if lock.path is None:
        return False  # PostgreSQL: other workers may be sending right now
    try:
        lock.acquire()
    except AlreadyRunningError:
        return False
    lock.release()
    return True


def post_json(row: PostRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "article_id": row.article_id,
        "platform": row.platform,
        "thread_index": row.thread_index,
        "state": row.state,
        "scheduled_at": row.scheduled_at,
        "sent_at": row.sent_at,
        "url": row.remote_url,
        "remote_id": row.remote_id,
        "attempts": row.attempts,
        "error": row.last_error,
        "next_attempt_at": row.next_attempt_at,
        "text": row.text,
    }


def status(store: Store, *, limit: int = 20) -> dict[str, Any]:
    outbox = Outbox(store)
    return {
        "counts": outbox.counts(),
        "articles": store.count_articles(),
        "planned": [
            post_json(r)
            for r in outbox.find([PostState.PLANNED.value, PostState.SENDING.value, PostState.UNPLANNED.value],
                                 limit=limit)
        ],
        "sent": [post_json(r) for r in outbox.find([PostState.SENT.value], limit=limit, newest_first=True)],
        "failed": [
            post_json(r)
            for r in outbox.find([PostState.FAILED.value, PostState.EXPIRED.value], limit=limit, newest_first=True)
        ],
        "updates": article_updates(store, limit=limit),
        # An article that could not be composed (a template error, say) has no posts to show above.
        "failed_articles": [
            {"article_id": a.id, "title": a.article.title, "source": a.article.source, "error": a.error}
            for a in store.list_articles([ArticleState.FAILED], limit=limit)
        ],
    }


def article_updates(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    """Edits to articles after ingest (recorded by the feed poller), newest first."""
    from .feeds.articles import list_updates

    return list_updates(store)[:limit]


def history(store: Store, *, limit: int = 50) -> list[dict[str, Any]]:
    done = [PostState.SENT.value, PostState.FAILED.value, PostState.DELETED.value, PostState.EXPIRED.value,
            PostState.CANCELLED.value]
    return [post_json(r) for r in Outbox(store).find(done, limit=limit, newest_first=True)]


@dataclass
class PlatformCheck:
    platform: str
    ready: bool
    detail: str


def doctor(settings: Settings, store: Store) -> list[PlatformCheck]:
    """Check each platform's credentials without posting, and say what is ready."""
    from .platforms import get_platform

    checks = []
    for name in PLATFORMS:
        missing = settings.missing_credentials(name)
        if missing:
            checks.append(PlatformCheck(name, False, f"not configured: set {' and '.join(missing)} in .env"))
            continue
        try:
            who = get_platform(name, settings, store.kv).check()
        except BotError as exc:
            from .logs import redact  # a platform's error may echo the credential it was given

            checks.append(PlatformCheck(name, False, redact(str(exc), settings)))
        else:
            checks.append(PlatformCheck(name, True, f"ready as {who}"))
    return checks
