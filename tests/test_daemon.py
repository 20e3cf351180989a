"""`newsbot run`: jobs that only trigger, a daemon that survives its jobs' failures, one instance per database,
a clean stop on SIGTERM, and logs with one line per event and no secrets."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.daemon import Daemon, InstanceLock, expire_stale, sqlite_path
from bot.errors import AlreadyRunningError, PlatformError
from bot.logs import remove_logging, setup_logging
from bot.models import Article, Draft, Part, Priority, PublishResult
from bot.publish import Publisher
from bot.store import Store, open_store
from bot.store.outbox import Outbox

from fakes import FakePlatform, permanent, transient

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PLATFORMS = ("x", "bluesky", "mastodon")
# Recognisable fake credentials: none of them may ever appear in a log line.
SECRETS = {
    "x_consumer_key": "XCK-secret-9f3a71",
    "x_consumer_secret": "XCS-secret-5be0d2",
    "x_access_token": "XAT-secret-77c1e4",
    "x_access_token_secret": "XATS-secret-0d9e88",
    "bluesky_app_password": "BSKY-secret-app-pw-4411",
    "mastodon_access_token": "MASTO-secret-token-2290",
}
ENV_SECRETS = {
    "X_CONSUMER_KEY": SECRETS["x_consumer_key"],
    "X_CONSUMER_SECRET": SECRETS["x_consumer_secret"],
    "X_ACCESS_TOKEN": SECRETS["x_access_token"],
    "X_ACCESS_TOKEN_SECRET": SECRETS["x_access_token_secret"],
    "BLUESKY_HANDLE": "newsdesk.test",
    "BLUESKY_APP_PASSWORD": SECRETS["bluesky_app_password"],
    "MASTODON_API_BASE_URL": "http://127.0.0.1:9",
    "MASTODON_ACCESS_TOKEN": SECRETS["mastodon_access_token"],
}
# Every minute a slot, nothing in the way: breaking news goes at once, normal news at the next minute.
FAST_SCHEDULE = {"slots": "* * * * *", "min_spacing_minutes": 0, "quiet_hours": "", "daily_cap": 0,
                 "stagger_minutes": 0}


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def daemon_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "queue_dir": tmp_path / "queue",
        "data_dir": tmp_path / "data",
        "file_settle_seconds": 0,
        "platforms": list(PLATFORMS),
        "bluesky_handle": "newsdesk.test",
        "mastodon_api_base_url": "http://127.0.0.1:9",
        "threads": [],
        **SECRETS,
        **FAST_SCHEDULE,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def write_article(queue: Path, name: str, title: str, *, priority: str = "breaking", published: str | None = None,
                  mtime: datetime = T0 - timedelta(hours=1)) -> Path:
    """A small Markdown article; its file time is before the test clock so ingest takes it."""
    queue.mkdir(parents=True, exist_ok=True)
    front = [f"title: {title}", f"url: https://news.example/{name}", f"priority: {priority}"]
    if published:
        front.append(f"published: {published}")
    body = (f"The council met on Monday to discuss {title.lower()}. Members voted after a long debate. "
            f"The decision takes effect next month, officials said.")
    path = queue / f"{name}.md"
    path.write_text("---\n" + "\n".join(front) + "\n---\n\n" + body + "\n", encoding="utf-8")
    os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dsettings(tmp_path: Path) -> Settings:
    return daemon_settings(tmp_path)


@pytest.fixture
def dstore(dsettings: Settings) -> Iterator[Store]:
    s = open_store(dsettings.db_url)
    yield s
    s.close()


@pytest.fixture
def fakes() -> dict[str, FakePlatform]:
    return {name: FakePlatform(platform_name=name) for name in PLATFORMS}


@pytest.fixture
def make_daemon(dsettings: Settings, dstore: Store, fakes: dict[str, FakePlatform], clock: Clock) -> Callable[..., Daemon]:
    def make(publisher: Publisher | None = None, **kw: Any) -> Daemon:
        publisher = publisher or Publisher(dsettings, dstore, platforms=fakes, clock=clock)
        kw.setdefault("feed_poller", None)
        return Daemon(dsettings, dstore, publisher=publisher, clock=clock, **kw)

    return make


@pytest.fixture
def log_lines() -> Iterator[Callable[..., list[str]]]:
    """Install the daemon's logging into a buffer; call with as_json=… before use, read lines after."""
    handlers: list[logging.Handler] = []
    buffer = io.StringIO()

    def install(settings: Settings, as_json: bool = False) -> list[str]:
        handlers.append(setup_logging(settings, as_json=as_json, stream=buffer))
        return []

    def lines() -> list[str]:
        return buffer.getvalue().splitlines()

    install.lines = lines  # type: ignore[attr-defined]
    yield install
    for h in handlers:
        remove_logging(h)


def sent_texts(fake: FakePlatform) -> list[str]:
    return [p.text for p in fake.posts]


