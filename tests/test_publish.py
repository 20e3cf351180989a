"""The outbox executor: every post out exactly once, through crashes, outages and refusals."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.errors import NotFoundError, PlatformError
from bot.models import Article, Draft, Part, PostState
from bot.publish import Publisher, backoff, cancel_post, delete_post, retry_post
from bot.store import Store
from bot.store.outbox import Outbox

from fakes import FakePlatform, permanent, transient

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def draft(platform: str, *texts: str) -> Draft:
    return Draft(platform, tuple(Part(text=t, length=len(t), limit=300, kind="main" if i == 0 else "quote")
                                for i, t in enumerate(texts)))


def add_article(store: Store, outbox: Outbox, drafts: list[Draft], when: datetime = T0, body: str = "b") -> int:
    article = Article(source=f"{body}.txt", text=body, title=body)
    article_id = store.add_article(article)
    outbox.enqueue(article_id, article.content_hash, drafts, {d.platform: when for d in drafts})
    return article_id


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake() -> FakePlatform:
    return FakePlatform(platform_name="fake")


@pytest.fixture
def live_process() -> Iterator[subprocess.Popen[bytes]]:
    """Another process on this machine that is alive (a `newsbot post` sending, or whatever took a pid)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process
    process.kill()
    process.wait()


def local_worker(pid: int) -> str:
    """The worker name a process of this machine claims rows with (as ``Publisher.worker``)."""
    return f"{socket.gethostname()[:50]}:{pid}"


@pytest.fixture
def publisher(settings: Settings, store: Store, fake: FakePlatform, clock: Clock) -> Publisher:
    return Publisher(settings, store, platforms={"fake": fake}, clock=clock)


def test_a_due_thread_is_sent_in_order_with_reply_links(publisher: Publisher, fake: FakePlatform) -> None:
    add_article(publisher.store, publisher.outbox, [draft("fake", "headline", "quote one", "quote two")])
    report = publisher.publish_due()
    assert report.count("sent") == 3
    assert [p.text for p in fake.posts] == ["headline", "quote one", "quote two"]
    assert [p.reply_to for p in fake.posts] == [None, fake.posts[0].id, fake.posts[1].id]
    rows = publisher.outbox.find()
    assert {r.state for r in rows} == {"sent"}
    assert all(r.remote_url and r.remote_url.startswith("https://fake.example/") for r in rows)


def test_nothing_is_sent_before_its_time(publisher: Publisher, fake: FakePlatform, clock: Clock) -> None:
    add_article(publisher.store, publisher.outbox, [draft("fake", "later")], when=T0 + timedelta(hours=1))
    assert publisher.publish_due().outcomes == []
    clock.advance(hours=1)
    assert publisher.publish_due().count("sent") == 1


def test_a_second_pass_sends_nothing_again(publisher: Publisher, fake: FakePlatform) -> None:
    add_article(publisher.store, publisher.outbox, [draft("fake", "once", "twice?")])
    publisher.publish_due()
    publisher.publish_due()
    assert len(fake.posts) == 2


def test_enqueueing_the_same_article_twice_adds_no_rows(publisher: Publisher) -> None:
    article = Article(source="a.txt", text="body", title="t")
    article_id = publisher.store.add_article(article)
    first = publisher.outbox.enqueue(article_id, article.content_hash, [draft("fake", "x", "y")], {"fake": T0})
    again = publisher.outbox.enqueue(article_id, article.content_hash, [draft("fake", "x", "y")], {"fake": T0})
    assert first == again
    assert len(publisher.outbox.find()) == 2


def test_transient_failure_retries_with_backoff(publisher: Publisher, fake: FakePlatform, clock: Clock) -> None:
    add_article(publisher.store, publisher.outbox, [draft("fake", "flaky")])
    fake.fail_next = [transient()]
    outcome = publisher.publish_due().outcomes[0]
    assert outcome.status == "retry"
    assert outcome.retry_at == T0 + timedelta(seconds=publisher.settings.retry_base_seconds)
    assert publisher.publish_due().outcomes == []  # not before its retry time
    clock.advance(seconds=publisher.settings.retry_base_seconds)
    assert publisher.publish_due().count("sent") == 1
    assert len(fake.posts) == 1
    row = publisher.outbox.find()[0]
    assert row.attempts == 2 and row.last_error is None


