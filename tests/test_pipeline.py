"""plan_pending: ingested articles become planned outbox rows; breaking news pre-empts; edits re-compose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.models import Article, ArticleState, PostState, Priority
from bot.pipeline import plan_pending
from bot.store import Store
from bot.store.outbox import Outbox

from testkit import make_settings

NOW = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)  # a Monday, 12:05 in Kyiv


def body(n: int) -> str:
    return (
        f"The city council voted on proposal number {n} on Monday after a long debate about the budget.\n\n"
        f"“We will build the new bridge {n} by next summer,” said Mayor Anna Kovalenko.\n\n"
        "Opponents said the plan was too expensive and would raise local taxes for years."
    )


@pytest.fixture
def kyiv(tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return make_settings(
        tmp_path,
        timezone="Europe/Kyiv",
        slots="0 * * * *",
        min_spacing_minutes=30,
        quiet_hours="23:00-06:00",
        stagger_minutes=2,
        expire_hours=24,
    )


def add(store: Store, n: int, priority: Priority = Priority.NORMAL, published: datetime = NOW) -> int:
    article = Article(source=f"{n}.txt", text=body(n), title=f"Council votes on proposal {n}",
                      url=f"https://news.example/{n}", published=published, priority=priority)
    return store.add_article(article)


def edit_at_source(store: Store, article_id: int, **changes: object):  # type: ignore[no-untyped-def]
    """The article changed where it came from (a feed entry edited): stored and recorded as feeds do."""
    from dataclasses import replace

    from bot.feeds.articles import record_update

    old = store.get_article(article_id).article
    new = replace(old, **changes)  # type: ignore[arg-type]
    store.update_article(article_id, new)
    with store.transaction() as conn:
        return record_update(conn, article_id, old, new, NOW)


def heads(store: Store) -> list:
    return [r for r in Outbox(store).find() if r.thread_index == 0 and r.state == "planned"]


def test_ingested_articles_get_slots_per_platform_in_order(kyiv: Settings, store: Store) -> None:
    first, second = add(store, 1), add(store, 2)
    report = plan_pending(kyiv, store, NOW, platforms=["x", "bluesky"])
    assert report.failed == [] and report.expired == []
    times = {(r.article_id, r.platform): r.scheduled_at for r in heads(store)}
    assert times[(first, "x")] == datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # 13:00 Kyiv, the next hourly slot
    assert times[(first, "bluesky")] == times[(first, "x")] + timedelta(minutes=2)  # staggered
    assert times[(second, "x")] == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert store.get_article(first).state == ArticleState.PLANNED
    # a second pass with nothing new changes nothing
    again = plan_pending(kyiv, store, NOW, platforms=["x", "bluesky"])
    assert again.planned == [] and again.moved == 0
    assert {(r.article_id, r.platform): r.scheduled_at for r in heads(store)} == times


def test_threads_share_their_heads_time(kyiv: Settings, store: Store) -> None:
    add(store, 1)
    plan_pending(kyiv, store, NOW, platforms=["bluesky"])
    rows = Outbox(store).find()
    assert len(rows) >= 2  # main post + a quote reply
    assert len({r.scheduled_at for r in rows}) == 1


def test_breaking_news_goes_first_and_pushes_the_queue(kyiv: Settings, store: Store) -> None:
    queued = [add(store, n) for n in (1, 2, 3)]
    plan_pending(kyiv, store, NOW, platforms=["x"])
    hour = lambda h: datetime(2026, 3, 2, h, 0, tzinfo=UTC)  # noqa: E731
    assert [r.scheduled_at for r in heads(store)] == [hour(11), hour(12), hour(13)]
    later = NOW + timedelta(minutes=36)  # 10:41 UTC: the 11:00 slot is now too close to a post right away
    breaking = add(store, 9, Priority.BREAKING, published=later)
    report = plan_pending(kyiv, store, later, platforms=["x"])
    times = {r.article_id: r.scheduled_at for r in heads(store)}
    assert times[breaking] == later
    assert [times[a] for a in queued] == [hour(12), hour(13), hour(14)]  # same order, one slot later each
    assert report.moved == 3


def test_old_news_is_expired_with_the_reason(kyiv: Settings, store: Store) -> None:
    add(store, 1, published=NOW - timedelta(hours=30))
    report = plan_pending(kyiv, store, NOW, platforms=["x"])
    assert len(report.expired) == 1
    [row] = [r for r in Outbox(store).find() if r.thread_index == 0]
    assert row.state == PostState.EXPIRED and "NEWSBOT_EXPIRE_HOURS" in (row.last_error or "")


def test_an_undated_article_queued_before_its_embargo_stays_planned_through_replans(kyiv: Settings, store: Store) -> None:
    now = datetime.now(UTC).replace(microsecond=0)  # the store stamps articles with the real clock
    embargo = now + timedelta(hours=40)  # beyond the 24 h expiry counted from ingest
    report_id = store.add_article(Article(source="report.md", text=body(1), title="Schools report",
                                          url="https://news.example/report", embargo=embargo))
    first = plan_pending(kyiv, store, now, platforms=["x"])
    assert first.expired == []
    [row] = [r for r in heads(store) if r.article_id == report_id]
    assert embargo <= row.scheduled_at <= embargo + timedelta(hours=8)  # the first slot after it, quiet hours aside
    add(store, 2, published=now)  # a new article makes the next pass re-plan the waiting ones
    again = plan_pending(kyiv, store, now + timedelta(minutes=1), platforms=["x"])
    assert again.expired == []
    assert [r.scheduled_at for r in heads(store) if r.article_id == report_id] == [row.scheduled_at]


def test_an_article_that_cannot_be_analysed_fails_with_its_reason(kyiv: Settings, store: Store) -> None:
    bad = store.add_article(Article(source="x.txt", text="   ", title="Nothing here"))
    report = plan_pending(kyiv, store, NOW, platforms=["x"])
    assert [aid for aid, _ in report.failed] == [bad]
    assert store.get_article(bad).state == ArticleState.FAILED


def test_a_template_broken_while_the_daemon_runs_fails_the_pass_not_the_articles(
    kyiv: Settings, store: Store, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import os
    import shutil

    from bot.compose.render import builtin_templates_dir
    from bot.errors import TemplateError

    templates = tmp_path / "templates"
    shutil.copytree(builtin_templates_dir(), templates)
    settings = kyiv.model_copy(update={"templates_dir": templates})
    waiting = add(store, 1)
    good = (templates / "x.j2").read_text(encoding="utf-8")
    (templates / "x.j2").write_text("{{ headline }\n", encoding="utf-8")  # an editor saves it half-done

    with pytest.raises(TemplateError, match="x.j2"):
        plan_pending(settings, store, NOW, platforms=["x"])
    assert store.get_article(waiting).state == ArticleState.INGESTED  # waits for the fix, not failed for good

    (templates / "x.j2").write_text(good, encoding="utf-8")
    later = (templates / "x.j2").stat().st_mtime + 2  # a file system with coarse times still shows the edit
    os.utime(templates / "x.j2", (later, later))
    plan_pending(settings, store, NOW, platforms=["x"])
    assert [r.article_id for r in heads(store)] == [waiting]


def test_an_article_edited_before_posting_is_composed_again(kyiv: Settings, store: Store) -> None:
    from bot.feeds.articles import list_updates

    article_id = add(store, 1)
    plan_pending(kyiv, store, NOW, platforms=["x", "mastodon"])
    before = {r.platform: r for r in heads(store)}
    edit_at_source(store, article_id, title="Council approves proposal 1 after all")
    report = plan_pending(kyiv, store, NOW + timedelta(minutes=5), platforms=["x", "mastodon"])
    assert report.recomposed == [article_id]
    after = {r.platform: r for r in heads(store)}
    for platform in ("x", "mastodon"):
        assert after[platform].text.startswith("Council approves proposal 1 after all")
        assert after[platform].scheduled_at == before[platform].scheduled_at
        assert after[platform].id != before[platform].id
        assert Outbox(store).get(before[platform].id).state == PostState.CANCELLED
    assert list_updates(store, unhandled_only=True) == []


def test_an_article_whose_url_changed_but_not_its_text_is_still_posted(kyiv: Settings, store: Store) -> None:
    # A moved article (same title and body, new URL) keeps its content hash, so the re-composed posts have
    # the idempotency keys of the ones they replace: they must still be planned, not lost on the old rows.
    article_id = add(store, 1)
    plan_pending(kyiv, store, NOW, platforms=["x", "mastodon"])
    before = {r.platform: r for r in heads(store)}
    unchanged = store.get_article(article_id).article.content_hash
    edit_at_source(store, article_id, url="https://news.example/moved/1")
    assert store.get_article(article_id).article.content_hash == unchanged
    plan_pending(kyiv, store, NOW + timedelta(minutes=5), platforms=["x", "mastodon"])
    after = {r.platform: r for r in heads(store)}
    assert set(after) == {"x", "mastodon"}
    for platform in ("x", "mastodon"):
        assert "https://news.example/moved/1" in after[platform].text
        assert after[platform].scheduled_at == before[platform].scheduled_at
        assert Outbox(store).get(before[platform].id).state == PostState.CANCELLED


def test_an_edit_reverted_at_the_source_is_still_posted(kyiv: Settings, store: Store) -> None:
    from bot.feeds.articles import record_update

    article_id = add(store, 1)
    plan_pending(kyiv, store, NOW, platforms=["x"])
    original = store.get_article(article_id).article
    edited = Article(source=original.source, text=original.text, title="Council approves proposal 1 after all",
                     url=original.url, published=original.published)
    for old, new, minutes in ((original, edited, 5), (edited, original, 10)):
        store.update_article(article_id, new)
        with store.transaction() as conn:
            record_update(conn, article_id, old, new, NOW)
        plan_pending(kyiv, store, NOW + timedelta(minutes=minutes), platforms=["x"])
    [head] = heads(store)
    assert head.text.startswith("Council votes on proposal 1")


def test_an_edit_does_not_recompose_a_thread_whose_head_went_out_while_composing(
    kyiv: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The publish tick runs in another thread while the edited article is composed again: a head it claimed
    # meanwhile is on its way out, so the platform's thread must not be replaced (that would post it twice).
    import bot.pipeline as pipeline

    article_id = add(store, 1)
    plan_pending(kyiv, store, NOW, platforms=["x"])
    [head] = heads(store)
    edit_at_source(store, article_id, title="Council approves proposal 1 after all")
    real_prepare = pipeline.prepare

    def prepare_while_the_tick_claims(*a, **k):  # type: ignore[no-untyped-def]
        Outbox(store).claim(head.id, {}, "publisher", NOW)
        return real_prepare(*a, **k)

    monkeypatch.setattr(pipeline, "prepare", prepare_while_the_tick_claims)
    pipeline.recompose_updated(kyiv, store, ["x"])
    rows = Outbox(store).find(platforms=["x"])
    assert [r.id for r in rows if r.thread_index == 0] == [head.id]  # no second head
    assert Outbox(store).get(head.id).state == "sending"
    assert all(r.state == "planned" for r in rows if r.thread_index > 0)  # its replies still follow it


def test_a_replan_never_leaves_the_replies_of_a_head_claimed_meanwhile_unplanned(
    kyiv: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Planning a batch takes a while and the publish tick runs beside it: a head that came due and was
    # claimed after planning read it keeps its thread; its replies follow it, they are not pushed out.
    import bot.pipeline as pipeline
    from bot.schedule import Unplanned

    add(store, 1)
    plan_pending(kyiv, store, NOW, platforms=["mastodon"])
    head, reply = Outbox(store).find(platforms=["mastodon"])
    add(store, 2)  # something new, so the waiting posts are planned again

    def the_tick_claims_then_no_room(requests, booked, settings, now):  # type: ignore[no-untyped-def]
        Outbox(store).claim(head.id, {}, "publisher", now)
        return [Unplanned(r, "no room") for r in requests]

    monkeypatch.setattr(pipeline, "schedule_requests", the_tick_claims_then_no_room)
    plan_pending(kyiv, store, NOW + timedelta(minutes=1), platforms=["mastodon"])
    assert Outbox(store).get(head.id).state == "sending"
    assert Outbox(store).get(reply.id).state == "planned"


def test_a_post_with_no_room_yet_waits_unplanned_and_is_planned_when_room_appears(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.store import open_store

    tight = make_settings(tmp_path, timezone="UTC", slots="0 12 * * *", min_spacing_minutes=0, quiet_hours="",
                          daily_cap=1, expire_hours=24 * 30)
    store = open_store(tight.db_url)
    ids = [add(store, n, published=NOW) for n in range(16)]  # one slot a day, 14 days: two find no room
    report = plan_pending(tight, store, NOW, platforms=["x"])
    outbox = Outbox(store)
    state_of = {r.article_id: r.state for r in outbox.find() if r.thread_index == 0}
    assert [state_of[i] for i in ids] == ["planned"] * 14 + ["unplanned"] * 2  # first come, first served
    assert len(report.unplanned) == 2 and "14-day planning horizon" in report.unplanned[0][2]
    assert outbox.due(NOW + timedelta(days=30)) and all(r.state == "planned" for r in outbox.due(NOW + timedelta(days=30)))

    # a day later the first post has gone out and the horizon moved on: one more finds its slot
    first = next(r for r in outbox.find() if r.article_id == ids[0] and r.thread_index == 0)
    outbox.claim(first.id, {}, "test", NOW + timedelta(hours=2))
    from bot.models import PublishResult

    outbox.mark_sent(first.id, PublishResult("1"), NOW + timedelta(hours=2))
    later = plan_pending(tight, store, NOW + timedelta(days=1), platforms=["x"])
    state_of = {r.article_id: r.state for r in outbox.find() if r.thread_index == 0}
    assert state_of[ids[14]] == "planned" and state_of[ids[15]] == "unplanned"
    assert [aid for aid, _, _ in later.planned] == [ids[14]]


def test_an_article_edited_while_its_post_waits_for_room_is_composed_again_and_still_waits(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.feeds.articles import list_updates
    from bot.store import open_store

    tight = make_settings(tmp_path, timezone="UTC", slots="0 12 * * *", min_spacing_minutes=0, quiet_hours="",
                          daily_cap=1, expire_hours=24 * 30)
    store = open_store(tight.db_url)
    ids = [add(store, n, published=NOW) for n in range(15)]  # one slot a day for 14 days: the last waits
    plan_pending(tight, store, NOW, platforms=["x"])
    outbox = Outbox(store)
    [waiting] = [r for r in outbox.find() if r.article_id == ids[-1] and r.thread_index == 0]
    assert waiting.state == "unplanned"

    assert edit_at_source(store, ids[-1], title="Council shelves proposal 14 after all").action == "recompose"
    report = plan_pending(tight, store, NOW + timedelta(minutes=5), platforms=["x"])

    assert report.recomposed == [ids[-1]]
    [head] = [r for r in outbox.find(["planned", "unplanned"]) if r.article_id == ids[-1] and r.thread_index == 0]
    assert head.text.startswith("Council shelves proposal 14 after all") and head.state == "unplanned"
    assert outbox.get(waiting.id).state == PostState.CANCELLED
    assert not [r for r in outbox.due(NOW + timedelta(minutes=5)) if r.article_id == ids[-1]]  # not due at once
    assert list_updates(store, unhandled_only=True) == []


def test_a_flood_of_articles_is_planned_in_bounded_batches_oldest_first(
    kyiv: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.pipeline

    monkeypatch.setattr(bot.pipeline, "PLAN_BATCH", 3)
    ids = [add(store, n) for n in range(7)]
    first = plan_pending(kyiv, store, NOW, platforms=["x"])
    assert sorted({aid for aid, _, _ in first.planned}) == ids[:3]
    plan_pending(kyiv, store, NOW, platforms=["x"])
    plan_pending(kyiv, store, NOW, platforms=["x"])
    assert {r.article_id for r in heads(store)} == set(ids)


def test_a_post_written_expired_or_unplanned_is_never_due_for_a_moment(
    kyiv: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The publish tick runs beside planning: a row inserted as planned and expired after would be due in
    # between, and stale news (or a post ignoring quiet hours and caps) could go out.
    due_right_after_insert: list[int] = []
    real_enqueue = Outbox.enqueue

    def enqueue_then_look(self: Outbox, *a: Any, **k: Any) -> list[int]:
        ids = real_enqueue(self, *a, **k)
        due_right_after_insert.extend(r.id for r in self.due(NOW + timedelta(days=30)) if r.id in ids)
        return ids

    monkeypatch.setattr(Outbox, "enqueue", enqueue_then_look)
    add(store, 1, published=NOW - timedelta(hours=30))
    report = plan_pending(kyiv, store, NOW, platforms=["x"])
    assert len(report.expired) == 1
    assert due_right_after_insert == []
    assert {r.state for r in Outbox(store).find()} == {PostState.EXPIRED}


def test_an_edit_never_replaces_a_post_that_was_tried_and_retried(kyiv: Settings, store: Store) -> None:
    # A send that timed out may have landed; `newsbot retry` plans it again (attempts back to 0) but it
    # keeps what its first claim prepared. An edit at the source must not replace it with a new post.
    from bot.publish import retry_post

    article_id = add(store, 1)
    plan_pending(kyiv, store, NOW, platforms=["x"])
    [head] = heads(store)
    outbox = Outbox(store)
    outbox.claim(head.id, {"sent_text": head.text}, "publisher", NOW)
    outbox.mark_failed(head.id, "timed out", NOW)
    retry_post(store, head.id)
    assert outbox.get(head.id).attempts == 0 and outbox.get(head.id).prepared
    edit_at_source(store, article_id, title="Council approves proposal 1 after all")
    plan_pending(kyiv, store, NOW + timedelta(minutes=5), platforms=["x"])
    assert [r.id for r in heads(store)] == [head.id]
    assert outbox.get(head.id).state == PostState.PLANNED


def test_a_post_due_before_the_next_publish_tick_is_not_moved_behind_breaking_news(
    kyiv: Settings, store: Store
) -> None:
    # The publish tick may send it while this plan is being made: moved behind the breaking article on paper,
    # it would still go out first, and the breaking article's slot would then come after it anyway.
    queued = add(store, 1)
    plan_pending(kyiv, store, NOW, platforms=["x"])
    [waiting] = heads(store)
    almost = waiting.scheduled_at - timedelta(seconds=3)  # due within the next publish tick (10 s)
    breaking = add(store, 9, Priority.BREAKING, published=almost)
    plan_pending(kyiv, store, almost, platforms=["x"])
    times = {r.article_id: r.scheduled_at for r in heads(store)}
    assert times[queued] == waiting.scheduled_at  # kept: it is as good as gone
    assert times[breaking] > times[queued]  # the breaking article takes the next moment after it


def test_preview_plans_a_long_queue_first_come_first_served_as_the_daemon_does(kyiv: Settings) -> None:
    from bot.preview import build_preview

    articles = [(f"{n}.txt", Article(source=f"{n}.txt", text=body(n), title=f"Council votes on proposal {n}",
                                     url=f"https://news.example/{n}", published=NOW)) for n in range(1, 13)]
    report = build_preview(kyiv, now=NOW, platforms=["mastodon"], use_store=False, articles=articles)
    times = [a.scheduled_at["mastodon"] for a in report.articles]
    assert all(times)
    assert times == sorted(times)  # the 11th and 12th files do not jump ahead of the 3rd ("10" < "2" as text)


def test_a_post_waiting_for_room_is_planned_when_room_appears_though_its_article_went_out_elsewhere(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from bot.models import PublishResult
    from bot.store import open_store

    # X takes one post a day; Mastodon has room for all. Evergreen-long expiry, so a post with no room waits.
    tight = make_settings(tmp_path, timezone="UTC", slots="0 12 * * *", min_spacing_minutes=0, quiet_hours="",
                          daily_cap=1, expire_hours=24 * 30, stagger_minutes=0,
                          schedule_overrides={"mastodon": {"slots": "*/15 * * * *", "daily_cap": 0}})
    store = open_store(tight.db_url)
    ids = [add(store, n, published=NOW) for n in range(15)]  # 14 days of X slots: the last finds no room on X
    plan_pending(tight, store, NOW, platforms=["x", "mastodon"])
    outbox = Outbox(store)

    def head(article_id: int, platform: str):  # type: ignore[no-untyped-def]
        return next(r for r in outbox.find() if r.article_id == article_id and r.platform == platform
                    and r.thread_index == 0)

    assert head(ids[14], "x").state == "unplanned" and head(ids[14], "mastodon").state == "planned"
    # The next day: yesterday's X post and the last article's Mastodon post have gone out.
    for row in (head(ids[0], "x"), head(ids[14], "mastodon")):
        outbox.claim(row.id, {}, "test", NOW + timedelta(hours=5))
        outbox.mark_sent(row.id, PublishResult(str(row.id)), NOW + timedelta(hours=5))
    plan_pending(tight, store, NOW + timedelta(days=1), platforms=["x", "mastodon"])
    assert head(ids[14], "x").state == "planned"  # room appeared on X: the Mastodon post changes nothing there