# --- one pass -----------------------------------------------------------------------------------------


def test_once_ingests_plans_and_sends_every_article_to_every_platform(
    make_daemon: Callable[..., Daemon], dsettings: Settings, fakes: dict[str, FakePlatform], dstore: Store
) -> None:
    for i in range(3):
        write_article(dsettings.queue_dir, f"story-{i}", f"Bridge number {i} reopens")
    tally = make_daemon().run_once()
    assert (tally.ingested, tally.planned, tally.sent, tally.failed) == (3, 9, 9, 0)
    assert not tally.needs_attention
    for fake in fakes.values():
        assert len(fake.posts) == 3
        assert [("number 0" in t, "number 1" in t, "number 2" in t) for t in sent_texts(fake)] == [
            (True, False, False), (False, True, False), (False, False, True)]
    assert {r.state for r in Outbox(dstore).find()} == {"sent"}
    assert sorted(p.name for p in (dsettings.queue_dir / "processed").iterdir()) == [
        "story-0.md", "story-1.md", "story-2.md"]


def test_a_second_pass_sends_nothing_again(make_daemon: Callable[..., Daemon], dsettings: Settings,
                                           fakes: dict[str, FakePlatform], clock: Clock) -> None:
    write_article(dsettings.queue_dir, "once", "Only once")
    daemon = make_daemon()
    daemon.run_once()
    clock.advance(minutes=10)
    daemon.run_once()
    daemon.publish()
    assert [len(f.posts) for f in fakes.values()] == [1, 1, 1]


def test_normal_news_waits_for_its_slot(make_daemon: Callable[..., Daemon], dsettings: Settings,
                                        fakes: dict[str, FakePlatform], clock: Clock) -> None:
    write_article(dsettings.queue_dir, "later", "A normal story", priority="normal")
    clock.advance(seconds=30)  # 10:00:30; the next slot is 10:01
    daemon = make_daemon()
    daemon.run_once()
    assert all(f.posts == [] for f in fakes.values())
    clock.advance(seconds=30)
    daemon.publish()
    assert [len(f.posts) for f in fakes.values()] == [1, 1, 1]


def test_a_permanent_failure_makes_once_need_attention(make_daemon: Callable[..., Daemon], dsettings: Settings,
                                                       fakes: dict[str, FakePlatform]) -> None:
    write_article(dsettings.queue_dir, "refused", "Refused by one platform")
    fakes["mastodon"].fail_next.append(permanent("mastodon"))
    tally = make_daemon().run_once()
    assert (tally.sent, tally.failed) == (2, 1)
    assert tally.needs_attention


def test_a_post_left_sending_by_a_crash_is_reconciled_before_anything_is_sent(
    make_daemon: Callable[..., Daemon], dstore: Store, fakes: dict[str, FakePlatform], clock: Clock
) -> None:
    outbox = Outbox(dstore)
    article = Article(source="crash.txt", text="body", title="crash")
    article_id = dstore.add_article(article)
    draft = Draft("bluesky", (Part(text="sent before the crash", length=21, limit=300),))
    (post_id,) = outbox.enqueue(article_id, article.content_hash, [draft], {"bluesky": T0})
    row = outbox.claim(post_id, fakes["bluesky"].prepare(outbox.get(post_id).idempotency_key), "old:1", T0)
    assert row is not None
    fakes["bluesky"].publish(row.part, prepared=row.prepared or {})  # it reached the platform, then the crash
    tally = make_daemon(platforms=["bluesky"]).run_once()
    assert outbox.get(post_id).state == "sent"
    assert len(fakes["bluesky"].posts) == 1
    assert tally.sent == 1


def test_a_publish_tick_leaves_a_newsbot_post_send_in_flight_alone(
    make_daemon: Callable[..., Daemon], dstore: Store, fakes: dict[str, FakePlatform], clock: Clock
) -> None:
    # `newsbot post` runs beside the daemon (it takes no lock): the row it is sending is `sending` for as long
    # as the platform takes. A tick that reconciled it would find nothing yet, plan it again and send it twice.
    outbox = Outbox(dstore)
    article = Article(source="now.txt", text="body", title="now")
    article_id = dstore.add_article(article)
    draft = Draft("bluesky", (Part(text="posted by hand", length=14, limit=300),))
    (post_id,) = outbox.enqueue(article_id, article.content_hash, [draft], {"bluesky": T0})
    assert outbox.claim(post_id, fakes["bluesky"].prepare(outbox.get(post_id).idempotency_key), "host:4242", T0)
    daemon = make_daemon(platforms=["bluesky"])
    clock.advance(seconds=10)
    daemon.publish()
    assert outbox.get(post_id).state == "sending"
    assert fakes["bluesky"].calls == 0
    clock.advance(minutes=10)  # quiet that long: whoever sent it died; now it is a crash's leftover
    daemon.publish()
    assert outbox.get(post_id).state == "sent"
    assert len(fakes["bluesky"].posts) == 1