def test_retry_failed_brings_back_every_recent_failure_threads_in_order_after_the_credentials_are_fixed(
    publisher: Publisher, fake: FakePlatform, clock: Clock
) -> None:
    from bot.publish import retry_failed

    # The token expired: every due post of the platform fails for good, one by one.
    add_article(publisher.store, publisher.outbox, [draft("fake", "headline", "quote")], body="one")
    add_article(publisher.store, publisher.outbox, [draft("fake", "second story")], body="two")
    old = add_article(publisher.store, publisher.outbox, [draft("fake", "last week's")], body="old")
    [old_row] = publisher.outbox.find(article_id=old)
    publisher.outbox.claim(old_row.id, {}, "w", T0)
    publisher.outbox.mark_failed(old_row.id, "rejected long ago", T0 - timedelta(days=7))
    fake.fail_next = [PlatformError("fake", "401: the token expired; set a new one", status=401)] * 2
    publisher.publish_due()
    assert [r.state for r in publisher.outbox.find()] == ["failed", "planned", "failed", "failed"]

    report = retry_failed(publisher.store, since=T0 - timedelta(hours=24))

    assert sorted(report.planned) == sorted(r.id for r in publisher.outbox.find() if r.article_id != old
                                            and r.thread_index == 0)  # the reply waited for its head, never failed
    assert report.refused == [] and publisher.outbox.get(old_row.id).state == "failed"  # outside the window
    assert publisher.publish_due().count("sent") == 3
    by_text = {p.text: p for p in fake.posts}
    assert sorted(by_text) == ["headline", "quote", "second story"]
    assert by_text["quote"].reply_to == by_text["headline"].id and by_text["headline"].reply_to is None


def test_retry_honours_the_platforms_reset_time(publisher: Publisher, fake: FakePlatform, clock: Clock) -> None:
    add_article(publisher.store, publisher.outbox, [draft("fake", "rate limited")])
    reset = T0 + timedelta(hours=20)  # e.g. X's 24-hour user limit
    fake.fail_next = [transient(reset_at=reset)]
    assert publisher.publish_due().outcomes[0].retry_at == reset
    clock.now = reset - timedelta(seconds=1)
    assert publisher.publish_due().outcomes == []
    clock.now = reset
    assert publisher.publish_due().count("sent") == 1


def test_a_rate_limited_platform_is_not_hammered_with_the_rest_of_the_queue(
    publisher: Publisher, fake: FakePlatform
) -> None:
    for body in ("a", "b", "c"):
        add_article(publisher.store, publisher.outbox, [draft("fake", body)], body=body)
    fake.fail_next = [transient()]
    report = publisher.publish_due()
    assert fake.calls == 1
    assert report.count("retry") == 1


def test_permanent_failure_fails_the_row_once_and_never_loops(
    publisher: Publisher, fake: FakePlatform, clock: Clock
) -> None:
    add_article(publisher.store, publisher.outbox, [draft("fake", "bad", "reply")])
    fake.fail_next = [permanent()]
    outcome = publisher.publish_due().outcomes[0]
    assert outcome.status == "failed" and "rejected (400)" in (outcome.error or "")
    clock.advance(days=1)
    assert publisher.publish_due().outcomes == []
    assert fake.calls == 1
    states = [r.state for r in publisher.outbox.find()]
    assert states == ["failed", "planned"]  # the reply waits for its parent


def test_retryable_errors_give_up_after_max_attempts(publisher: Publisher, fake: FakePlatform, clock: Clock) -> None:
    add_article(publisher.store, publisher.outbox, [draft("fake", "down")])
    fake.fail_next = [transient() for _ in range(publisher.settings.max_attempts)]
    for _ in range(publisher.settings.max_attempts):
        publisher.publish_due()
        clock.advance(hours=2)
    row = publisher.outbox.find()[0]
    assert row.state == "failed"
    assert row.last_error is not None and row.last_error.startswith(f"gave up after {publisher.settings.max_attempts}")
    assert f"`newsbot retry {row.id}`" in row.last_error  # what a person does now; nothing retries by itself


def test_a_thread_that_fails_half_way_resumes_at_the_failed_reply(
    publisher: Publisher, fake: FakePlatform, clock: Clock
) -> None:
    add_article(publisher.store, publisher.outbox, [draft("fake", "one", "two", "three")])
    fake.posts_before = 0
    fake.fail_next = []
    # the first part goes out, then the platform breaks for the second
    publisher.publish_row(publisher.outbox.due(clock())[0])
    fake.fail_next = [transient()]
    publisher.publish_due()
    assert [p.text for p in fake.posts] == ["one"]
    clock.advance(hours=1)
    publisher.publish_due()
    assert [p.text for p in fake.posts] == ["one", "two", "three"]
    assert fake.posts[2].reply_to == fake.posts[1].id


