"""The store and the outbox run unchanged on PostgreSQL, and several workers share one outbox safely.

Each test gets a fresh database on a private PostgreSQL server (``fixtures_postgres``). The multi-worker
test is the point of it all: workers in parallel, each with its own connections, publish one outbox of
200 due posts and every post goes out exactly once — ``SELECT … FOR UPDATE SKIP LOCKED`` at work.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Connection, func, inspect, select, text

from bot.config import Settings
from bot.daemon import STALE_SENDING
from bot.models import Article, ArticleState, Draft, Part, PostState, Priority, PublishResult
from bot.publish import Publisher
from bot.store import Store, open_store, schema
from bot.store import migrations as migrations_module
from bot.store.migrations import MIGRATIONS
from bot.store.outbox import Outbox

from fakes import FakePlatform, transient

pytestmark = pytest.mark.servers

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[Store]:
    store = open_store(postgres_url)
    yield store
    store.close()


def draft(platform: str, *texts: str) -> Draft:
    return Draft(platform, tuple(Part(text=t, length=len(t), limit=300, kind="main" if i == 0 else "quote")
                                for i, t in enumerate(texts)))


def add_article(store: Store, drafts: list[Draft], when: datetime = T0, body: str = "b") -> int:
    article = Article(source=f"{body}.txt", text=body, title=body)
    article_id = store.add_article(article)
    Outbox(store).enqueue(article_id, article.content_hash, drafts, {d.platform: when for d in drafts})
    return article_id


# --- migrations -------------------------------------------------------------------------------------


def test_a_fresh_postgres_database_gets_every_migration(pg_store: Store) -> None:
    assert pg_store.engine.dialect.name == "postgresql"
    assert pg_store.schema_version() == MIGRATIONS[-1][0]
    tables = set(inspect(pg_store.engine).get_table_names())
    assert {"articles", "posts", "attempts", "kv", "feeds", "feed_entries", "schema_version"} <= tables


def test_reopening_an_existing_postgres_database_applies_only_new_migrations(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(postgres_url)
    article_id = store.add_article(Article(source="a.txt", text="body", title="t"))
    store.close()

    applied: list[str] = []

    def add_notes_table(conn: Connection) -> None:
        applied.append("notes")
        conn.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")

    newest = MIGRATIONS[-1][0]
    monkeypatch.setattr(migrations_module, "MIGRATIONS", [*MIGRATIONS, (newest + 1, "notes", add_notes_table)])
    reopened = open_store(postgres_url)
    assert applied == ["notes"]
    assert reopened.schema_version() == newest + 1
    assert "notes" in inspect(reopened.engine).get_table_names()
    assert reopened.get_article(article_id).article.text == "body"  # data survives the migration
    reopened.close()
    open_store(postgres_url).close()
    assert applied == ["notes"]  # applied once, never again


def test_workers_starting_together_on_a_fresh_database_migrate_it_once(postgres_url: str) -> None:
    """Several `newsbot run` workers deployed at once all open the same empty database."""
    workers = 6
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []
    stores: list[Store] = []

    def start() -> None:
        barrier.wait()
        try:
            stores.append(open_store(postgres_url))
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with stores[0].engine.connect() as conn:
        versions = conn.execute(select(schema.schema_version.c.version).order_by("version")).scalars().all()
    assert versions == [number for number, _, _ in MIGRATIONS]  # each recorded once
    for store in stores:
        store.close()


# --- articles and key/value state ----------------------------------------------------------------


def test_article_round_trip_keeps_metadata_and_aware_datetimes(pg_store: Store) -> None:
    kyiv = timezone(timedelta(hours=2))
    article = Article(
        source="queue/a.md",
        text="Body text with ünïcödé — and “quotes”.",
        title="Title",
        url="https://news.example/a",
        published=datetime(2026, 2, 27, 12, 16, 5, 123456, tzinfo=kyiv),
        embargo=datetime(2026, 2, 28, 0, 0, tzinfo=timezone(timedelta(hours=-5))),
        priority=Priority.BREAKING,
        tags=("ukraine", "belarus"),
        image="https://news.example/a.jpg",
        image_alt="A photo",
        language="en",
    )
    stored = pg_store.get_article(pg_store.add_article(article))
    assert stored.article == article
    assert stored.article.published == datetime(2026, 2, 27, 10, 16, 5, 123456, tzinfo=UTC)
    assert stored.article.published.tzinfo is not None and stored.article.published.utcoffset() == timedelta(0)
    assert stored.article.embargo == datetime(2026, 2, 28, 5, 0, tzinfo=UTC)
    assert stored.created_at.tzinfo is not None
    assert stored.state == ArticleState.INGESTED


def test_naive_datetimes_are_refused_on_postgres(pg_store: Store) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        pg_store.add_article(Article(source="a", text="b", published=datetime(2026, 1, 1)))


def test_duplicates_states_and_counts_on_postgres(pg_store: Store) -> None:
    first = pg_store.add_article(Article(source="a", text="Same  body", title="T", url="https://n.example/x"))
    assert pg_store.find_duplicate("https://n.example/x", "0" * 64) == first
    assert pg_store.find_duplicate(None, Article(source="b", text="same body", title="t").content_hash) == first
    assert pg_store.find_duplicate("https://n.example/other", "0" * 64) is None
    dup = pg_store.add_article(Article(source="c", text="Same body"), ArticleState.DUPLICATE, duplicate_of=first)
    pg_store.set_article_state(first, ArticleState.FAILED, "no body")
    assert pg_store.count_articles() == {"failed": 1, "duplicate": 1}
    assert [s.id for s in pg_store.list_articles([ArticleState.DUPLICATE])] == [dup]
    assert pg_store.get_article(first).error == "no body"


def test_key_value_state_is_persistent_on_postgres(postgres_url: str) -> None:
    store = open_store(postgres_url)
    assert store.kv.get("bluesky.session") is None
    store.kv.set("bluesky.session", "one")
    store.kv.set("bluesky.session", "two")
    store.close()
    reopened = open_store(postgres_url)
    assert reopened.kv.get("bluesky.session") == "two"
    with reopened.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.kv)).scalar() == 1
    reopened.close()


def test_two_workers_saving_the_same_new_state_key_at_once_both_succeed(pg_store: Store) -> None:
    # Two workers starting on a fresh database log in to Bluesky together and both save the session:
    # neither sees the other's uncommitted row, so both insert. The second must update, not fail (a
    # failure here fails the post being sent with "unexpected error").
    first = pg_store.engine.connect()
    first.begin()
    first.execute(schema.kv.insert().values(key="bluesky.session.newsdesk", value="first", updated_at=T0))
    failures: list[BaseException] = []

    def second_worker() -> None:
        try:
            pg_store.kv.set("bluesky.session.newsdesk", "second")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    worker = threading.Thread(target=second_worker)
    worker.start()
    with pg_store.engine.connect() as watcher:  # the second worker's insert waits for the first's lock
        waiting = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        for _ in range(10_000):
            if watcher.execute(waiting).scalar():
                break
            watcher.rollback()
    first.commit()
    first.close()
    worker.join()

    assert failures == []
    assert pg_store.kv.get("bluesky.session.newsdesk") == "second"


# --- the outbox ---------------------------------------------------------------------------------------


def test_enqueue_is_idempotent_on_postgres(pg_store: Store) -> None:
    outbox = Outbox(pg_store)
    article = Article(source="a.txt", text="body", title="t")
    article_id = pg_store.add_article(article)
    first = outbox.enqueue(article_id, article.content_hash, [draft("fake", "x", "y")], {"fake": T0})
    again = outbox.enqueue(article_id, article.content_hash, [draft("fake", "x", "y")], {"fake": T0})
    assert first == again and len(first) == 2
    assert len(outbox.find()) == 2
    row = outbox.get(first[1])
    assert row.payload["kind"] == "quote" and row.scheduled_at == T0 and row.scheduled_at.tzinfo is not None


def test_due_offers_a_reply_only_once_its_parent_is_sent(pg_store: Store) -> None:
    outbox = Outbox(pg_store)
    add_article(pg_store, [draft("fake", "one", "two"), draft("other", "solo")])
    later = add_article(pg_store, [draft("fake", "later")], when=T0 + timedelta(hours=1), body="later")
    assert [r.text for r in outbox.due(T0)] == ["one", "solo"]
    one = outbox.due(T0)[0]
    claimed = outbox.claim(one.id, {"idempotency_key": one.idempotency_key}, "w1", T0)
    assert claimed is not None and claimed.state == PostState.SENDING.value
    assert [r.text for r in outbox.due(T0)] == ["solo"]  # the reply waits while its parent is in flight
    outbox.mark_sent(one.id, PublishResult(remote_id="r1", url="https://x.example/r1", extra={"cid": "c"}), T0)
    assert [r.text for r in outbox.due(T0)] == ["solo", "two"]  # heads before replies
    assert [r.article_id for r in outbox.due(T0 + timedelta(hours=1))][-1] == later


def test_claim_transitions_and_attempts_on_postgres(pg_store: Store) -> None:
    outbox = Outbox(pg_store)
    add_article(pg_store, [draft("fake", "a")], body="a")
    add_article(pg_store, [draft("fake", "b")], body="b")
    row_a, row_b = outbox.due(T0)

    claimed = outbox.claim(row_a.id, {"rkey": "first"}, "w1", T0)
    assert claimed is not None and claimed.attempts == 1 and claimed.prepared == {"rkey": "first"}
    assert outbox.claim(row_a.id, {"rkey": "second"}, "w2", T0) is None  # someone else got it first

    retry_at = T0 + timedelta(minutes=5)
    outbox.mark_retry(row_a.id, "503", retry_at, T0)
    again = outbox.get(row_a.id)
    assert again.state == "planned" and again.next_attempt_at == retry_at and again.last_error == "503"
    assert outbox.due(T0) == [outbox.get(row_b.id)]
    assert outbox.next_due_at() == T0
    reclaimed = outbox.claim(row_a.id, {"rkey": "second"}, "w2", retry_at)
    assert reclaimed is not None and reclaimed.prepared == {"rkey": "first"}  # a resend keeps its record key
    outbox.mark_sent(row_a.id, PublishResult(remote_id="1", url="https://f.example/1", extra={"cid": "c1"}), retry_at)
    sent = outbox.get(row_a.id)
    assert sent.state == "sent" and sent.attempts == 2 and sent.sent_at == retry_at
    assert sent.result == PublishResult(remote_id="1", url="https://f.example/1", extra={"cid": "c1"})

    assert outbox.claim(row_b.id, {}, "w1", T0) is not None
    outbox.mark_failed(row_b.id, "rejected (400)", T0)
    assert outbox.get(row_b.id).state == "failed"
    assert outbox.next_due_at() is None
    assert outbox.counts() == {"sent": 1, "failed": 1}
    with pg_store.engine.connect() as conn:
        outcomes = conn.execute(
            select(schema.attempts.c.outcome).where(schema.attempts.c.post_id == row_a.id).order_by(schema.attempts.c.id)
        ).scalars().all()
    assert outcomes == ["retry", "sent"]


def test_booked_and_next_due_at_on_postgres(pg_store: Store) -> None:
    outbox = Outbox(pg_store)
    add_article(pg_store, [draft("fake", "soon", "reply")], when=T0 + timedelta(minutes=30), body="soon")
    add_article(pg_store, [draft("fake", "later"), draft("other", "x")], when=T0 + timedelta(hours=2), body="later")
    assert outbox.next_due_at() == T0 + timedelta(minutes=30)
    booked = outbox.booked(since=T0 - timedelta(days=1))
    assert booked == {"fake": [T0 + timedelta(minutes=30), T0 + timedelta(hours=2)], "other": [T0 + timedelta(hours=2)]}

    first = outbox.due(T0 + timedelta(minutes=30))[0]
    assert outbox.claim(first.id, {}, "w", T0 + timedelta(minutes=31)) is not None
    sent_at = T0 + timedelta(minutes=32)
    outbox.mark_sent(first.id, PublishResult(remote_id="9"), sent_at)
    # a sent head counts at the time it went out; one sent before `since` no longer counts
    assert outbox.booked(since=T0)["fake"] == [sent_at, T0 + timedelta(hours=2)]
    assert outbox.booked(since=sent_at + timedelta(seconds=1))["fake"] == [T0 + timedelta(hours=2)]


# --- the publisher ------------------------------------------------------------------------------------


def test_publisher_sends_a_thread_retries_and_reconciles_on_postgres(settings: Settings, pg_store: Store) -> None:
    fake = FakePlatform(platform_name="fake")
    now = [T0]
    publisher = Publisher(settings, pg_store, platforms={"fake": fake}, clock=lambda: now[0])
    add_article(pg_store, [draft("fake", "headline", "quote one", "quote two")], body="thread")
    fake.fail_next = [transient()]
    assert [o.status for o in publisher.publish_due().outcomes] == ["retry"]
    now[0] = T0 + timedelta(hours=1)
    assert publisher.publish_due().count("sent") == 3
    assert [p.text for p in fake.posts] == ["headline", "quote one", "quote two"]
    assert [p.reply_to for p in fake.posts] == [None, fake.posts[0].id, fake.posts[1].id]
    assert {r.state for r in publisher.outbox.find()} == {"sent"}

    # A crash after the platform accepted the post: reconciled, never resent.
    add_article(pg_store, [draft("fake", "only once")], when=now[0], body="crash")
    fake.crash_after_send = True
    with pytest.raises(SystemExit):
        publisher.publish_due()
    report = Publisher(settings, pg_store, platforms={"fake": fake}, clock=lambda: now[0]).publish_due()
    assert [o.status for o in report.outcomes] == ["reconciled"]
    assert [p.text for p in fake.posts].count("only once") == 1


def test_a_worker_leaves_another_workers_fresh_send_alone(settings: Settings, pg_store: Store) -> None:
    fake = FakePlatform(platform_name="fake")
    publisher = Publisher(settings, pg_store, platforms={"fake": fake}, clock=lambda: T0, worker="w2")
    add_article(pg_store, [draft("fake", "in flight elsewhere")])
    row = publisher.outbox.due(T0)[0]
    publisher.outbox.claim(row.id, fake.prepare(row.idempotency_key), "w1", T0)
    report = publisher.publish_due(stale_before=T0 - STALE_SENDING)
    assert report.outcomes == []
    assert publisher.outbox.get(row.id).state == "sending"
    # once it has been quiet for longer than STALE_SENDING, w1 is taken for dead and its row reconciled
    later = T0 + STALE_SENDING + timedelta(seconds=1)
    publisher.clock = lambda: later
    assert [o.status for o in publisher.publish_due(stale_before=later - STALE_SENDING).outcomes] == ["retry", "sent"]
    assert len(fake.posts) == 1


# --- several workers, one outbox --------------------------------------------------------------------


@dataclass
class SharedPlatform(FakePlatform):
    """One remote platform that several workers call at once; every publish call is recorded."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    published: list[tuple[str, str]] = field(default_factory=list)  # (idempotency key, worker thread)

    def publish(self, part: Part, *, prepared: dict[str, Any], reply_to: PublishResult | None = None,
                root: PublishResult | None = None) -> PublishResult:
        with self.lock:
            self.published.append((prepared["idempotency_key"], threading.current_thread().name))
            result = super().publish(part, prepared=prepared, reply_to=reply_to, root=root)
        # Hold the worker a moment outside the lock, as a network call would, so the others overlap it.
        threading.Event().wait(0.001)
        return result


