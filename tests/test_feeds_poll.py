"""Polling feeds from a local HTTP server: new entries become articles, edited entries become updates,
and every failure is a status on its feed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.feeds.articles import ArticleUpdate, add_url, list_updates
from bot.feeds.fetch import Fetcher
from bot.feeds.poll import MAX_PAGE_ATTEMPTS, poll_feeds
from bot.feeds.registry import add_feed, entry_counts, get_feed, list_feeds
from bot.models import ArticleState, Priority
from bot.store import Store
from bot.store import schema
from fixtures_http import FEED_DATA, LocalServer, http_server  # noqa: F401  (the fixture)

NOW = datetime(2024, 3, 7, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(user_agent="newsbot-test/1.0", timeout=5, max_bytes=100_000, per_host_per_second=1000) as f:
        yield f


def poll(settings: Settings, store: Store, fetcher: Fetcher, now: datetime = NOW, **kwargs: object):  # type: ignore[no-untyped-def]
    return poll_feeds(settings, store, now=now, client=fetcher, **kwargs)  # type: ignore[arg-type]


def only(results):  # type: ignore[no-untyped-def]
    assert len(results) == 1
    return results[0]


def body(topic: str, sentences: int = 40) -> str:
    return " ".join(f"Sentence {i} tells readers more about {topic}." for i in range(sentences))


def rss(server: LocalServer, *items: tuple[str, str, str, str]) -> str:
    """An RSS 2.0 document with items (guid, title, link path, text), newest first."""
    xml = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>{server.base}{path}</link>"
        f"<description><![CDATA[<p>{text}</p>]]></description></item>"
        for guid, title, path, text in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Test</title>{xml}</channel></rss>'


def articles(store: Store) -> list:  # type: ignore[type-arg]
    return sorted(store.list_articles(), key=lambda a: a.id)


# --- subscribing ----------------------------------------------------------------------------------
def test_first_poll_marks_existing_entries_seen_then_new_entries_become_articles(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    old = ("g1", "Old story", "/old", body("the old story"))
    http_server.put("/feed.xml", rss(http_server, old))
    add_feed(store, http_server.url("/feed.xml"), now=NOW)

    first = only(poll(settings, store, fetcher))
    assert (first.status, first.marked_seen, first.new_article_ids) == ("ok", 1, [])
    assert store.list_articles() == []

    new = ("g2", "New story", "/new?utm_source=rss", body("the new story"))
    http_server.put("/feed.xml", rss(http_server, new, old))
    second = only(poll(settings, store, fetcher, LATER))
    assert len(second.new_article_ids) == 1
    article = store.get_article(second.new_article_ids[0]).article
    assert article.title == "New story"
    assert article.url == http_server.url("/new")  # tracking parameters stripped
    assert article.text.startswith("Sentence 0 tells readers more about the new story.")


def test_backfill_ingests_the_newest_k_in_publication_order(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    http_server.put_file("/rss.xml", "rss.xml")
    add_feed(store, http_server.url("/rss.xml"), backfill=2, priority=Priority.BREAKING, now=NOW)
    result = only(poll(settings, store, fetcher))
    assert result.marked_seen == 1
    stored = articles(store)
    assert [a.article.title for a in stored] == [
        "Library extends opening hours for exam season",
        "Council approves new footbridge over the Mill River",
    ]
    bridge = stored[1].article
    assert bridge.url == http_server.url("/news/footbridge")
    assert bridge.image == http_server.url("/img/bridge.jpg")
    assert bridge.published == datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    assert bridge.priority is Priority.BREAKING
    assert "Pavel Drozd" in bridge.text
    assert http_server.hits("/news/footbridge?utm_source=rss&utm_medium=feed") == []  # full text was in the feed


def test_atom_feed(http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher) -> None:
    http_server.put_file("/atom.xml", "atom.xml", content_type="application/atom+xml")
    add_feed(store, http_server.url("/atom.xml"), backfill=10, now=NOW)
    result = only(poll(settings, store, fetcher))
    assert (result.status, len(result.new_article_ids)) == ("ok", 2)
    titles_urls = {(a.article.title, a.article.url) for a in store.list_articles()}
    assert titles_urls == {
        ("Ferry timetable changes from Monday", http_server.url("/harbour/ferry-timetable")),  # no trailing slash
        ("Lighthouse open to visitors again", http_server.url("/harbour/lighthouse")),
    }


# --- conditional GET and scheduling ---------------------------------------------------------------
def test_etag_and_304(http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher) -> None:
    resource = http_server.put_file("/rss.xml", "rss.xml")
    feed = add_feed(store, http_server.url("/rss.xml"), backfill=3, now=NOW)
    only(poll(settings, store, fetcher))
    assert get_feed(store, feed.id).etag == resource.etag

    again = only(poll(settings, store, fetcher, LATER))
    assert (again.status, again.new_article_ids) == ("not_modified", [])
    request = http_server.hits("/rss.xml")[-1]
    assert request.headers["if-none-match"] == resource.etag
    assert request.headers["if-modified-since"] == resource.last_modified
    assert get_feed(store, feed.id).status == "not_modified"
    assert len(store.list_articles()) == 3


def test_feeds_are_polled_when_due_and_not_before(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    http_server.put_file("/rss.xml", "rss.xml")
    add_feed(store, http_server.url("/rss.xml"), interval_seconds=600, now=NOW)
    assert only(poll(settings, store, fetcher)).next_poll_at == NOW + timedelta(minutes=10)
    assert poll(settings, store, fetcher, NOW + timedelta(minutes=9)) == []
    assert len(poll(settings, store, fetcher, NOW + timedelta(minutes=10))) == 1
    assert len(http_server.hits("/rss.xml")) == 2


def test_rss_ttl_stretches_the_interval(http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher) -> None:
    http_server.put("/feed.xml", '<rss version="2.0"><channel><title>t</title><ttl>60</ttl></channel></rss>')
    add_feed(store, http_server.url("/feed.xml"), interval_seconds=300, now=NOW)
    assert only(poll(settings, store, fetcher)).next_poll_at == NOW + timedelta(hours=1)


def test_an_absurd_ttl_is_capped_not_an_error(http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher) -> None:
    # Fifteen digits of minutes overflowed timedelta after the entries were taken: the feed showed "error"
    # on every poll and backed off, though it was fine.
    http_server.put("/feed.xml", '<rss version="2.0"><channel><title>t</title><ttl>999999999999999</ttl></channel></rss>')
    add_feed(store, http_server.url("/feed.xml"), interval_seconds=300, now=NOW)
    result = only(poll(settings, store, fetcher))
    assert result.status == "ok" and result.next_poll_at == NOW + timedelta(hours=24)


# --- teasers and full text ------------------------------------------------------------------------
def serve_teasers(server: LocalServer) -> None:
    server.put_file("/teaser.xml", "teaser.xml")
    server.put_file("/pages/dam-inspection.html", "dam-inspection.html")
    server.put_file("/pages/bakery-prize.html", "bakery-prize.html")


def test_teaser_feed_gets_full_text_and_canonical_urls_from_the_pages(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    serve_teasers(http_server)
    add_feed(store, http_server.url("/teaser.xml"), backfill=2, now=NOW)
    result = only(poll(settings, store, fetcher))
    assert len(result.new_article_ids) == 2
    by_title = {a.article.title: a.article for a in store.list_articles()}
    dam = by_title["Dam inspection finds cracks in the spillway"]
    assert dam.url == http_server.url("/news/2024/dam-inspection")  # rel=canonical, trailing slash dropped
    assert "Andriy Melnyk" in dam.text and len(dam.text.split()) > 150
    assert dam.image == http_server.url("/img/dam.jpg")
    assert dam.outlet == "Valley Wire"
    assert dam.summary is not None and dam.summary.endswith("[…]")
    bakery = by_title["Bakery on Elm Street wins regional prize"]
    assert bakery.url == http_server.url("/news/2024/bakery-prize")  # og:url, utm_medium stripped
    page_request = http_server.hits("/pages/dam-inspection.html?utm_source=rss&utm_campaign=feed&fbclid=abc123")[0]
    assert page_request.headers["user-agent"] == "newsbot-test/1.0"


def test_entry_whose_page_is_not_there_yet_waits_and_is_retried(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    serve_teasers(http_server)
    http_server.fail("/pages/dam-inspection.html", 503)  # a passing outage
    feed = add_feed(store, http_server.url("/teaser.xml"), backfill=2, now=NOW)
    first = only(poll(settings, store, fetcher))
    assert (len(first.new_article_ids), first.pending) == (1, 1)
    assert entry_counts(store)[feed.id] == {"article": 1, "pending": 1}

    http_server.put_file("/pages/dam-inspection.html", "dam-inspection.html")
    second = only(poll(settings, store, fetcher, LATER))
    assert second.status == "not_modified"  # the feed did not change; the pending entry was retried anyway
    assert len(second.new_article_ids) == 1
    assert "Andriy Melnyk" in store.get_article(second.new_article_ids[0]).article.text
    assert entry_counts(store)[feed.id] == {"article": 2}


def test_entry_whose_page_never_comes_is_ingested_with_the_feed_text(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    serve_teasers(http_server)
    http_server.fail("/pages/dam-inspection.html", 503)
    add_feed(store, http_server.url("/teaser.xml"), backfill=2, now=NOW)
    ingested: list[int] = []
    for i in range(MAX_PAGE_ATTEMPTS):
        ingested += only(poll(settings, store, fetcher, NOW + timedelta(hours=i))).new_article_ids
    dam = [store.get_article(i).article for i in ingested if "Dam" in (store.get_article(i).article.title or "")]
    assert len(dam) == 1, "never lost"
    assert dam[0].text.startswith("Engineers inspecting the reservoir dam found cracks")
    assert dam[0].url == http_server.url("/pages/dam-inspection.html")
    assert len(http_server.hits("/pages/dam-inspection.html?utm_source=rss&utm_campaign=feed&fbclid=abc123")) == MAX_PAGE_ATTEMPTS


def test_entry_whose_page_is_missing_is_ingested_with_the_feed_text_at_once(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    serve_teasers(http_server)
    http_server.remove("/pages/dam-inspection.html")  # 404: waiting will not help
    feed = add_feed(store, http_server.url("/teaser.xml"), backfill=2, now=NOW)
    result = only(poll(settings, store, fetcher))
    assert (len(result.new_article_ids), result.pending) == (2, 0)
    assert entry_counts(store)[feed.id] == {"article": 2}


def test_entry_whose_page_crashes_the_extractor_is_ingested_with_the_feed_text_at_once(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An extractor bug on one page is like a page with no article in it: waiting will not help. It left the
    # entry "pending" for ever, retried on every poll and never ingested.
    from bot.feeds import articles as feed_articles

    real = feed_articles.extract_page

    def extract(html: bytes, url: str, **kwargs: object):  # type: ignore[no-untyped-def]
        if "dam-inspection" in url:
            raise RecursionError("maximum recursion depth exceeded")
        return real(html, url, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(feed_articles, "extract_page", extract)
    serve_teasers(http_server)
    feed = add_feed(store, http_server.url("/teaser.xml"), backfill=2, now=NOW)
    result = only(poll(settings, store, fetcher))
    assert (len(result.new_article_ids), result.pending) == (2, 0)
    assert entry_counts(store)[feed.id] == {"article": 2}


@pytest.mark.parametrize(("page_status", "read_unconditionally"), [(503, True), (404, False)])
def test_an_edit_waiting_for_its_page_makes_the_next_poll_read_the_feed_only_if_the_page_may_come_back(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher, page_status: int,
    read_unconditionally: bool,
) -> None:
    # A 304 would hide an edit waiting on a passing outage of its page; a page gone for good is no reason to
    # give up conditional GET for as long as its entry stays in the feed.
    serve_teasers(http_server)
    feed = add_feed(store, http_server.url("/teaser.xml"), backfill=2, now=NOW)
    only(poll(settings, store, fetcher))
    edited = (FEED_DATA / "teaser.xml").read_text().replace("{{BASE}}", http_server.base)
    edited = edited.replace("Dam inspection finds cracks in the spillway", "Dam inspection finds deep cracks")
    resource = http_server.put("/teaser.xml", edited)
    http_server.fail("/pages/dam-inspection.html", page_status)

    assert only(poll(settings, store, fetcher, LATER)).updates == []
    assert (get_feed(store, feed.id).etag == resource.etag) is not read_unconditionally
    http_server.put_file("/pages/dam-inspection.html", "dam-inspection.html")
    again = only(poll(settings, store, fetcher, LATER + timedelta(hours=1)))

    conditional = "if-none-match" in http_server.hits("/teaser.xml")[-1].headers
    assert conditional is not read_unconditionally
    assert len(again.updates) == (1 if read_unconditionally else 0)  # the page is back: the edit is applied


# --- updates --------------------------------------------------------------------------------------
def add_post(store: Store, article_id: int, state: str, key: str) -> None:
    with store.transaction() as conn:
        conn.execute(
            schema.posts.insert().values(
                article_id=article_id, platform="bluesky", account="", thread_index=0, kind="main", text="t",
                payload={}, scheduled_at=NOW, state=state, idempotency_key=key, attempts=0,
                created_at=NOW, updated_at=NOW,
            )
        )  # fmt: skip


def edited_feed(server: LocalServer, title: str) -> None:
    text = (FEED_DATA / "rss.xml").read_text().replace("{{BASE}}", server.base)
    assert "Council approves new footbridge over the Mill River" in text
    server.put("/rss.xml", text.replace("Council approves new footbridge over the Mill River", title))


@pytest.mark.parametrize(("post_state", "action"), [(None, "none"), ("planned", "recompose"), ("sent", "record")])
def test_changed_entry_is_an_update_not_a_new_article(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher, post_state: str | None, action: str
) -> None:
    http_server.put_file("/rss.xml", "rss.xml")
    add_feed(store, http_server.url("/rss.xml"), backfill=3, now=NOW)
    created = only(poll(settings, store, fetcher)).new_article_ids
    bridge_id = next(i for i in created if "footbridge" in (store.get_article(i).article.title or ""))
    if post_state:
        add_post(store, bridge_id, post_state, "k1")

    seen: list[ArticleUpdate] = []
    edited_feed(http_server, "Council approves footbridge over the Mill River after long debate")
    result = only(poll(settings, store, fetcher, LATER, on_update=seen.append))

    assert result.new_article_ids == [] and len(store.list_articles()) == 3
    assert result.updated_article_ids == [bridge_id]
    assert result.recompose_article_ids == ([bridge_id] if action == "recompose" else [])
    assert [u.action for u in seen] == [action]
    stored = store.get_article(bridge_id)
    assert stored.article.title == "Council approves footbridge over the Mill River after long debate"
    assert stored.state == ArticleState.INGESTED.value
    (recorded,) = list_updates(store, article_id=bridge_id)
    assert recorded["old_title"] == "Council approves new footbridge over the Mill River"
    assert recorded["action"] == action and recorded["handled_at"] is None


def test_an_update_that_fails_keeps_the_entry_tied_to_its_article_and_is_applied_later(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A failure while applying an edit (the database busy, say) turned the entry into a "pending" new one
    # with no article: the next poll then stored it as a duplicate of its own article, and later edits
    # were never applied again.
    http_server.put("/feed.xml", rss(http_server, ("g1", "Story", "/story", body("a story"))))
    add_feed(store, http_server.url("/feed.xml"), backfill=1, now=NOW)
    (article_id,) = only(poll(settings, store, fetcher)).new_article_ids

    real = Store.update_article

    def busy(self: Store, *args: object, **kwargs: object) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(Store, "update_article", busy)
    http_server.put("/feed.xml", rss(http_server, ("g1", "Story, corrected", "/story", body("a story"))))
    failed = only(poll(settings, store, fetcher, LATER))
    assert (failed.new_article_ids, failed.duplicate_article_ids, failed.updates) == ([], [], [])
    assert entry_counts(store)[failed.feed_id] == {"article": 1}

    monkeypatch.setattr(Store, "update_article", real)  # the feed itself is unchanged since: no 304 then
    result = only(poll(settings, store, fetcher, LATER + timedelta(hours=1)))
    assert result.updated_article_ids == [article_id] and result.duplicate_article_ids == []
    assert store.get_article(article_id).article.title == "Story, corrected"


def test_an_unchanged_entry_in_a_changed_feed_is_left_alone(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    http_server.put_file("/rss.xml", "rss.xml")
    add_feed(store, http_server.url("/rss.xml"), backfill=3, now=NOW)
    only(poll(settings, store, fetcher))
    text = (FEED_DATA / "rss.xml").read_text().replace("{{BASE}}", http_server.base)
    http_server.put("/rss.xml", text.replace("News from the valley", "News from the whole valley"))
    result = only(poll(settings, store, fetcher, LATER))
    assert (result.status, result.new_article_ids, result.updates) == ("ok", [], [])


def test_entry_that_changes_its_guid_but_not_its_url_is_the_same_entry(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    http_server.put("/feed.xml", rss(http_server, ("g1", "Story", "/story", body("a story"))))
    add_feed(store, http_server.url("/feed.xml"), backfill=1, now=NOW)
    (article_id,) = only(poll(settings, store, fetcher)).new_article_ids
    http_server.put("/feed.xml", rss(http_server, ("g1-v2", "Story, corrected", "/story", body("a story"))))
    result = only(poll(settings, store, fetcher, LATER))
    assert result.new_article_ids == [] and result.updated_article_ids == [article_id]


def test_entries_sharing_one_url_do_not_overwrite_each_other_on_every_poll(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    # A live blog's entries (or a feed linking every item to one section page) share a canonical URL under
    # their own guids. Each is its own entry: matched by URL, the second took the first's row, and every poll
    # then flipped the article between the two texts, recording an update (and a re-compose) each time.
    items = [("live-2", "Count: second update", "/live#post-2", body("the second update")),
             ("live-1", "Count: first update", "/live#post-1", body("the first update"))]
    http_server.put("/feed.xml", rss(http_server, *items))
    add_feed(store, http_server.url("/feed.xml"), backfill=2, now=NOW)
    first = only(poll(settings, store, fetcher))
    assert len(first.new_article_ids) + len(first.duplicate_article_ids) == 2
    (article_id,) = first.new_article_ids
    before = store.get_article(article_id).article
    http_server.put("/feed.xml", rss(http_server, *items) + " ")  # a new ETag: the document is read again
    again = only(poll(settings, store, fetcher, LATER))
    assert (again.new_article_ids, again.updates) == ([], [])
    assert store.get_article(article_id).article == before
    assert list_updates(store) == []


# --- dedup ----------------------------------------------------------------------------------------
def test_the_same_article_in_two_feeds_is_a_duplicate(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    http_server.put_file("/a.xml", "rss.xml")
    text = (FEED_DATA / "rss.xml").read_text().replace("{{BASE}}", http_server.base)
    # the same stories under other guids and with other tracking parameters
    http_server.put("/b.xml", text.replace("gazette-", "mirror-").replace("utm_medium=feed", "utm_medium=mirror"))
    add_feed(store, http_server.url("/a.xml"), backfill=3, now=NOW)
    add_feed(store, http_server.url("/b.xml"), backfill=3, now=NOW)
    first, second = poll(settings, store, fetcher)
    assert len(first.new_article_ids) == 3
    assert (second.new_article_ids, len(second.duplicate_article_ids)) == ([], 3)
    for dup_id in second.duplicate_article_ids:
        assert store.get_article(dup_id).duplicate_of in first.new_article_ids


def test_same_title_and_lead_under_another_url_is_a_duplicate(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    lead = body("the storm", 20)
    http_server.put("/a.xml", rss(http_server, ("a1", "Storm hits coast", "/a/storm", lead + " Ending one. " + body("x"))))
    http_server.put("/b.xml", rss(http_server, ("b1", "Storm Hits Coast", "/b/storm-2", lead + " Another end. " + body("y"))))
    add_feed(store, http_server.url("/a.xml"), backfill=1, now=NOW)
    add_feed(store, http_server.url("/b.xml"), backfill=1, now=NOW)
    first, second = poll(settings, store, fetcher)
    assert len(second.duplicate_article_ids) == 1
    assert store.get_article(second.duplicate_article_ids[0]).duplicate_of == first.new_article_ids[0]


def test_a_page_added_by_hand_is_not_ingested_again_from_a_feed(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    serve_teasers(http_server)
    added = add_url(settings, store, http_server.url("/pages/dam-inspection.html?utm_source=newsletter"), client=fetcher)
    assert added.duplicate_of is None and added.url == http_server.url("/news/2024/dam-inspection")
    add_feed(store, http_server.url("/teaser.xml"), backfill=2, now=NOW)
    result = only(poll(settings, store, fetcher))
    assert len(result.new_article_ids) == 1 and len(result.duplicate_article_ids) == 1
    assert store.get_article(result.duplicate_article_ids[0]).duplicate_of == added.article_id


def test_a_page_whose_article_failed_to_compose_can_be_added_again(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    serve_teasers(http_server)
    first = add_url(settings, store, http_server.url("/pages/dam-inspection.html"), client=fetcher)
    store.set_article_state(first.article_id, ArticleState.FAILED, "template error")  # as plan_pending does
    again = add_url(settings, store, http_server.url("/pages/dam-inspection.html"), client=fetcher)
    assert again.duplicate_of is None and again.article_id != first.article_id
    third = add_url(settings, store, http_server.url("/pages/dam-inspection.html"), client=fetcher)
    assert third.duplicate_of == again.article_id


def test_a_page_whose_charset_is_only_in_the_http_header_is_read_in_it(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    # Servers often declare a legacy charset only in Content-Type (nginx `charset windows-1251;`), with no
    # <meta charset> in the page: the header is what a browser goes by.
    paragraph = "Городской совет во вторник проголосовал за то, чтобы снова открыть старый мост для велосипедистов."
    page = (
        "<html><head><title>Мост снова открыт</title></head><body><article><h1>Мост снова открыт</h1>"
        + f"<p>{paragraph}</p>" * 4
        + "</article></body></html>"
    )
    http_server.put("/pages/most.html", page.encode("cp1251"), content_type="text/html; charset=windows-1251")
    added = add_url(settings, store, http_server.url("/pages/most.html"), client=fetcher)
    article = store.get_article(added.article_id).article
    assert article.title == "Мост снова открыт"
    assert article.text.startswith(paragraph)


# --- errors: a clear status on the feed, never a crash --------------------------------------------
def error_of(store: Store, feed_id: int) -> tuple[str, str | None, int, bool]:
    feed = get_feed(store, feed_id)
    return feed.status, feed.last_error, feed.error_count, feed.disabled


def test_html_instead_of_a_feed(http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher) -> None:
    http_server.put_file("/", "homepage.html")
    feed = add_feed(store, http_server.url("/"), interval_seconds=600, now=NOW)
    result = only(poll(settings, store, fetcher))
    status, error, count, disabled = error_of(store, feed.id)
    assert (result.status, status, count, disabled) == ("not_a_feed", "not_a_feed", 1, False)
    assert error and "HTML page" in error and http_server.url("/teaser.xml") in error
    assert result.next_poll_at == NOW + timedelta(minutes=20)  # backoff: twice the interval


def test_backoff_grows_with_each_failure_and_resets_on_success(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    http_server.fail("/feed.xml", 503)
    feed = add_feed(store, http_server.url("/feed.xml"), interval_seconds=600, now=NOW)
    delays = []
    now = NOW
    for _ in range(3):
        result = only(poll(settings, store, fetcher, now))
        assert result.next_poll_at is not None
        delays.append(result.next_poll_at - now)
        now = result.next_poll_at
    assert delays == [timedelta(minutes=20), timedelta(minutes=40), timedelta(minutes=80)]
    assert error_of(store, feed.id)[:3] == ("http_error", "HTTP 503 from the server", 3)

    http_server.put_file("/feed.xml", "rss.xml")
    assert only(poll(settings, store, fetcher, now)).status == "ok"
    assert error_of(store, feed.id) == ("ok", None, 0, False)


def test_invalid_xml(http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher) -> None:
    http_server.put_file("/feed.xml", "garbage.xml")
    feed = add_feed(store, http_server.url("/feed.xml"), now=NOW)
    assert only(poll(settings, store, fetcher)).status == "invalid_feed"
    assert "not a readable RSS/Atom feed" in (error_of(store, feed.id)[1] or "")


def test_malformed_feed_still_yields_its_entries(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    http_server.put_file("/feed.xml", "malformed.xml")
    feed = add_feed(store, http_server.url("/feed.xml"), backfill=5, now=NOW)
    result = only(poll(settings, store, fetcher))
    assert result.status == "malformed" and result.ok
    titles = [store.get_article(i).article.title for i in result.new_article_ids]
    assert "Snow closes the mountain pass overnight" in titles
    status, error, count, _ = error_of(store, feed.id)
    assert (status, count) == ("malformed", 0) and error and "not well-formed" in error


def test_404_disables_the_feed_after_three_answers(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    feed = add_feed(store, http_server.url("/missing.xml"), now=NOW)
    now = NOW
    for expected_disabled in (False, False, True):
        result = only(poll(settings, store, fetcher, now))
        assert result.status == "not_found" and result.disabled is expected_disabled
        now += timedelta(days=1)
    status, error, _, disabled = error_of(store, feed.id)
    assert disabled and "disabled after 3" in (error or "") and f"feeds enable {feed.id}" in (error or "")
    assert poll(settings, store, fetcher, now + timedelta(days=30)) == []  # no longer polled
    assert len(http_server.hits("/missing.xml")) == 3


def test_410_disables_the_feed_at_once(http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher) -> None:
    http_server.fail("/gone.xml", 410)
    feed = add_feed(store, http_server.url("/gone.xml"), now=NOW)
    assert only(poll(settings, store, fetcher)).disabled
    assert error_of(store, feed.id)[0] == "gone" and get_feed(store, feed.id).disabled


def test_a_404_between_successes_does_not_count_towards_disabling(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    feed = add_feed(store, http_server.url("/flaky.xml"), now=NOW)
    now = NOW
    for serve in (False, False, True, False, False):
        if serve:
            http_server.put_file("/flaky.xml", "rss.xml")
        else:
            http_server.remove("/flaky.xml")
        only(poll(settings, store, fetcher, now))
        now += timedelta(days=1)
    assert not get_feed(store, feed.id).disabled


def test_redirect_loop(http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher) -> None:
    http_server.redirect("/a.xml", "/b.xml")
    http_server.redirect("/b.xml", "/a.xml")
    feed = add_feed(store, http_server.url("/a.xml"), now=NOW)
    assert only(poll(settings, store, fetcher)).status == "redirect_loop"
    assert "redirect loop" in (error_of(store, feed.id)[1] or "")


def test_permanently_moved_feed_is_followed_to_its_new_address(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    http_server.put_file("/new.xml", "rss.xml")
    http_server.redirect("/old.xml", "/new.xml", status=301)
    feed = add_feed(store, http_server.url("/old.xml"), now=NOW)
    assert only(poll(settings, store, fetcher)).status == "ok"
    assert get_feed(store, feed.id).url == http_server.url("/new.xml")


def test_oversized_feed(http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher) -> None:
    http_server.put("/huge.xml", "<rss>" + "x" * 200_000 + "</rss>")
    feed = add_feed(store, http_server.url("/huge.xml"), now=NOW)
    assert only(poll(settings, store, fetcher)).status == "too_large"
    assert "larger than 100,000 bytes" in (error_of(store, feed.id)[1] or "")


def test_one_bad_feed_never_stops_the_others(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/feed.xml"
    http_server.put_file("/garbage.xml", "garbage.xml")
    http_server.put_file("/crash.xml", "atom.xml")
    http_server.put_file("/rss.xml", "rss.xml")
    for url in (dead, http_server.url("/garbage.xml"), http_server.url("/crash.xml"), http_server.url("/rss.xml")):
        add_feed(store, url, backfill=3, now=NOW)

    import bot.feeds.poll as poll_module

    real_parse = poll_module.parse_feed

    def parse_or_fail(content: bytes, *, url: str, headers: object = None):  # type: ignore[no-untyped-def]
        if url.endswith("/crash.xml"):
            raise RuntimeError("a bug in the parser")
        return real_parse(content, url=url, headers=headers)  # type: ignore[arg-type]

    monkeypatch.setattr(poll_module, "parse_feed", parse_or_fail)
    results = poll(settings, store, fetcher)
    assert [r.status for r in results] == ["unreachable", "invalid_feed", "error", "ok"]
    assert "a bug in the parser" in (results[2].error or "")
    assert len(results[3].new_article_ids) == 3
    assert [f.status for f in list_feeds(store)] == ["unreachable", "invalid_feed", "error", "ok"]


def test_two_pollers_do_not_poll_the_same_feed(
    http_server: LocalServer, settings: Settings, store: Store, fetcher: Fetcher
) -> None:
    from bot.feeds.poll import LEASE
    from bot.feeds.registry import claim_feed, due_feeds

    http_server.put_file("/rss.xml", "rss.xml")
    add_feed(store, http_server.url("/rss.xml"), now=NOW)
    (feed,) = due_feeds(store, NOW)
    assert claim_feed(store, feed, NOW, LEASE)  # another process took it a moment ago
    assert not claim_feed(store, feed, NOW, LEASE)
    assert poll(settings, store, fetcher) == []