def test_crash_between_send_and_record_is_reconciled_not_resent(
    settings: Settings, store: Store, fake: FakePlatform, clock: Clock
) -> None:
    first = Publisher(settings, store, platforms={"fake": fake}, clock=clock)
    add_article(store, first.outbox, [draft("fake", "only once", "reply")])
    fake.crash_after_send = True
    with pytest.raises(SystemExit):
        first.publish_due()
    assert [r.state for r in first.outbox.find()] == ["sending", "planned"]

    restarted = Publisher(settings, store, platforms={"fake": fake}, clock=clock)
    report = restarted.publish_due()
    assert report.outcomes[0].status == "reconciled"
    assert [p.text for p in fake.posts] == ["only once", "reply"]
    assert fake.posts[1].reply_to == fake.posts[0].id


def test_crash_before_the_platform_got_it_is_sent_after_restart(
    settings: Settings, store: Store, fake: FakePlatform, clock: Clock
) -> None:
    publisher = Publisher(settings, store, platforms={"fake": fake}, clock=clock)
    add_article(store, publisher.outbox, [draft("fake", "never arrived")])
    row = publisher.outbox.due(clock())[0]
    publisher.outbox.claim(row.id, fake.prepare(row.idempotency_key), "dead-worker", clock())  # then the crash
    report = Publisher(settings, store, platforms={"fake": fake}, clock=clock).publish_due()
    assert [o.status for o in report.outcomes] == ["retry", "sent"]
    assert len(fake.posts) == 1


def test_x_style_duplicate_refusal_counts_as_sent(settings: Settings, store: Store, clock: Clock) -> None:
    x_like = FakePlatform(platform_name="fake", keyed=False)
    publisher = Publisher(settings, store, platforms={"fake": x_like}, clock=clock)
    add_article(store, publisher.outbox, [draft("fake", "same words")])
    x_like.crash_after_send = True
    with pytest.raises(SystemExit):
        publisher.publish_due()
    # reconcile finds it by text; even a blind resend would be refused as a duplicate
    report = Publisher(settings, store, platforms={"fake": x_like}, clock=clock).publish_due()
    assert report.outcomes[0].status == "reconciled"
    assert len(x_like.posts) == 1


def test_uncertain_reconciliation_leaves_the_row_alone(
    settings: Settings, store: Store, fake: FakePlatform, clock: Clock
) -> None:
    publisher = Publisher(settings, store, platforms={"fake": fake}, clock=clock)
    add_article(store, publisher.outbox, [draft("fake", "unknown")])
    row = publisher.outbox.due(clock())[0]
    publisher.outbox.claim(row.id, fake.prepare(row.idempotency_key), "dead", clock())

    def unreachable(*a: object, **k: object) -> None:
        raise transient()

    fake.reconcile = unreachable  # type: ignore[method-assign]
    report = publisher.publish_due()
    assert [o.status for o in report.outcomes] == ["skipped"]
    assert publisher.outbox.get(row.id).state == "sending"
    assert fake.calls == 0


def test_backoff_grows_and_is_capped() -> None:
    assert backoff(1, 30, T0, None) == T0 + timedelta(seconds=30)
    assert backoff(3, 30, T0, None) == T0 + timedelta(seconds=120)
    assert backoff(30, 30, T0, None) == T0 + timedelta(hours=1)
    assert backoff(1, 30, T0, T0 + timedelta(hours=5)) == T0 + timedelta(hours=5)
    assert backoff(10_000, 30, T0, None) == T0 + timedelta(hours=1)  # capped before it could overflow
    assert backoff(2, 1e300, T0, None) == T0 + timedelta(hours=1)


def test_cancelling_a_post_whose_timed_out_send_landed_records_it_sent_and_says_how_to_take_it_down(
    publisher: Publisher, fake: FakePlatform
) -> None:
    from bot.errors import BotError

    add_article(publisher.store, publisher.outbox, [draft("fake", "head", "reply")])
    head, reply = publisher.outbox.find()
    fake.land_then_fail.append(transient())  # it reached the platform; the answer did not reach us
    assert publisher.publish_due().outcomes[0].status == "retry"

    with pytest.raises(BotError, match=f"already live on fake .*newsbot delete {head.id}"):
        cancel_post(publisher.store, head.id, publisher)

    assert publisher.outbox.get(head.id).state == "sent" and publisher.outbox.get(head.id).remote_id == fake.posts[0].id
    assert publisher.outbox.get(reply.id).state == "planned"  # its thread can still be finished