def test_several_workers_send_every_post_of_one_outbox_exactly_once(settings: Settings, postgres_url: str) -> None:
    articles, parts, workers = 40, 5, 6  # 200 due posts, threads of five
    seed = open_store(postgres_url)
    for n in range(articles):
        add_article(seed, [draft("fake", *(f"article {n} part {i}" for i in range(parts)))], body=f"article {n}")
    assert len(Outbox(seed).due(T0, limit=1000)) == articles  # only the heads are due at first

    remote = SharedPlatform(platform_name="fake")
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []
    reports: dict[str, Counter[str]] = {}

    def work(name: str) -> None:
        store = open_store(postgres_url)  # its own engine and connections, like another process
        publisher = Publisher(settings, store, platforms={"fake": remote}, clock=lambda: T0, worker=name)
        tally: Counter[str] = Counter()
        try:
            barrier.wait()
            # The daemon's publish tick, repeated until nothing is due.
            while True:
                report = publisher.publish_due(limit=20, stale_before=T0 - STALE_SENDING)
                tally.update(o.status for o in report.outcomes)
                if not publisher.outbox.due(T0, limit=1):
                    break
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            reports[name] = tally
            store.close()

    threads = [threading.Thread(target=work, args=(f"worker-{i}",), name=f"worker-{i}") for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert not any(t.is_alive() for t in threads)

    outbox = Outbox(seed)
    rows = outbox.find(limit=1000)
    assert len(rows) == articles * parts
    assert {r.state for r in rows} == {"sent"}
    # Every post reached the platform once: no key published twice, none claimed twice.
    calls = Counter(key for key, _ in remote.published)
    assert len(calls) == articles * parts and set(calls.values()) == {1}
    assert {r.attempts for r in rows} == {1}
    with seed.engine.connect() as conn:
        attempts = Counter(conn.execute(select(schema.attempts.c.post_id)).scalars())
    assert len(attempts) == articles * parts and set(attempts.values()) == {1}
    assert sum(r["sent"] for r in reports.values()) == articles * parts
    # Threads stayed threads although their parts were sent by different workers.
    by_id = {p.id: p for p in remote.posts}
    by_text = {p.text: p for p in remote.posts}
    for n in range(articles):
        chain = [by_text[f"article {n} part {i}"] for i in range(parts)]
        assert chain[0].reply_to is None
        assert [p.reply_to for p in chain[1:]] == [p.id for p in chain[:-1]]
        assert all(p.reply_to is None or p.reply_to in by_id for p in chain)
    # The work really was shared (otherwise this test would prove nothing about concurrent claims).
    with seed.engine.connect() as conn:
        claimed_by = Counter(conn.execute(select(schema.posts.c.claimed_by)).scalars())
    assert set(claimed_by) <= set(reports) and len(claimed_by) > 1
    seed.close()