def test_a_platform_taken_out_of_the_settings_gets_nothing_more_and_its_waiting_posts_are_reported(
    make_daemon: Callable[..., Daemon], dsettings: Settings, dstore: Store, fakes: dict[str, FakePlatform],
    log_lines: Any
) -> None:
    # The newsroom stops posting to X (NEWSBOT_PLATFORMS=bluesky) while X's credentials are still in .env:
    # the X posts planned earlier must not go out, and the log says where they are.
    outbox = Outbox(dstore)
    [x_post] = _planned(dstore, "left on x", "x", T0 - timedelta(minutes=5), published=T0 - timedelta(hours=1))
    [bsky_post] = _planned(dstore, "for bluesky", "bluesky", T0 - timedelta(minutes=5), published=T0 - timedelta(hours=1))
    log_lines(dsettings, as_json=True)

    tally = make_daemon(platforms=["bluesky"]).run_once()

    assert fakes["x"].calls == 0 and outbox.get(x_post).state == "planned"
    assert outbox.get(bsky_post).state == "sent" and tally.sent == 1
    [line] = [json.loads(x) for x in log_lines.lines() if "platform_disabled" in x]
    assert (line["platform"], line["posts"]) == ("x", 1) and "newsbot cancel" in line["message"]
    make_daemon(platforms=["bluesky", "x"]).run_once()  # enabled again: it goes out
    assert outbox.get(x_post).state == "sent" and len(fakes["x"].posts) == 1