def test_cancelling_a_tried_post_the_platform_cannot_check_now_cancels_nothing(
    publisher: Publisher, fake: FakePlatform
) -> None:
    from bot.errors import BotError

    add_article(publisher.store, publisher.outbox, [draft("fake", "head")])
    [head] = publisher.outbox.find()
    fake.fail_next.append(transient())
    publisher.publish_due()
    fake.find_fails = transient()
    with pytest.raises(BotError, match="may be live on fake.*newsbot cancel --force"):
        cancel_post(publisher.store, head.id, publisher)
    assert publisher.outbox.get(head.id).state == "planned"
    fake.find_fails = None
    assert cancel_post(publisher.store, head.id, publisher) == [head.id]  # not there: cancelled
    assert fake.finds == 2


def test_retry_cancel_and_delete(publisher: Publisher, fake: FakePlatform) -> None:
    add_article(publisher.store, publisher.outbox, [draft("fake", "p1", "p2", "p3")])
    rows = publisher.outbox.find()
    assert cancel_post(publisher.store, rows[1].id) == [rows[1].id, rows[2].id]
    publisher.publish_due()
    assert [p.text for p in fake.posts] == ["p1"]
    with pytest.raises(NotFoundError, match="only failed or cancelled"):
        retry_post(publisher.store, rows[0].id)
    assert retry_post(publisher.store, rows[1].id) == [rows[2].id]  # still cancelled: said, not guessed
    assert retry_post(publisher.store, rows[2].id) == []
    publisher.publish_due()
    assert [p.text for p in fake.posts] == ["p1", "p2", "p3"]
    deleted = delete_post(publisher, rows[2].id)
    assert deleted.state == PostState.DELETED
    assert [p.text for p in fake.posts] == ["p1", "p2"]
    with pytest.raises(NotFoundError):
        cancel_post(publisher.store, 999)


def test_a_failing_duplicate_lookup_is_a_recorded_failure_not_a_crash(
    settings: Settings, store: Store, clock: Clock
) -> None:
    x_like = FakePlatform(platform_name="fake", keyed=False)
    publisher = Publisher(settings, store, platforms={"fake": x_like}, clock=clock)
    add_article(store, publisher.outbox, [draft("fake", "posted before")])
    from fakes import RemotePost

    x_like.posts.append(RemotePost("99", "posted before", None, ""))

    def lookup_rate_limited(*a: object, **k: object) -> None:
        raise transient()

    x_like.reconcile = lookup_rate_limited  # type: ignore[method-assign]
    outcome = publisher.publish_due().outcomes[0]
    assert outcome.status == "retry"
    assert publisher.outbox.find()[0].state == "planned"


def test_post_now_leaves_a_running_daemons_send_in_flight_alone(
    settings: Settings, store: Store, fake: FakePlatform, tmp_path
) -> None:
    from bot.daemon import InstanceLock
    from bot.posting import post_now

    settings = settings.model_copy(update={"platforms": ["mastodon"], "mastodon_api_base_url": "https://m.example",
                                           "mastodon_access_token": "t"})
    publisher = Publisher(settings, store, platforms={"mastodon": fake}, clock=lambda: T0)
    other = add_article(store, publisher.outbox, [draft("mastodon", "the daemon is sending this")])
    in_flight = publisher.outbox.due(T0)[0]
    publisher.outbox.claim(in_flight.id, fake.prepare(in_flight.idempotency_key), "daemon", datetime.now(UTC))
    article = tmp_path / "story.txt"
    article.write_text("A headline for the test\n\nThe council met on Monday and approved the new budget for schools.\n")
    with InstanceLock(settings.db_url):
        post_now(settings, store, str(article), now=T0, publisher=publisher)
    assert publisher.outbox.get(in_flight.id).state == "sending"  # not reconciled under the daemon's feet
    assert other is not None
    post_now(settings, store, str(article), now=T0, publisher=publisher)  # no daemon now: a crash's leftover
    assert publisher.outbox.get(in_flight.id).state == "planned"  # it never reached the platform: planned again
    assert [p.text for p in fake.posts].count("the daemon is sending this") == 0


