"""`newsbot run`: the daemon that ingests, plans and publishes on its own, restart-safe.

APScheduler 3 only *triggers* three jobs; what is due lives in the outbox, so a missed or doubled tick
loses or doubles nothing:

- **ingest** every ``ingest_interval_minutes``: the queue folder, subscribed feeds (when ``bot.feeds`` is
  installed), then ``plan_pending`` — new articles are composed and every future post is (re)planned;
- **publish** every ``publish_tick_seconds``: ``Publisher.publish_due`` sends what is due;
- **housekeeping** hourly: planned posts whose news has gone stale while they waited (a platform down for
  hours) are expired, and send attempts older than ``history_days`` are pruned (posts are kept).

Each job runs at most once at a time (``max_instances=1``), late runs are merged into one (``coalesce``),
and a job's exception is logged and forgotten: the next run tries again.

Start-up: ``InstanceLock`` first (an OS lock beside the SQLite file, so a second daemon on the same database
refuses instead of double-posting; PostgreSQL needs none, workers claim rows with SKIP LOCKED), then
rows left ``sending`` by a crash are reconciled before anything is sent. Stopping (SIGTERM/SIGINT) lets the
send in flight finish and record its result, sends nothing more, and returns; the caller closes the store.

``--dry-run`` sends nothing: ingest, planning and housekeeping run as usual (they only write the local
database and move queue files, as ``newsbot ingest`` does) and the publish tick logs each due post once as
``would_send``, leaving it planned, so a later real run sends it. ``newsbot preview`` changes nothing at all.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any, NamedTuple

from .config import Settings
from .errors import AlreadyRunningError, BotError, ConfigError, PlatformError, StoreError
from .logs import event
from .models import PostState, Priority, PublishResult
from .pipeline import PlanReport, plan_pending
from .publish import STALE_SENDING, PassReport, Publisher
from .store import Store
from .store.outbox import Outbox, PostRow

log = logging.getLogger("newsbot.daemon")

Clock = Callable[[], datetime]
FeedPoller = Callable[..., Any]
HOUSEKEEPING_INTERVAL = timedelta(hours=1)
SHUTDOWN_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _utcnow() -> datetime:
    return datetime.now(UTC)


# --- one daemon per SQLite database ---------------------------------------------------------------------


def sqlite_path(db_url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases and in-memory SQLite."""
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