def test_a_queue_file_the_daemon_cannot_take_is_logged_once_as_a_warning(
    make_daemon: Callable[..., Daemon], dsettings: Settings, log_lines: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.ingest.inbox as inbox

    real = os.rename

    def rename(src: Any, dst: Any) -> None:
        if Path(src).name == "theirs.md":
            raise PermissionError(1, "Operation not permitted")
        real(src, dst)

    monkeypatch.setattr(inbox.os, "rename", rename)
    write_article(dsettings.queue_dir, "theirs", "Bridge reopens")
    log_lines(dsettings, as_json=True)
    daemon = make_daemon()
    daemon.ingest()
    daemon.ingest()  # the next tick: still there, not said again

    skipped = [json.loads(x) for x in log_lines.lines() if "ingest_skipped" in x]
    assert len(skipped) == 1 and skipped[0]["level"] == "warning"
    assert skipped[0]["file"] == "theirs.md" and "permissions" in skipped[0]["reason"]


# --- a job's failure never stops the daemon -------------------------------------------------------------


class FlakyPublisher(Publisher):
    """Raises (a database hiccup, a bug) on the first ``failures`` ticks."""

    def __init__(self, *args: Any, failures: int, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.failures = failures
        self.ticks = 0

    def publish_due(self, **kw: Any) -> Any:
        self.ticks += 1
        if self.ticks <= self.failures:
            raise RuntimeError(f"tick {self.ticks} exploded")
        return super().publish_due(**kw)


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Poll until ``condition`` holds (bounded, so a broken daemon fails the test instead of hanging it)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not become true")
        time.sleep(0.02)


def test_a_job_that_raises_is_logged_and_the_daemon_goes_on(
    tmp_path: Path, fakes: dict[str, FakePlatform], log_lines: Any
) -> None:
    settings = daemon_settings(tmp_path, publish_tick_seconds=0.05)
    store = open_store(settings.db_url)
    write_article(settings.queue_dir, "survivor", "A story that survives", mtime=datetime.now(UTC) - timedelta(hours=1))
    log_lines(settings)
    publisher = FlakyPublisher(settings, store, platforms=fakes, failures=3)
    daemon = Daemon(settings, store, publisher=publisher, feed_poller=None)
    daemon.start()
    try:
        wait_for(lambda: all(len(f.posts) == 1 for f in fakes.values()))
    finally:
        daemon.stop()
        store.close()
    assert publisher.ticks > 3
    assert daemon.tally.job_errors == 3
    failures = [line for line in log_lines.lines() if "job_failed" in line]
    assert len(failures) == 3 and "tick 1 exploded" in failures[0]
    assert [line.split()[2] for line in log_lines.lines()].count("sent") == 3


def test_a_failing_feed_poll_does_not_keep_the_queue_from_being_planned(
    make_daemon: Callable[..., Daemon], dsettings: Settings, dstore: Store
) -> None:
    def broken_poller(*args: Any, **kw: Any) -> list[Any]:
        raise ConnectionError("feed host unreachable")

    write_article(dsettings.queue_dir, "queued", "Queued story")
    daemon = make_daemon(feed_poller=broken_poller)
    daemon.ingest()
    assert daemon.tally.job_errors == 1
    assert len(Outbox(dstore).find(["planned"])) == 3


def test_a_feed_poller_is_called_with_the_clock_and_its_articles_are_logged(
    make_daemon: Callable[..., Daemon], dsettings: Settings, clock: Clock, log_lines: Any
) -> None:
    log_lines(dsettings)
    calls: list[datetime] = []

    class Update:
        article_id, action, new_title = 3, "recompose", "Bridge reopens on Friday, not Thursday"

    class Result:
        url, name, status, error, ok = "https://feeds.example/rss", "Example", "ok", None, True
        new_article_ids = [7, 8]
        updates = [Update()]

    def poller(settings: Settings, store: Store, *, now: datetime) -> list[Any]:
        calls.append(now)
        return [Result()]

    daemon = make_daemon(feed_poller=poller)
    daemon.ingest()
    assert calls == [T0]
    assert daemon.tally.ingested == 2
    events = [line.split()[2] for line in log_lines.lines()]
    assert events.count("ingested") == 2 and events.count("updated") == 1


# --- stopping -----------------------------------------------------------------------------------------


def test_stopping_mid_pass_finishes_the_send_in_flight_and_starts_no_other(
    make_daemon: Callable[..., Daemon], dsettings: Settings, dstore: Store, fakes: dict[str, FakePlatform]
) -> None:
    for i in range(3):
        write_article(dsettings.queue_dir, f"s{i}", f"Story {i}")
    daemon = make_daemon(platforms=["bluesky"])
    daemon.ingest()
    original = fakes["bluesky"].publish

    def publish_then_signal(*args: Any, **kw: Any) -> Any:
        daemon.stopping.set()  # SIGTERM arrives while this post is on its way
        return original(*args, **kw)

    fakes["bluesky"].publish = publish_then_signal  # type: ignore[method-assign]
    daemon.publish()
    rows = sorted(Outbox(dstore).find(platforms=["bluesky"]), key=lambda r: r.article_id)
    assert [r.state for r in rows] == ["sent", "planned", "planned"]  # recorded, and nothing left half-done in `sending`


def test_run_forever_stops_when_asked_and_records_everything(
    tmp_path: Path, fakes: dict[str, FakePlatform]
) -> None:
    settings = daemon_settings(tmp_path, publish_tick_seconds=0.05)
    store = open_store(settings.db_url)
    write_article(settings.queue_dir, "one", "One story", mtime=datetime.now(UTC) - timedelta(hours=1))
    daemon = Daemon(settings, store, publisher=Publisher(settings, store, platforms=fakes), feed_poller=None)
    runner = threading.Thread(target=daemon.run_forever, kwargs={"handle_signals": False})
    runner.start()
    try:
        wait_for(lambda: all(len(f.posts) == 1 for f in fakes.values()))
    finally:
        daemon.stopping.set()
        runner.join(timeout=20)
    assert not runner.is_alive()
    assert {r.state for r in Outbox(store).find()} == {"sent"}
    store.close()


# --- one daemon per database --------------------------------------------------------------------------


def test_a_second_lock_on_the_same_database_is_refused_with_the_holder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'newsbot.db'}"
    with InstanceLock(url):
        with pytest.raises(AlreadyRunningError) as refused:
            InstanceLock(url).acquire()
    assert f"another newsbot run (pid {os.getpid()}) is using {tmp_path / 'data' / 'newsbot.db'}; stop it first" \
        == str(refused.value)
    InstanceLock(url).acquire().release()  # released: the next one gets it


def test_other_databases_need_no_lock() -> None:
    assert sqlite_path("postgresql+psycopg://u:p@db/newsbot") is None
    assert sqlite_path("sqlite:///:memory:") is None
    with InstanceLock("postgresql+psycopg://u:p@db/newsbot"), InstanceLock("postgresql+psycopg://u:p@db/newsbot"):
        pass


# --- housekeeping -------------------------------------------------------------------------------------


def _planned(store: Store, title: str, platform: str, when: datetime, *, published: datetime | None,
             priority: Priority = Priority.NORMAL, parts: int = 1) -> list[int]:
    article = Article(source=f"{title}.txt", text=title, title=title, published=published, priority=priority)
    article_id = store.add_article(article)
    draft = Draft(platform, tuple(Part(text=f"{title} {i}", length=5, limit=300) for i in range(parts)))
    return Outbox(store).enqueue(article_id, article.content_hash, [draft], {platform: when})


def test_housekeeping_expires_stale_news_still_waiting_but_never_half_a_thread(
    dsettings: Settings, dstore: Store
) -> None:
    outbox = Outbox(dstore)
    old = T0 - timedelta(hours=30)  # expiry is 24 hours
    stale = _planned(dstore, "stale", "bluesky", T0 - timedelta(hours=7), published=old, parts=2)
    fresh = _planned(dstore, "fresh", "bluesky", T0, published=T0 - timedelta(hours=1))
    evergreen = _planned(dstore, "evergreen", "bluesky", T0, published=old, priority=Priority.EVERGREEN)
    started = _planned(dstore, "started", "bluesky", T0 - timedelta(hours=7), published=old, parts=2)
    outbox.claim(started[0], {}, "w", T0)
    outbox.mark_sent(started[0], PublishResult("1"), T0)
    expired = expire_stale(dsettings, dstore, T0)
    assert [(e.article_id, e.platform, e.outcome) for e in expired] == [(outbox.get(stale[0]).article_id, "bluesky", "expired")]
    assert [outbox.get(i).state for i in stale] == ["expired", "expired"]
    assert "not sent within 24 hours" in (outbox.get(stale[0]).last_error or "")
    assert outbox.get(fresh[0]).state == "planned"
    assert outbox.get(evergreen[0]).state == "planned"
    assert outbox.get(started[1]).state == "planned"  # the rest of a thread already begun still goes


def test_housekeeping_leaves_a_thread_whose_head_went_out_meanwhile_whole(
    dsettings: Settings, dstore: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Housekeeping and the publish tick run in parallel threads: the head read as planned may be claimed
    # before housekeeping writes. Then its replies must not be expired (a thread is never left half-told).
    outbox = Outbox(dstore)
    stale = _planned(dstore, "stale", "bluesky", T0 - timedelta(hours=7), published=T0 - timedelta(hours=30),
                     parts=2)
    real_find = Outbox.find

    def find_then_the_tick_claims_the_head(self: Outbox, *a: Any, **k: Any) -> Any:
        rows = real_find(self, *a, **k)
        outbox.claim(stale[0], {}, "publisher", T0)
        return rows

    monkeypatch.setattr(Outbox, "find", find_then_the_tick_claims_the_head)
    assert expire_stale(dsettings, dstore, T0) == []
    assert [outbox.get(i).state for i in stale] == ["sending", "planned"]


def _tried_once(publisher: Publisher, store: Store, head: int) -> None:
    """One send attempt of ``head`` that ends in a retryable error (the platform's faults decide whether
    the post landed first)."""
    outcome = publisher.publish_row(Outbox(store).get(head))
    assert outcome.status == "retry"


def test_housekeeping_records_a_stale_post_whose_timed_out_send_landed_as_sent_and_finishes_its_thread(
    dsettings: Settings, dstore: Store, fakes: dict[str, FakePlatform], clock: Clock
) -> None:
    # The send timed out after Bluesky took the post; the retries then waited out an outage past the
    # expiry. Writing "expired" would leave a live post recorded as never sent, and its thread half-told.
    outbox, bluesky = Outbox(dstore), fakes["bluesky"]
    thread = _planned(dstore, "timed out", "bluesky", T0 - timedelta(hours=26), published=T0 - timedelta(hours=26),
                      parts=2)
    publisher = Publisher(dsettings, dstore, platforms=fakes, clock=clock)
    bluesky.land_then_fail.append(transient("bluesky"))
    _tried_once(publisher, dstore, thread[0])
    [landed] = bluesky.posts

    done = expire_stale(dsettings, dstore, T0, find_sent=publisher.find_sent)

    assert [(e.post_id, e.outcome) for e in done] == [(thread[0], "sent")]
    head = outbox.get(thread[0])
    assert head.state == "sent" and head.remote_id == landed.id
    assert head.last_error is None  # the timeout was no failure after all (`status --json` shows this field)
    assert outbox.get(thread[1]).state == "planned"  # the thread goes on
    publisher.publish_due()
    assert [(p.text, p.reply_to) for p in bluesky.posts] == [("timed out 0", None), ("timed out 1", landed.id)]
    assert outbox.get(thread[1]).state == "sent"


def test_housekeeping_expires_a_stale_post_that_was_tried_but_is_not_on_the_platform(
    dsettings: Settings, dstore: Store, fakes: dict[str, FakePlatform], clock: Clock
) -> None:
    outbox, bluesky = Outbox(dstore), fakes["bluesky"]
    thread = _planned(dstore, "refused", "bluesky", T0 - timedelta(hours=26), published=T0 - timedelta(hours=26),
                      parts=2)
    publisher = Publisher(dsettings, dstore, platforms=fakes, clock=clock)
    bluesky.fail_next.append(transient("bluesky"))  # refused before anything was posted
    _tried_once(publisher, dstore, thread[0])

    done = expire_stale(dsettings, dstore, T0, find_sent=publisher.find_sent)

    assert [(e.post_id, e.outcome) for e in done] == [(thread[0], "expired")]
    assert [outbox.get(i).state for i in thread] == ["expired", "expired"]
    assert bluesky.finds == 1 and bluesky.posts == []


def test_housekeeping_leaves_a_tried_stale_post_planned_when_the_platform_cannot_say_and_it_goes_out_once(
    dsettings: Settings, dstore: Store, fakes: dict[str, FakePlatform], clock: Clock
) -> None:
    outbox, bluesky = Outbox(dstore), fakes["bluesky"]
    [head] = _planned(dstore, "unknown", "bluesky", T0 - timedelta(hours=26), published=T0 - timedelta(hours=26))
    publisher = Publisher(dsettings, dstore, platforms=fakes, clock=clock)
    bluesky.land_then_fail.append(transient("bluesky"))
    _tried_once(publisher, dstore, head)
    bluesky.find_fails = transient("bluesky")

    done = expire_stale(dsettings, dstore, T0, find_sent=publisher.find_sent)

    assert [(e.post_id, e.outcome) for e in done] == [(head, "unchecked")]
    assert "checking failed" in done[0].reason
    assert outbox.get(head).state == "planned"
    # Its retry reuses the prepared key: the post that landed is recorded, not posted again.
    clock.advance(hours=2)
    publisher.publish_due()
    assert outbox.get(head).state == "sent" and len(bluesky.posts) == 1


def test_a_look_up_that_breaks_unexpectedly_leaves_its_post_planned_and_expires_the_others(
    dsettings: Settings, dstore: Store, fakes: dict[str, FakePlatform], clock: Clock
) -> None:
    # An adapter bug in one platform's look-up (an answer of a shape it did not expect) must not stop
    # housekeeping: the other platforms' stale news still expires, and the post it could not check is
    # left as it is (it may be live).
    outbox = Outbox(dstore)
    stale = T0 - timedelta(hours=26)
    [on_bluesky] = _planned(dstore, "odd answer", "bluesky", stale, published=stale)
    [on_mastodon] = _planned(dstore, "refused", "mastodon", stale, published=stale)
    publisher = Publisher(dsettings, dstore, platforms=fakes, clock=clock)
    fakes["bluesky"].land_then_fail.append(transient("bluesky"))
    fakes["mastodon"].fail_next.append(transient("mastodon"))
    _tried_once(publisher, dstore, on_bluesky)
    _tried_once(publisher, dstore, on_mastodon)
    fakes["bluesky"].find_fails = KeyError("in_reply_to_id")

    done = expire_stale(dsettings, dstore, T0, find_sent=publisher.find_sent)

    assert sorted((e.post_id, e.outcome) for e in done) == [(on_bluesky, "unchecked"), (on_mastodon, "expired")]
    assert "KeyError" in next(e.reason for e in done if e.post_id == on_bluesky)
    assert outbox.get(on_bluesky).state == "planned"
    assert outbox.get(on_mastodon).state == "expired"


def test_a_platform_that_cannot_be_asked_is_asked_once_per_housekeeping_run(
    dsettings: Settings, dstore: Store, fakes: dict[str, FakePlatform], clock: Clock
) -> None:
    # Posts go stale during outages: a look-up per post, each waiting out the HTTP timeout, would keep
    # housekeeping busy for as long as the outage lasted.
    stale = T0 - timedelta(hours=26)
    heads = [_planned(dstore, f"outage {i}", "bluesky", stale, published=stale)[0] for i in range(3)]
    publisher = Publisher(dsettings, dstore, platforms=fakes, clock=clock)
    for head in heads:
        fakes["bluesky"].fail_next.append(transient("bluesky"))
        _tried_once(publisher, dstore, head)
    fakes["bluesky"].find_fails = transient("bluesky")

    done = expire_stale(dsettings, dstore, T0, find_sent=publisher.find_sent)

    assert [(e.post_id, e.outcome) for e in done] == [(head, "unchecked") for head in heads]
    assert all("server busy (503)" in e.reason for e in done)
    assert fakes["bluesky"].finds == 1
    assert {Outbox(dstore).get(head).state for head in heads} == {"planned"}


def test_a_dry_run_never_expires_a_post_that_was_tried(
    make_daemon: Callable[..., Daemon], dsettings: Settings, dstore: Store, fakes: dict[str, FakePlatform],
    clock: Clock, log_lines: Any
) -> None:
    # A dry run has no platform to ask whether the post went out: it says so and decides nothing.
    [head] = _planned(dstore, "dry", "bluesky", T0 - timedelta(hours=26), published=T0 - timedelta(hours=26))
    fakes["bluesky"].land_then_fail.append(transient("bluesky"))
    _tried_once(Publisher(dsettings, dstore, platforms=fakes, clock=clock), dstore, head)
    log_lines(dsettings, as_json=True)

    make_daemon(dry_run=True).housekeeping()

    assert Outbox(dstore).get(head).state == "planned"
    assert fakes["bluesky"].finds == 0
    [line] = [json.loads(x) for x in log_lines.lines() if "expiry_unchecked" in x]
    assert line["post_id"] == head and "may have gone out" in line["reason"]


def test_housekeeping_prunes_old_attempts_but_keeps_the_posts(
    make_daemon: Callable[..., Daemon], dsettings: Settings, dstore: Store, clock: Clock
) -> None:
    write_article(dsettings.queue_dir, "history", "History story")
    daemon = make_daemon()
    daemon.run_once()
    clock.advance(days=dsettings.history_days + 1)
    daemon.housekeeping()
    with dstore.engine.connect() as conn:
        from sqlalchemy import func, select

        from bot.store import schema

        attempts = conn.execute(select(func.count()).select_from(schema.attempts)).scalar()
    assert attempts == 0
    assert len(Outbox(dstore).find(["sent"])) == 3


# --- planning stays put ------------------------------------------------------------------------------


def test_a_staggered_post_keeps_its_time_after_its_sibling_went_out(
    tmp_path: Path, fakes: dict[str, FakePlatform], clock: Clock
) -> None:
    settings = daemon_settings(tmp_path, slots="*/15 * * * *", stagger_minutes=5)
    store = open_store(settings.db_url)
    write_article(settings.queue_dir, "stagger", "Staggered story", priority="normal", published="2026-03-02T09:55:00Z")
    daemon = Daemon(settings, store, publisher=Publisher(settings, store, platforms=fakes, clock=clock),
                    clock=clock, feed_poller=None)
    daemon.ingest()
    outbox = Outbox(store)
    planned = {r.platform: r.scheduled_at for r in outbox.find()}
    assert planned == {"x": T0, "bluesky": T0 + timedelta(minutes=5), "mastodon": T0 + timedelta(minutes=10)}
    clock.advance(minutes=1)  # X is out, the others wait for their stagger; a new pass must not move them
    daemon.publish()
    daemon.ingest()
    assert {r.platform: r.scheduled_at for r in outbox.find()} == planned
    store.close()


# --- dry run ------------------------------------------------------------------------------------------


def test_dry_run_sends_nothing_and_says_once_what_would_go(
    make_daemon: Callable[..., Daemon], dsettings: Settings, dstore: Store, fakes: dict[str, FakePlatform],
    log_lines: Any
) -> None:
    log_lines(dsettings)
    write_article(dsettings.queue_dir, "dry", "Dry story")
    daemon = make_daemon(dry_run=True)
    tally = daemon.run_once()
    daemon.publish()
    assert all(f.posts == [] and f.calls == 0 for f in fakes.values())
    assert {r.state for r in Outbox(dstore).find()} == {"planned"}  # a real run sends them later
    assert tally.would_send == 3
    assert sum("would_send" in line for line in log_lines.lines()) == 3


# --- logs ---------------------------------------------------------------------------------------------


def test_logs_say_one_line_per_event(
    make_daemon: Callable[..., Daemon], dsettings: Settings, fakes: dict[str, FakePlatform], log_lines: Any
) -> None:
    log_lines(dsettings)
    write_article(dsettings.queue_dir, "a", "First story")
    write_article(dsettings.queue_dir, "b", "Second story")
    fakes["x"].fail_next.append(PlatformError("x", "over capacity (503)", retryable=True, status=503))
    make_daemon().run_once()
    lines = log_lines.lines()
    events = [line.split()[2] for line in lines]
    assert events.count("ingested") == 2
    assert events.count("planned") == 6
    assert events.count("sent") == 4  # X refused one for now, and is left alone for the rest of the pass…
    assert events.count("retry") == 1  # …the refused post is retried later, with the reason
    assert events[0] == "started" and events[-1] == "finished"
    sent = [line for line in lines if line.split()[2] == "sent"]
    assert all("https://" in line and ".example/" in line for line in sent)
    assert "over capacity (503)" in next(line for line in lines if " retry " in line)
    assert len(lines) == 2 + 2 + 6 + 4 + 1  # started, ingested, planned, sent, retry, finished: nothing else


def test_log_json_is_one_object_per_line(
    make_daemon: Callable[..., Daemon], dsettings: Settings, fakes: dict[str, FakePlatform], log_lines: Any
) -> None:
    log_lines(dsettings, as_json=True)
    write_article(dsettings.queue_dir, "j", "JSON story")
    fakes["mastodon"].fail_next.append(permanent("mastodon"))
    make_daemon().run_once()
    records = [json.loads(line) for line in log_lines.lines()]
    assert all({"time", "level", "event", "message"} <= set(r) for r in records)
    sent = [r for r in records if r["event"] == "sent"]
    assert {r["platform"] for r in sent} == {"x", "bluesky"}
    assert all(r["url"].startswith("https://") and isinstance(r["post_id"], int) for r in sent)
    (failed,) = [r for r in records if r["event"] == "failed"]
    assert failed["level"] == "error" and failed["platform"] == "mastodon" and "rejected (400)" in failed["reason"]


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_no_secret_reaches_the_log(
    make_daemon: Callable[..., Daemon], dsettings: Settings, fakes: dict[str, FakePlatform], log_lines: Any,
    as_json: bool
) -> None:
    log_lines(dsettings, as_json=as_json)
    write_article(dsettings.queue_dir, "secret", "Secret story")
    token = SECRETS["mastodon_access_token"]
    fakes["mastodon"].fail_next.append(PlatformError("mastodon", f"401 for token {token}", status=401))

    def leaky_poller(*args: Any, **kw: Any) -> list[Any]:
        raise RuntimeError(f"proxy said: bad password {SECRETS['bluesky_app_password']!r} \"{SECRETS['x_consumer_secret']}\"")

    daemon = make_daemon(feed_poller=leaky_poller)
    daemon.run_once()
    logging.getLogger("some.library").warning("header Authorization: Bearer %s", SECRETS["x_access_token"])
    text = "\n".join(log_lines.lines())
    assert "401 for token ***" in text and "bad password" in text  # the events are there…
    for secret in SECRETS.values():
        assert secret not in text  # …their secrets are not


# --- the command, as a real process -------------------------------------------------------------------


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "X_", "BLUESKY_", "MASTODON_"))}
    env.update(ENV_SECRETS)
    env.update(
        NEWSBOT_QUEUE_DIR=str(tmp_path / "queue"),
        NEWSBOT_DATA_DIR=str(tmp_path / "data"),
        NEWSBOT_FILE_SETTLE_SECONDS="0",
        NEWSBOT_PLATFORMS="x,bluesky,mastodon",
        NEWSBOT_SLOTS="* * * * *",
        NEWSBOT_MIN_SPACING_MINUTES="0",
        NEWSBOT_QUIET_HOURS="",
        NEWSBOT_STAGGER_MINUTES="0",
        NEWSBOT_DAILY_CAP="0",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def _newsbot(tmp_path: Path, *args: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bot", "--env-file", str(tmp_path / "none.env"), *args],
                            cwd=tmp_path, env=env or _env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def _wait_for_line(proc: subprocess.Popen[str], needle: str) -> list[str]:
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if needle in line:
            return seen
    raise AssertionError(f"{needle!r} never logged; got:\n{''.join(seen)}")


def test_a_second_daemon_on_the_same_database_refuses_and_sigterm_stops_the_first(tmp_path: Path) -> None:
    first = _newsbot(tmp_path, "run", "--dry-run")
    try:
        _wait_for_line(first, " started ")
        second = _newsbot(tmp_path, "run", "--once")
        out, err = second.communicate(timeout=60)
        assert second.returncode == 5
        db = tmp_path / "data" / "newsbot.db"
        assert f"another newsbot run (pid {first.pid}) is using {db}; stop it first" in " ".join(err.split())
        first.send_signal(signal.SIGTERM)
        _, rest = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0
    assert "SIGTERM received" in rest and "stopped cleanly" in rest
    assert "Traceback" not in rest
    for secret in SECRETS.values():
        assert secret not in rest and secret not in err


def test_a_killed_daemon_leaves_no_stale_lock(tmp_path: Path) -> None:
    first = _newsbot(tmp_path, "run", "--dry-run")
    _wait_for_line(first, " started ")
    first.kill()  # SIGKILL: no clean-up code runs at all
    first.wait(timeout=30)
    again = _newsbot(tmp_path, "run", "--once", "--dry-run")
    _, err = again.communicate(timeout=60)
    assert again.returncode == 0, err


def test_once_exit_code_says_whether_a_person_must_look(tmp_path: Path) -> None:
    write_article(tmp_path / "queue", "fine", "A fine story", mtime=datetime.now(UTC) - timedelta(hours=1))
    ok = _newsbot(tmp_path, "run", "--once", "--dry-run", "--log-json")
    _, err = ok.communicate(timeout=60)
    assert ok.returncode == 0, err
    events = [json.loads(line)["event"] for line in err.splitlines()]
    assert events.count("ingested") == 1 and events.count("planned") == 3 and events.count("would_send") == 3
    (tmp_path / "queue" / "scan.pdf").write_bytes(b"%PDF-1.4 not an article")
    bad = _newsbot(tmp_path, "run", "--once", "--dry-run")
    _, err = bad.communicate(timeout=60)
    assert bad.returncode == 1
    assert "ingest_failed" in err and "scan.pdf" in err


def test_housekeeping_counts_an_undated_embargoed_article_from_its_embargo_as_planning_does(
    dsettings: Settings, dstore: Store
) -> None:
    # Planned for after its embargo, two days out: housekeeping must not expire it the day after ingest.
    now = datetime.now(UTC)  # the store stamps the ingest time with the real clock
    embargo = now + timedelta(hours=48)
    article = Article(source="report.md", text="Schools report", title="Schools report", embargo=embargo)
    article_id = dstore.add_article(article)
    draft = Draft("bluesky", (Part(text="Schools report", length=14, limit=300),))
    [post] = Outbox(dstore).enqueue(article_id, article.content_hash, [draft], {"bluesky": embargo})
    assert expire_stale(dsettings, dstore, now + timedelta(hours=25)) == []
    assert Outbox(dstore).get(post).state == "planned"
    assert expire_stale(dsettings, dstore, embargo + timedelta(hours=25))  # a day after it lifts: stale