def test_post_now_beside_a_daemon_that_takes_its_head_reports_the_thread_sent_once(
    settings: Settings, store: Store, fake: FakePlatform, tmp_path
) -> None:
    # `post` makes its rows due now, so the running daemon's publish tick may claim one of them first. `post`
    # waits for the daemon to record it and sends the replies then; it reported the head `sending` and the
    # replies unsent, and exited 1, over a thread that went out.
    import threading

    from bot.daemon import InstanceLock
    from bot.models import PublishResult
    from bot.posting import post_now

    settings = settings.model_copy(update={"platforms": ["mastodon"], "mastodon_api_base_url": "https://m.example",
                                           "mastodon_access_token": "t", "threads": ["mastodon"]})
    publisher = Publisher(settings, store, platforms={"mastodon": fake}, clock=lambda: T0)
    article = tmp_path / "story.txt"
    article.write_text("Council approves the school budget\n\nThe council approved the new budget for schools "
                       "on Monday. \u201cWe kept our promise to the parents,\u201d said Anna Kovalenko, the mayor.\n")
    real_pass = publisher.publish_due
    daemon_sent: list[int] = []

    def daemon_ticks_first(**kw):  # type: ignore[no-untyped-def]
        if not daemon_sent:
            head = publisher.outbox.due(T0)[0]
            assert publisher.outbox.claim(head.id, fake.prepare(head.idempotency_key), "daemon:1", T0)
            daemon_sent.append(head.id)

            def record() -> None:  # the daemon's send lands and is recorded a moment later
                publisher.outbox.mark_sent(head.id, PublishResult("d1", "https://m.example/@desk/d1"), T0)

            threading.Timer(0.3, record).start()
        return real_pass(**kw)

    publisher.publish_due = daemon_ticks_first  # type: ignore[method-assign]
    with InstanceLock(settings.db_url):
        report = post_now(settings, store, str(article), now=T0, publisher=publisher)
    assert len(report.posts) == 2
    assert [row.state for row in report.posts] == ["sent", "sent"]
    assert report.posts[0].remote_id == "d1"
    assert len(fake.posts) == 1 and fake.posts[0].reply_to == "d1"  # the reply, sent once, under the head


def test_an_adapter_bug_fails_its_row_and_the_rest_of_the_queue_still_goes_out(
    publisher: Publisher, fake: FakePlatform, clock: Clock
) -> None:
    # A bug (or an SDK raising something unmapped) must not abort the pass: otherwise the row is left
    # `sending`, reconciled to planned, and blows up again first thing every tick, starving everything after it.
    add_article(publisher.store, publisher.outbox, [draft("fake", "poison")], body="a")
    add_article(publisher.store, publisher.outbox, [draft("fake", "healthy")], body="b")
    real_publish = fake.publish

    def buggy(part, **kw):  # type: ignore[no-untyped-def]
        if part.text == "poison":
            raise KeyError("uri")
        return real_publish(part, **kw)

    fake.publish = buggy  # type: ignore[method-assign]
    report = publisher.publish_due()
    assert [p.text for p in fake.posts] == ["healthy"]
    poison = next(r for r in publisher.outbox.find() if r.text == "poison")
    assert poison.state == "failed"
    assert poison.last_error is not None and "KeyError" in poison.last_error
    assert report.count("failed") == 1
    clock.advance(hours=2)
    assert publisher.publish_due().outcomes == []  # never looped on by itself


def test_an_adapter_bug_while_reconciling_leaves_the_row_and_does_not_stop_the_pass(
    publisher: Publisher, fake: FakePlatform
) -> None:
    add_article(publisher.store, publisher.outbox, [draft("fake", "left sending")], body="a")
    row = publisher.outbox.due(T0)[0]
    publisher.outbox.claim(row.id, fake.prepare(row.idempotency_key), "dead", T0)

    def buggy(*a: object, **k: object) -> None:
        raise TypeError("unexpected answer")

    fake.reconcile = buggy  # type: ignore[method-assign]
    report = publisher.publish_due()
    assert [o.status for o in report.outcomes] == ["skipped"]
    assert publisher.outbox.get(row.id).state == "sending"  # unknown: never resent blindly
    assert fake.calls == 0