class InstanceLock:
    """An exclusive ``flock`` on ``<database>.lock``, held while the daemon runs.

    The kernel drops the lock when the process dies, however it dies, so a crash never leaves a stale lock
    behind; the file keeps the holder's pid for the refusal message. No-op for non-SQLite databases.
    """

    def __init__(self, db_url: str) -> None:
        db = sqlite_path(db_url)
        self.database = db
        self.path = None if db is None else db.with_name(db.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> InstanceLock:
        if self.path is None or self._fd is not None:
            return self
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise AlreadyRunningError(
                f"another newsbot run (pid {holder}) is using {self.database}; stop it first"
            ) from None
        except OSError as exc:
            os.close(fd)
            raise StoreError(f"cannot lock {self.path} ({exc.strerror}); is the data folder writable?") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock; the file stays (deleting it would race a newcomer)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


# --- what a pass did ------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts since the daemon started; ``needs_attention`` drives ``--once``'s exit code."""

    ingested: int = 0
    planned: int = 0
    sent: int = 0
    would_send: int = 0
    retried: int = 0
    failed: int = 0  # files, articles or posts that failed for good: a person must look
    job_errors: int = 0  # a job crashed (database gone, a bug); the next run tries again

    @property
    def needs_attention(self) -> bool:
        return self.failed > 0 or self.job_errors > 0


def default_feed_poller() -> FeedPoller | None:
    """``bot.feeds.poll_feeds`` when the feeds package is installed, else None (queue folder only)."""
    try:
        from .feeds.poll import poll_feeds
    except ImportError:
        return None
    return poll_feeds


# --- the daemon -----------------------------------------------------------------------------------------


class Daemon:
    """The three jobs and their scheduler. Everything the jobs touch is injectable for tests."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        publisher: Publisher | None = None,
        clock: Clock = _utcnow,
        dry_run: bool = False,
        platforms: Sequence[str] | None = None,
        feed_poller: FeedPoller | None | bool = True,
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.dry_run = dry_run
        self.platforms = list(platforms if platforms is not None else settings.enabled_platforms)
        if not self.platforms:
            raise ConfigError(
                "no platform is configured: set the credentials of at least one (see .env.example), "
                "then `newsbot doctor` checks them"
            )
        self.publisher = publisher or Publisher(settings, store, clock=clock)
        self.outbox = Outbox(store)
        self.feed_poller = default_feed_poller() if feed_poller is True else (feed_poller or None)
        self.tally = Tally()
        self.stopping = threading.Event()
        self._announced: set[int] = set()  # dry run: posts already logged as would_send
        self._warned_files: set[str] = set()  # queue files that cannot be taken, already logged
        self._multi_worker = sqlite_path(settings.db_url) is None
        self._scheduler: Any = None

    # --- jobs -----------------------------------------------------------------------------------------
    def _guarded(self, name: str, step: Callable[[], None]) -> bool:
        """Run one job or step; an exception is logged as ``job_failed`` and the daemon goes on."""
        try:
            step()
        except Exception as exc:  # noqa: BLE001 — one failing job must never stop the daemon
            self.tally.job_errors += 1
            log.error("%s failed: %s: %s", name, type(exc).__name__, exc, exc_info=True,
                      extra={"event": "job_failed", "fields": {"job": name, "reason": str(exc)}})
            return False
        return True

    def ingest(self) -> None:
        """Queue folder, feeds, then planning; each step runs even when an earlier one failed."""
        self._guarded("ingest queue", self._ingest_queue)
        if self.feed_poller is not None:
            self._guarded("poll feeds", self._poll_feeds)
        self._guarded("plan", self._plan)

    def _ingest_queue(self) -> None:
        from .ingest import IngestItem, ingest_queue

        def report(item: IngestItem) -> None:
            status = item.status.value
            if status == "ingested":
                self.tally.ingested += 1
                event("ingested", f"article {item.article_id} from {item.name}: {item.title or ''}".rstrip(": "),
                      article_id=item.article_id, file=item.name, title=item.title)
            elif status == "updated":
                event("updated", f"article {item.article_id} corrected by {item.name}: {item.reason}",
                      article_id=item.article_id, file=item.name, title=item.title)
            elif status == "duplicate":
                event("duplicate", f"{item.name} is article {item.duplicate_of} again; not posted twice",
                      file=item.name, duplicate_of=item.duplicate_of)
            elif status == "failed":
                self.tally.failed += 1
                event("ingest_failed", f"{item.name} moved to failed/: {item.reason}", level=logging.ERROR,
                      file=item.name, reason=item.reason)
            elif item.stuck and item.name not in self._warned_files:
                # It will not go away by itself (another user's file, say): said once, not every tick.
                self._warned_files.add(item.name)
                event("ingest_skipped", f"{item.name} left in the queue: {item.reason}", level=logging.WARNING,
                      file=item.name, reason=item.reason)
            else:  # still being written: taken on a later run
                log.debug("%s not taken yet: %s", item.name, item.reason)

        self.settings.queue_dir.mkdir(parents=True, exist_ok=True)
        ingest_queue(self.settings, self.store, now=self.clock(), on_item=report)

    def _poll_feeds(self) -> None:
        assert self.feed_poller is not None
        for result in self.feed_poller(self.settings, self.store, now=self.clock()):
            for article_id in getattr(result, "new_article_ids", ()):
                self.tally.ingested += 1
                event("ingested", f"article {article_id} from feed {result.name or result.url}",
                      article_id=article_id, feed=result.url)
            for update in getattr(result, "updates", ()):
                event("updated", f"article {update.article_id} changed at its source ({update.action}): "
                      f"{update.new_title or ''}".rstrip(": "), article_id=update.article_id, action=update.action)
            if not getattr(result, "ok", True):
                event("feed_failed", f"feed {result.url}: {result.status} {result.error or ''}".rstrip(),
                      level=logging.WARNING, feed=result.url, reason=result.error or result.status)

    def _plan(self) -> None:
        report: PlanReport = plan_pending(self.settings, self.store, self.clock(), platforms=self.platforms)
        for article_id, platform, at in report.planned:
            self.tally.planned += 1
            event("planned", f"article {article_id} on {platform} at {at.isoformat()}",
                  article_id=article_id, platform=platform, at=at)
        for article_id, platform, reason in report.expired:
            event("expired", f"article {article_id} on {platform}: {reason}", article_id=article_id,
                  platform=platform, reason=reason)
        for article_id, platform, reason in report.unplanned:
            event("unplanned", f"article {article_id} on {platform} waits for room: {reason}",
                  level=logging.WARNING, article_id=article_id, platform=platform, reason=reason)
        for article_id, reason in report.failed:
            self.tally.failed += 1
            event("compose_failed", f"article {article_id}: {reason}", level=logging.ERROR,
                  article_id=article_id, reason=reason)
        for article_id in getattr(report, "recomposed", ()):
            event("recomposed", f"article {article_id} was edited before posting: its posts were composed again",
                  article_id=article_id)
        if report.moved:
            event("replanned", f"{report.moved} queued post(s) moved to later times", moved=report.moved)

    def publish(self) -> None:
        """One publish tick: send what is due (or, in a dry run, say what would be sent)."""
        if self.dry_run:
            self._announce_due()
            return
        # Even alone on SQLite, a tick settles only rows quiet for a while: `newsbot post` (which takes no
        # lock) may be sending one right now. Leftovers of a crash before start were settled by `reconcile`.
        stale = self.clock() - STALE_SENDING
        report = self.publisher.publish_due(stale_before=stale, should_stop=self.stopping.is_set,
                                            platforms=self.platforms)
        self._log_pass(report)

    def reconcile(self) -> None:
        """Settle rows a crash left ``sending`` — before anything else is sent."""
        if self.dry_run:
            left = self.outbox.sending()
            if left:
                event("reconcile", f"{len(left)} post(s) were left sending; a real run checks them first",
                      level=logging.WARNING, posts=[r.id for r in left])
            return
        stale = self.clock() - STALE_SENDING if self._multi_worker else None
        self._log_pass(self.publisher.reconcile(stale_before=stale))

    def learn_limits(self, refresh: bool = True) -> None:
        """Ask each platform that can tell its text limit (a Mastodon instance's own, often 1,000 or more);
        composing fits posts to the kept value. ``refresh=False`` asks only when nothing is kept yet (a
        ``--once`` pass every minute need not ask every time). Unreachable now: the last one kept (or the
        setting) stays, and the daemon goes on."""
        for name in self.platforms:
            if self.settings.missing_credentials(name):
                continue  # a dry run without credentials: nothing to ask with
            try:
                limit = self.publisher.platform(name).character_limit(refresh=refresh)
            except BotError as exc:
                event("limit_unknown", f"{name}: could not read its character limit, composing for the last known "
                      f"one: {exc}", level=logging.WARNING, platform=name, reason=str(exc))
                continue
            if limit is not None:
                log.debug("%s allows %d characters per post", name, limit)

    def note_disabled_platforms(self) -> None:
        """Posts planned for a platform since taken out of NEWSBOT_PLATFORMS are not sent: say so at start,
        so nobody waits for them (or is surprised when the platform is enabled again and they go out)."""
        for platform, n in sorted(self.outbox.waiting_by_platform().items()):
            if platform in self.platforms:
                continue
            event("platform_disabled", f"{n} post(s) for {platform} wait unsent: {platform} is not among the platforms "
                  f"this run posts to (NEWSBOT_PLATFORMS; unset, those with credentials). Enable it again to send them, or "
                  f"`newsbot cancel` them", level=logging.WARNING, platform=platform, posts=n)

    def _announce_due(self) -> None:
        for row in self.outbox.due(self.clock(), limit=1000, platforms=self.platforms):
            if row.id in self._announced:
                continue
            self._announced.add(row.id)
            self.tally.would_send += 1
            replies = len(self.outbox.thread(row.article_id, row.platform, row.account)) - 1 - row.thread_index
            more = f" (+{replies} thread part(s) after it)" if replies > 0 else ""
            event("would_send", f"post {row.id} to {row.platform} (article {row.article_id}){more}: "
                  f"{row.text[:100]!r}", post_id=row.id, platform=row.platform, article_id=row.article_id)

    def _log_pass(self, report: PassReport) -> None:
        for o in report.outcomes:
            where = f"post {o.post_id} to {o.platform} (article {o.article_id}"
            where += f", part {o.thread_index + 1})" if o.thread_index else ")"
            fields: dict[str, Any] = dict(post_id=o.post_id, platform=o.platform, article_id=o.article_id,
                          thread_index=o.thread_index)
            if o.status in ("sent", "reconciled"):
                self.tally.sent += 1
                verb = "sent" if o.status == "sent" else "found already sent"
                event(o.status, f"{where} {verb}: {o.url or ''}".rstrip(": "), url=o.url, **fields)
            elif o.status == "retry":
                self.tally.retried += 1
                when = o.retry_at.isoformat() if o.retry_at else "the next tick"
                event("retry", f"{where} will be retried at {when}: {o.error}", level=logging.WARNING,
                      reason=o.error, retry_at=o.retry_at, **fields)
            elif o.status == "failed":
                self.tally.failed += 1
                event("failed", f"{where} failed: {o.error}", level=logging.ERROR, reason=o.error, **fields)
            else:
                event("skipped", f"{where} skipped: {o.error}", level=logging.WARNING, reason=o.error, **fields)

    def housekeeping(self) -> None:
        now = self.clock()
        find_sent = None if self.dry_run else self.publisher.find_sent
        for e in expire_stale(self.settings, self.store, now, find_sent=find_sent):
            fields: dict[str, Any] = dict(article_id=e.article_id, platform=e.platform, post_id=e.post_id,
                                          reason=e.reason)
            if e.outcome == "expired":
                event("expired", f"article {e.article_id} on {e.platform}: {e.reason}", **fields)
            elif e.outcome == "sent":
                self.tally.sent += 1
                event("reconciled", f"post {e.post_id} to {e.platform} (article {e.article_id}) was not expired: "
                      f"{e.reason}", **fields)
            else:
                event("expiry_unchecked", f"post {e.post_id} to {e.platform} (article {e.article_id}) is stale but "
                      f"not expired: {e.reason}", level=logging.WARNING, **fields)
        pruned = self.outbox.prune(now - timedelta(days=self.settings.history_days))
        if pruned:
            event("pruned", f"forgot {pruned} send attempt(s) older than {self.settings.history_days} days",
                  attempts=pruned)

    # --- running --------------------------------------------------------------------------------------
    def _started(self, mode: str) -> None:
        from sqlalchemy.engine import make_url

        db = make_url(self.settings.db_url).render_as_string(hide_password=True)
        event("started", f"newsbot {mode} (pid {os.getpid()}) on {db}, platforms {', '.join(self.platforms)}"
              f"{' — dry run, nothing is sent' if self.dry_run else ''}",
              pid=os.getpid(), mode=mode, platforms=self.platforms, dry_run=self.dry_run)

    def run_once(self) -> Tally:
        """One pass: reconcile, ingest + plan, publish, housekeeping. For cron and systemd timers."""
        self._started("once")
        self._guarded("reconcile", self.reconcile)
        self._guarded("platforms", self.note_disabled_platforms)
        self._guarded("limits", lambda: self.learn_limits(refresh=False))
        self.ingest()
        self._guarded("publish", self.publish)
        self._guarded("housekeeping", self.housekeeping)
        t = self.tally
        event("finished", f"ingested {t.ingested}, planned {t.planned}, sent {t.sent}, retrying {t.retried}, "
              f"failed {t.failed}, job errors {t.job_errors}" + (f", would send {t.would_send}" if self.dry_run else ""),
              **vars(t))
        return t

    def start(self) -> None:
        """Reconcile, then start the scheduler in background threads (``stop`` ends it)."""
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self._started("run")
        self._guarded("reconcile", self.reconcile)
        self._guarded("platforms", self.note_disabled_platforms)
        scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(max_workers=3)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        now = datetime.now(UTC)  # APScheduler's own time, not the injected clock
        jobs: list[tuple[str, Callable[[], None], timedelta]] = [
            ("ingest", self.ingest, timedelta(minutes=self.settings.ingest_interval_minutes)),
            ("publish", self.publish, timedelta(seconds=self.settings.publish_tick_seconds)),
            ("housekeeping", self.housekeeping, HOUSEKEEPING_INTERVAL),
        ]
        for name, job, every in jobs:
            scheduler.add_job(self._guarded, "interval", args=(name, job), id=name, name=name,
                              seconds=every.total_seconds(), next_run_time=now)
        # Once, beside the first ticks rather than before them: a slow instance must not hold up sending.
        scheduler.add_job(self._guarded, "date", args=("limits", self.learn_limits), id="limits", name="limits",
                          run_date=now)
        scheduler.start()
        self._scheduler = scheduler

    def stop(self) -> None:
        """Send nothing more, let the job in flight finish (a send records its result), stop the scheduler."""
        self.stopping.set()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
            t = self.tally
            event("stopped", f"stopped cleanly: sent {t.sent}, failed {t.failed} since start", **vars(t))

    def run_forever(self, *, handle_signals: bool = True) -> None:
        """Start, wait for SIGTERM/SIGINT (or ``stopping`` being set), stop."""
        previous: dict[signal.Signals, Any] = {}
        if handle_signals and threading.current_thread() is threading.main_thread():
            for sig in SHUTDOWN_SIGNALS:
                previous[sig] = signal.signal(sig, self._on_signal)
        try:
            self.start()
            while not self.stopping.wait(1.0):
                pass
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self.stopping.is_set():
            event("stopping", "still finishing the send in flight; it is recorded before exit")
            return
        event("stopping", f"{signal.Signals(signum).name} received: finishing the send in flight, then exit",
              signal=signal.Signals(signum).name)
        self.stopping.set()


class Expiry(NamedTuple):
    """What housekeeping did with one stale post: ``expired``; ``sent`` (found on the platform, so its
    thread goes on); or ``unchecked`` (it was tried and nobody could say whether it went out: left planned)."""

    article_id: int
    platform: str
    outcome: str
    reason: str
    post_id: int


def expire_stale(
    settings: Settings, store: Store, now: datetime, *, find_sent: Callable[[PostRow], PublishResult | None] | None = None
) -> list[Expiry]:
    """Expire planned posts whose news is older than the platform's expiry (waiting out an outage, say).

    Only posts not started yet: a thread whose first part went out is finished, never left half-told.
    Evergreen posts do not expire. A post that was tried may have gone out although its send failed (a
    timeout after the platform took it): ``find_sent`` (``Publisher.find_sent``) is asked first, and a
    post it finds is recorded as sent instead. Without it (a dry run), or when the platform cannot say,
    a tried post stays planned - its next retry settles it with the same idempotency state.
    """
    from .schedule import news_since, policy_for

    outbox = Outbox(store)
    done: list[Expiry] = []
    down: dict[str, str] = {}  # platform -> why it could not be asked: not asked again this run
    expiry: dict[str, timedelta] = {}
    articles: dict[int, Any] = {}
    for row in outbox.find([PostState.PLANNED.value], limit=1_000_000):
        if row.thread_index != 0:
            continue
        if row.article_id not in articles:
            articles[row.article_id] = store.get_article(row.article_id)
        stored = articles[row.article_id]
        if stored.article.priority == Priority.EVERGREEN:
            continue
        if row.platform not in expiry:
            expiry[row.platform] = policy_for(settings, row.platform).expire_after
        # the same clock as planning: published, else ingested - and never before an embargo lifts
        published = news_since(stored.article, stored.created_at)
        if published + expiry[row.platform] > now:
            continue
        if row.prepared is not None:  # claimed before: it may be live
            settled = _settle_tried(outbox, row, now, find_sent, down)
            if settled is not None:
                done.append(settled)
                continue
        hours = expiry[row.platform].total_seconds() / 3600
        reason = f"not sent within {hours:g} hours of publication (last error: {row.last_error or 'none'})"
        # The head first, and the rest only if it was still planned: the publish tick, in another thread,
        # may have claimed it since it was read, and a thread that has begun is finished.
        if not outbox.set_state(row.id, PostState.EXPIRED, only_from=[PostState.PLANNED.value], error=reason):
            continue
        for part in outbox.thread(row.article_id, row.platform, row.account):
            if part.thread_index > 0:
                outbox.set_state(part.id, PostState.EXPIRED, only_from=[PostState.PLANNED.value], error=reason)
        done.append(Expiry(row.article_id, row.platform, "expired", reason, row.id))
    return done


def _settle_tried(
    outbox: Outbox, row: PostRow, now: datetime, find_sent: Callable[[PostRow], PublishResult | None] | None,
    down: dict[str, str],
) -> Expiry | None:
    """For a stale post that was tried: ``sent`` if the platform has it, ``unchecked`` if nobody can tell,
    None if it certainly is not there (then it may expire). A platform that is down (``down``) is asked
    once per run: posts go stale in outages, and each look-up would wait out the HTTP timeout."""
    def unchecked(why: str) -> Expiry:
        return Expiry(row.article_id, row.platform, "unchecked", why, row.id)

    if find_sent is None:
        return unchecked("it was tried and may have gone out; a run that sends checks it before expiring it")
    if row.platform in down:
        return unchecked(f"it was tried and may have gone out, and checking failed ({down[row.platform]}); "
                         "it stays planned")
    try:
        found = find_sent(row)
    except BotError as exc:
        if isinstance(exc, PlatformError) and exc.retryable:
            down[row.platform] = str(exc)
        return unchecked(f"it was tried and may have gone out, and checking failed ({exc}); it stays planned")
    except Exception as exc:  # noqa: BLE001 - an adapter bug must not stop the expiry of every other post
        log.exception("looking up post %s on %s failed unexpectedly", row.id, row.platform)
        return unchecked(f"it was tried and may have gone out, and checking it failed unexpectedly "
                         f"({type(exc).__name__}: {exc}; this is a bug, please report it); it stays planned")
    if found is None:
        return None
    if not outbox.mark_found(row.id, found, now):
        return unchecked("it was taken by a publish tick while being checked")
    return Expiry(row.article_id, row.platform, "sent", f"found on {row.platform} after all: {found.url or found.remote_id}",
                  row.id)