def test_post_now_sends_an_article_that_was_waiting_for_room(
    settings: Settings, store: Store, fake: FakePlatform, tmp_path
) -> None:
    # The planner found no room for it yet (daily cap, quiet hours): `newsbot post` is the editor overriding
    # the schedule, so its waiting rows go out now instead of the command reporting them still unplanned.
    from bot.pipeline import prepare
    from bot.posting import post_now

    settings = settings.model_copy(update={"platforms": ["mastodon"], "mastodon_api_base_url": "https://m.example",
                                           "mastodon_access_token": "t"})
    article = Article(source="story.txt", title="A headline for the test",
                      text="The council met on Monday and approved the new budget for schools.")
    article_id = store.add_article(article)
    outbox = Outbox(store)
    drafts = list(prepare(article, settings, ["mastodon"]).drafts)
    for post_id in outbox.enqueue(article_id, article.content_hash, drafts, {"mastodon": T0}):
        assert outbox.set_state(post_id, PostState.UNPLANNED, only_from=["planned"], error="no room")
    publisher = Publisher(settings, store, platforms={"mastodon": fake}, clock=lambda: T0)
    report = post_now(settings, store, str(article_id), now=T0, publisher=publisher)
    assert report.posts and {p.state for p in report.posts} == {"sent"}
    assert len(fake.posts) == len(report.posts)


def test_a_backlog_does_not_hide_the_posts_asked_for(publisher: Publisher, fake: FakePlatform) -> None:
    # `newsbot post` passes its own row ids: after an outage with more than a page of due posts, they must
    # still be found, not filtered out of the first page of the queue.
    for n in range(55):
        add_article(publisher.store, publisher.outbox, [draft("fake", f"backlog {n}")], when=T0 - timedelta(hours=1),
                    body=f"backlog {n}")
    wanted = add_article(publisher.store, publisher.outbox, [draft("fake", "post this now")], body="now")
    ids = [r.id for r in publisher.outbox.find(article_id=wanted)]
    report = publisher.publish_due(only=ids)
    assert [o.status for o in report.outcomes] == ["sent"]
    assert [p.text for p in fake.posts] == ["post this now"]


def test_a_rate_limited_platforms_backlog_does_not_starve_the_others(
    settings: Settings, store: Store, clock: Clock
) -> None:
    down, up = FakePlatform(platform_name="down"), FakePlatform(platform_name="up")
    publisher = Publisher(settings, store, platforms={"down": down, "up": up}, clock=clock)
    for n in range(55):
        add_article(store, publisher.outbox, [draft("down", f"waiting {n}")], when=T0 - timedelta(hours=1),
                    body=f"waiting {n}")
    add_article(store, publisher.outbox, [draft("up", "goes out")], body="up")
    down.fail_next = [transient("down", reset_at=T0 + timedelta(hours=20))]
    publisher.publish_due()
    assert down.calls == 1  # not hammered
    assert [p.text for p in up.posts] == ["goes out"]


def test_deleting_a_thread_part_cancels_the_replies_still_waiting_for_it(
    publisher: Publisher, fake: FakePlatform, clock: Clock
) -> None:
    # A reply is due only once its parent is sent: after the parent is deleted it could never go out, so
    # leaving it `planned` would show it as queued for ever.
    add_article(publisher.store, publisher.outbox, [draft("fake", "p1", "p2", "p3")])
    head = publisher.outbox.due(clock())[0]
    publisher.publish_row(head)
    fake.fail_next = [transient()]
    publisher.publish_due()  # p2 waits for its retry
    delete_post(publisher, head.id)
    assert [r.state for r in publisher.outbox.find()] == ["deleted", "cancelled", "cancelled"]
    clock.advance(hours=2)
    assert publisher.publish_due().outcomes == []
    assert fake.posts == []


def test_a_reply_whose_parent_was_deleted_cannot_be_retried_into_limbo(
    publisher: Publisher, fake: FakePlatform, clock: Clock
) -> None:
    add_article(publisher.store, publisher.outbox, [draft("fake", "p1", "p2")])
    head, reply = publisher.outbox.find()
    publisher.publish_row(publisher.outbox.due(clock())[0])
    cancel_post(publisher.store, reply.id)
    delete_post(publisher, head.id)
    with pytest.raises(NotFoundError, match=f"post {head.id}.*deleted"):
        retry_post(publisher.store, reply.id)
    assert publisher.outbox.get(reply.id).state == "cancelled"


def test_a_reply_whose_parent_is_still_cancelled_is_not_retried_into_limbo(
    publisher: Publisher, fake: FakePlatform, clock: Clock
) -> None:
    # `cancel` took the whole thread; retrying a later reply before the part it answers would leave it
    # `planned` but never due (a reply waits for its parent to be sent), and housekeeping never expires a
    # reply: shown as queued for ever. The retry says which post to bring back first.
    add_article(publisher.store, publisher.outbox, [draft("fake", "p1", "p2", "p3")])
    head, middle, last = publisher.outbox.find()
    cancel_post(publisher.store, head.id)
    with pytest.raises(NotFoundError, match=f"post {last.id} replies to post {middle.id}, which is cancelled.*"
                                            f"newsbot retry {middle.id}"):
        retry_post(publisher.store, last.id)
    assert publisher.outbox.get(last.id).state == "cancelled"
    # In order, the thread comes back whole.
    assert retry_post(publisher.store, head.id) == [middle.id, last.id]
    assert retry_post(publisher.store, middle.id) == [last.id]
    assert retry_post(publisher.store, last.id) == []
    publisher.publish_due()
    assert [(p.text, p.reply_to) for p in fake.posts] == [("p1", None), ("p2", fake.posts[0].id),
                                                         ("p3", fake.posts[1].id)]


def test_after_a_deleted_head_no_reply_of_its_thread_can_be_retried_into_limbo(
    publisher: Publisher, fake: FakePlatform, clock: Clock
) -> None:
    add_article(publisher.store, publisher.outbox, [draft("fake", "p1", "p2", "p3")])
    head, middle, last = publisher.outbox.find()
    publisher.publish_row(publisher.outbox.due(clock())[0])
    fake.fail_next = [transient()]
    publisher.publish_due()  # p2 waits for its retry
    delete_post(publisher, head.id)  # p2 and p3 are cancelled with it
    with pytest.raises(NotFoundError, match=f"replies to post {middle.id}, which is cancelled"):
        retry_post(publisher.store, last.id)
    with pytest.raises(NotFoundError, match=f"replies to post {head.id}, which is deleted"):
        retry_post(publisher.store, middle.id)
    assert [publisher.outbox.get(i).state for i in (middle.id, last.id)] == ["cancelled", "cancelled"]


def test_a_send_another_live_process_has_in_flight_is_left_alone_even_at_start_up(
    publisher: Publisher, fake: FakePlatform, clock: Clock, live_process: subprocess.Popen[bytes]
) -> None:
    """Start-up reconciliation settles a crash's leftovers; a row a running `newsbot post` claimed a moment
    ago is not one: asking the platform before that send lands would find nothing and send it twice."""
    add_article(store=publisher.store, outbox=publisher.outbox, drafts=[draft("fake", "in flight elsewhere")])
    add_article(publisher.store, publisher.outbox, [draft("fake", "another story")], body="c")
    row = publisher.outbox.due(clock())[0]
    publisher.outbox.claim(row.id, fake.prepare(row.idempotency_key), local_worker(live_process.pid), clock())
    report = publisher.publish_due()  # stale_before=None: what a daemon starting up and `post` do
    assert [(o.post_id, o.status, o.in_flight) for o in report.outcomes][0] == (row.id, "skipped", True)
    assert publisher.outbox.get(row.id).state == "sending"
    assert [p.text for p in fake.posts] == ["another story"]  # the platform is not blocked by it
    live_process.kill()
    live_process.wait()
    report = publisher.publish_due()  # its process is gone: now it is a crash's leftover
    assert [o.status for o in report.outcomes] == ["retry", "sent"]
    assert [p.text for p in fake.posts] == ["another story", "in flight elsewhere"]


def test_a_row_quiet_for_long_is_settled_even_if_its_pid_lives_again(
    publisher: Publisher, fake: FakePlatform, clock: Clock, live_process: subprocess.Popen[bytes]
) -> None:
    """A pid can be reused after a crash: the periodic pass (rows quiet for minutes only) never waits on it."""
    add_article(publisher.store, publisher.outbox, [draft("fake", "left by a crash")])
    row = publisher.outbox.due(clock())[0]
    publisher.outbox.claim(row.id, fake.prepare(row.idempotency_key), local_worker(live_process.pid), clock())
    clock.advance(minutes=11)
    report = publisher.publish_due(stale_before=clock() - timedelta(minutes=10))
    assert [o.status for o in report.outcomes] == ["retry", "sent"]
    assert [p.text for p in fake.posts] == ["left by a crash"]


def test_an_old_claim_by_a_live_pid_is_settled_even_with_no_daemon(
    publisher: Publisher, fake: FakePlatform, clock: Clock, live_process: subprocess.Popen[bytes]
) -> None:
    """`newsbot post` from cron has no periodic pass behind it: a claim older than any send can be is a
    crash's leftover even if its pid now belongs to some other live process."""
    add_article(publisher.store, publisher.outbox, [draft("fake", "left by a crash")])
    row = publisher.outbox.due(clock())[0]
    publisher.outbox.claim(row.id, fake.prepare(row.idempotency_key), local_worker(live_process.pid), clock())
    clock.advance(minutes=11)
    report = publisher.publish_due()  # stale_before=None, as `newsbot post` with no daemon
    assert [o.status for o in report.outcomes] == ["retry", "sent"]


def test_reconciliation_never_undoes_what_the_sender_recorded_meanwhile(
    publisher: Publisher, fake: FakePlatform, clock: Clock
) -> None:
    """The platform's search can lag behind a send: if the sender records the send while reconciliation is
    still asking, reconciliation must not plan the post again (that would send it twice)."""
    from bot.models import PublishResult

    add_article(publisher.store, publisher.outbox, [draft("fake", "racing")])
    row = publisher.outbox.due(clock())[0]
    publisher.outbox.claim(row.id, fake.prepare(row.idempotency_key), "elsewhere", clock())

    def lagging_search(*a: object, **k: object) -> None:
        # meanwhile, the sender gets its answer and records it
        publisher.outbox.mark_sent(row.id, PublishResult(remote_id="r1", url="https://x/r1"), clock())
        return None  # ... but the search does not show the post yet

    fake.reconcile = lagging_search  # type: ignore[method-assign]
    report = publisher.reconcile()
    assert [(o.status, o.in_flight) for o in report.outcomes] == [("skipped", True)]
    assert publisher.outbox.get(row.id).state == "sent"
    assert publisher.publish_due().outcomes == []  # nothing planned again, nothing resent
    assert fake.posts == []


def test_post_now_refuses_an_article_under_embargo_unless_told_the_embargo_was_lifted(
    settings: Settings, store: Store, fake: FakePlatform, tmp_path
) -> None:
    from bot.errors import BotError
    from bot.posting import post_now

    settings = settings.model_copy(update={"platforms": ["mastodon"], "mastodon_api_base_url": "https://m.example",
                                           "mastodon_access_token": "t"})
    publisher = Publisher(settings, store, platforms={"mastodon": fake}, clock=lambda: T0)
    article = tmp_path / "report.md"
    article.write_text(f"---\ntitle: Schools report\nembargo: {(T0 + timedelta(hours=6)).isoformat()}\n---\n\n"
                       "The report, out on Tuesday, finds that class sizes grew in most districts last year.\n")
    with pytest.raises(BotError) as refused:
        post_now(settings, store, str(article), now=T0, publisher=publisher)
    assert "under embargo until" in str(refused.value) and "--ignore-embargo" in str(refused.value)
    assert fake.posts == [] and publisher.outbox.find() == []  # nothing sent, nothing queued

    post_now(settings, store, str(article), now=T0, publisher=publisher, ignore_embargo=True)
    assert len(fake.posts) == 1
    post_now(settings, store, str(article), now=T0 + timedelta(hours=7), publisher=publisher)  # lifted: no refusal
    assert len(fake.posts) == 1  # and exactly once


def test_post_now_composes_for_the_mastodon_limit_the_instance_gave(
    settings: Settings, store: Store, fake: FakePlatform, tmp_path
) -> None:
    from bot.posting import post_now

    settings = settings.model_copy(update={"platforms": ["mastodon"], "mastodon_api_base_url": "https://m.example",
                                           "mastodon_access_token": "t"})
    store.kv.set("mastodon.max_characters", "1000")  # learned from the instance earlier, as the daemon uses it
    publisher = Publisher(settings, store, platforms={"mastodon": fake}, clock=lambda: T0)
    article = tmp_path / "story.txt"
    article.write_text("A headline for the test\n\nThe council met on Monday and approved the new budget for schools.\n")
    post_now(settings, store, str(article), now=T0, publisher=publisher)
    [row] = [r for r in publisher.outbox.find() if r.thread_index == 0]
    assert row.part.limit == 1000
