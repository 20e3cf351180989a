"""Feed documents and article pages into plain data: pure functions, no server needed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.feeds.articles import article_from_parts, lead_fingerprint
from bot.feeds.pages import PageContent, extract_page, html_to_text
from bot.feeds.parse import TEASER_MAX_WORDS, FeedEntry, FeedParseError, is_teaser, parse_feed
from fixtures_http import FEED_DATA

BASE = "http://news.example"


def data(name: str) -> bytes:
    return (FEED_DATA / name).read_bytes().replace(b"{{BASE}}", BASE.encode())


def test_rss_2_entries_newest_first_with_full_content() -> None:
    feed = parse_feed(data("rss.xml"), url=f"{BASE}/rss.xml")
    assert feed.title == "Riverside Gazette" and feed.malformed is None
    assert [e.key for e in feed.entries] == ["gazette-1003", "gazette-1002", "gazette-1001"]
    bridge = feed.entries[0]
    assert bridge.title == "Council approves new footbridge over the Mill River"
    assert bridge.link == f"{BASE}/news/footbridge?utm_source=rss&utm_medium=feed"
    assert bridge.published == datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    assert bridge.image == f"{BASE}/img/bridge.jpg"
    assert bridge.summary == "The town council voted to build a footbridge."
    # content:encoded wins over the one-line description, one paragraph per <p>
    assert bridge.text.startswith("The town council voted seven to two")
    assert bridge.text.count("\n\n") == 3
    assert not bridge.is_teaser


def test_atom_1_entries() -> None:
    feed = parse_feed(data("atom.xml"), url=f"{BASE}/atom.xml")
    assert feed.title == "Harbour Post"
    ferry, lighthouse = feed.entries
    assert ferry.key == "tag:harbourpost.example,2024:ferry-timetable"
    assert ferry.link == f"{BASE}/harbour/ferry-timetable/"
    assert ferry.published == datetime(2024, 3, 6, 11, 0, tzinfo=UTC)
    assert "two fewer morning crossings" in ferry.text and not ferry.is_teaser
    assert lighthouse.text.startswith("The old lighthouse")  # xhtml content
    assert not lighthouse.is_teaser


def test_teaser_feed_entries_are_teasers() -> None:
    feed = parse_feed(data("teaser.xml"), url=f"{BASE}/teaser.xml")
    assert [e.is_teaser for e in feed.entries] == [True, True]
    assert feed.entries[0].key == f"{BASE}/pages/dam-inspection.html"


def test_malformed_feed_keeps_the_entries_it_can_read() -> None:
    feed = parse_feed(data("malformed.xml"), url=f"{BASE}/malformed.xml")
    assert feed.malformed and "not well-formed" in feed.malformed
    assert feed.entries[0].key == "broken-1"
    assert feed.entries[0].title == "Snow closes the mountain pass overnight"


def test_garbage_is_an_invalid_feed() -> None:
    with pytest.raises(FeedParseError) as info:
        parse_feed(data("garbage.xml"), url=f"{BASE}/garbage.xml")
    assert info.value.kind == "invalid_feed"


def test_garbage_that_crashes_feedparser_is_an_invalid_feed() -> None:
    # feedparser 6 raises KeyError('links') on this (found by the property test below).
    with pytest.raises(FeedParseError) as info:
        parse_feed(b"<channel<entry<link</entry</link>", url="http://x.example/feed")
    assert info.value.kind == "invalid_feed"


def test_empty_response_is_an_invalid_feed() -> None:
    with pytest.raises(FeedParseError) as info:
        parse_feed(b"  \n", url=f"{BASE}/feed")
    assert info.value.kind == "invalid_feed" and "empty" in str(info.value)


def test_html_page_is_not_a_feed_and_names_the_feed_it_advertises() -> None:
    with pytest.raises(FeedParseError) as info:
        parse_feed(data("homepage.html"), url=f"{BASE}/", headers={"Content-Type": "text/html"})
    assert info.value.kind == "not_a_feed"
    assert f"{BASE}/teaser.xml" in str(info.value)


def test_an_html_page_names_its_rss_feed_not_its_json_feed() -> None:
    # JSON Feed is not read here: pointing at it would only lead to "not a readable RSS/Atom feed".
    page = (
        b'<html><head><link rel="alternate" type="application/feed+json" href="/feed.json">'
        b'<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body><p>Hi</p></body></html>'
    )
    with pytest.raises(FeedParseError) as info:
        parse_feed(page, url=f"{BASE}/", headers={"Content-Type": "text/html"})
    assert f"{BASE}/feed.xml" in str(info.value) and "feed.json" not in str(info.value)


def test_entry_without_guid_is_keyed_by_link_and_without_either_by_content() -> None:
    doc = b"""<rss version="2.0"><channel><title>t</title>
      <item><title>A</title><link>http://x.example/a</link><description>one</description></item>
      <item><title>B</title><description>two</description></item>
      <item></item>
    </channel></rss>"""
    entries = parse_feed(doc, url="http://x.example/rss").entries
    assert entries[0].key == "http://x.example/a"
    assert entries[1].key.startswith("hash:")
    assert len(entries) == 2  # the empty item has nothing to recognise or post


def test_ttl_is_read() -> None:
    doc = b'<rss version="2.0"><channel><title>t</title><ttl>60</ttl></channel></rss>'
    assert parse_feed(doc, url="http://x.example/rss").ttl_seconds == 3600


@pytest.mark.parametrize(("ttl", "seconds"), [("9" * 5000, 100 * 24 * 3600), ("\u00b2", None), ("\u0666\u0660", 3600)])
def test_a_ttl_of_any_digits_is_read_capped_or_ignored_never_an_error(ttl: str, seconds: int | None) -> None:
    # Beyond Python's 4300-digit int() limit, or a superscript that isdigit() but int() refuses: each was a
    # ValueError, so the feed showed 'error' on every poll and none of its entries was taken.
    doc = f'<rss version="2.0"><channel><title>t</title><ttl>{ttl}</ttl></channel></rss>'.encode()
    assert parse_feed(doc, url="http://x.example/rss").ttl_seconds == seconds


@pytest.mark.parametrize(
    "text",
    [
        "",
        "A short teaser.",
        "word " * (TEASER_MAX_WORDS + 10) + "and so on…",
        "word " * (TEASER_MAX_WORDS + 10) + "and so on [...]",
        "word " * (TEASER_MAX_WORDS + 10) + "Continue reading →",
    ],
)
def test_teasers(text: str) -> None:
    assert is_teaser(text)


def test_a_long_text_ending_normally_is_full_text() -> None:
    assert not is_teaser("word " * (TEASER_MAX_WORDS + 10) + "and that was the end.")


def test_html_to_text_keeps_paragraphs_and_drops_markup() -> None:
    html = "<p>First <b>para</b>.</p><script>x()</script><p>Second<br>line.</p><ul><li>one</li><li>two</li></ul>"
    assert html_to_text(html) == "First para.\n\nSecond line.\n\none\n\ntwo"
    assert html_to_text("Plain &amp; simple") == "Plain & simple"
    assert html_to_text(None) == ""


def test_a_description_escaped_twice_is_still_read_as_html() -> None:
    # A known CMS/plugin bug: the description's markup is escaped twice, so after XML parsing it is still
    # "&lt;p&gt;…". Unescaped once more it is HTML, and its tags must not reach the article text.
    doc = b"""<rss version="2.0"><channel><title>t</title><item><guid>1</guid><title>A</title>
      <link>https://x.example/a</link>
      <description>&amp;lt;p&amp;gt;The council &amp;lt;b&amp;gt;voted&amp;lt;/b&amp;gt;.&amp;lt;/p&amp;gt;&amp;lt;p&amp;gt;Second.&amp;lt;/p&amp;gt;</description>
    </item></channel></rss>"""
    (entry,) = parse_feed(doc, url="https://x.example/feed").entries
    assert entry.text == "The council voted.\n\nSecond."
    assert html_to_text("Rates fell &lt; 2% &amp; rose") == "Rates fell < 2% & rose"  # escaped text stays text


def test_page_extraction_reads_what_the_publisher_declared() -> None:
    page = extract_page(data("dam-inspection.html"), f"{BASE}/pages/dam-inspection.html?utm_source=rss")
    assert page.canonical_url == f"{BASE}/news/2024/dam-inspection/"
    assert page.title == "Dam inspection finds cracks in the spillway"
    assert page.image == f"{BASE}/img/dam.jpg"  # relative og:image made absolute
    assert page.published == datetime(2024, 3, 6, 9, 0, tzinfo=UTC)
    assert page.site_name == "Valley Wire" and page.language == "en"
    assert page.text.startswith("Engineers inspecting the reservoir dam")  # the <h1> is not repeated
    assert "All rights reserved" not in page.text and "Sport" not in page.text
    assert page.text.count("\n\n") == 3


def test_a_publication_time_found_only_by_the_extractor_keeps_its_time_and_zone() -> None:
    # No article:published_time meta, only JSON-LD: an evening story in New York. As a bare date it became
    # midnight UTC of May 1, a whole day early, and a 24-hour expiry expired it on arrival.
    paragraph = "The council voted on Tuesday evening to reopen the old bridge to cyclists and pedestrians."
    page = (
        "<html><head><title>Bridge reopens</title><script type=\"application/ld+json\">"
        '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Bridge reopens",'
        ' "datePublished": "2024-05-01T20:00:00-05:00"}</script></head>'
        f"<body><article><h1>Bridge reopens</h1>{f'<p>{paragraph}</p>' * 4}</article></body></html>"
    )
    extracted = extract_page(page.encode(), "https://paper.example/news/bridge")
    assert extracted.published == datetime(2024, 5, 2, 1, 0, tzinfo=UTC)


def test_a_utf8_page_with_one_bad_byte_is_read_as_utf8_like_a_browser_does() -> None:
    # One stray Windows-1252 byte: read as Windows-1252 instead, every accented letter became two ("Ã©").
    paragraph = "Le maire a déclaré mardi que le pont, fermé depuis dix ans, rouvrirait bientôt aux cyclistes."
    page = (
        f'<html><head><meta charset="utf-8"><title>Le pont</title></head><body><article><h1>Le pont</h1>'
        f"{f'<p>{paragraph}</p>' * 4}</article></body></html>"
    ).encode().replace(b"</h1>", b"</h1><p>C\x92est un beau jour pour la ville et pour les cyclistes.</p>")
    extracted = extract_page(page, "https://paper.example/news/pont")
    assert paragraph in extracted.text


def test_og_url_is_the_canonical_when_there_is_no_link_rel() -> None:
    page = extract_page(data("bakery-prize.html"), f"{BASE}/pages/bakery-prize.html")
    assert page.canonical_url == f"{BASE}/news/2024/bakery-prize?utm_medium=social"


def test_article_prefers_page_canonical_stripped_of_tracking_and_slash() -> None:
    entry = FeedEntry(key="k", title="Feed title", link=f"{BASE}/p?utm_source=rss", text="Teaser…", summary="Teaser…")
    page = PageContent(url=f"{BASE}/p", canonical_url="HTTP://News.Example/story/?fbclid=1&id=7", title="Page", text="Full " * 200)
    article = article_from_parts(source="s", entry=entry, page=page)
    assert article.url == "http://news.example/story?id=7"
    assert article.title == "Feed title"  # the editor's headline from the feed
    assert article.text.startswith("Full")
    assert article.summary == "Teaser…"  # the feed's teaser is kept as the source's summary


@pytest.mark.parametrize("declared", [f"{BASE}/", f"{BASE}", f"{BASE}/?utm_source=og"])
def test_a_page_declaring_the_home_page_as_its_canonical_keeps_its_own_link(declared: str) -> None:
    # A misconfigured theme puts the home page in rel=canonical / og:url on every article: taken as the
    # article's URL, every story of the site after the first was a duplicate and never posted.
    entry = FeedEntry(key="k", title="T", link=f"{BASE}/news/a?utm_source=rss", text="Teaser…", summary="Teaser…")
    page = PageContent(url=f"{BASE}/news/a?utm_source=rss", canonical_url=declared, title="Page", text="Full " * 200)
    assert article_from_parts(source="s", entry=entry, page=page).url == f"{BASE}/news/a"
    by_hand = article_from_parts(source="s", entry=None, page=page)  # `newsbot add URL`
    assert by_hand.url == f"{BASE}/news/a"


def test_article_without_page_uses_the_entry_link() -> None:
    entry = FeedEntry(key="k", title="T", link="https://News.example/a/?utm_campaign=x&gclid=y", text="Body text.")
    assert article_from_parts(source="s", entry=entry, page=None).url == "https://news.example/a"


def test_lead_fingerprint_ignores_case_spacing_and_the_tail() -> None:
    body = "The council voted. " * 30
    a = lead_fingerprint("Council  Votes", body + "Original ending.")
    b = lead_fingerprint("council votes", body.upper() + "A different ending entirely.")
    assert a == b
    assert lead_fingerprint("Council votes", "Something else entirely. " * 30) != a
    assert lead_fingerprint(None, body) is None


def test_relative_entry_links_are_resolved_against_the_feed_url() -> None:
    doc = b"""<rss version="2.0"><channel><title>t</title>
      <item><guid>1</guid><title>A</title><link>/news/a</link><description>one</description></item>
    </channel></rss>"""
    (entry,) = parse_feed(doc, url="https://paper.example/feeds/all.xml").entries
    assert entry.link == "https://paper.example/news/a"


def test_a_content_location_header_changes_neither_keys_nor_links() -> None:
    # A CDN naming another host in Content-Location: feedparser would resolve the guid and the link against
    # it, so the same entry got another key (seen as new) and a link to the CDN host was posted.
    doc = b"""<rss version="2.0"><channel><title>t</title>
      <item><guid isPermaLink="true">/news/1</guid><title>A</title><link>/news/1</link><description>x</description></item>
    </channel></rss>"""
    plain = parse_feed(doc, url="https://paper.example/feed.xml").entries[0]
    served = parse_feed(
        doc, url="https://paper.example/feed.xml", headers={"Content-Location": "https://cdn.example/v2/feed.xml"}
    ).entries[0]
    assert (served.key, served.link) == (plain.key, plain.link) == ("/news/1", "https://paper.example/news/1")


def test_relative_entry_images_are_resolved_against_the_feed_url() -> None:
    # A relative image is on the publisher's server; kept relative it would be read as a local file path.
    doc = b"""<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>t</title>
      <item><guid>1</guid><title>A</title><link>/news/a</link><description>one</description>
        <media:content url="/img/a.jpg" medium="image"/></item>
      <item><guid>2</guid><title>B</title><link>/news/b</link><description>two</description>
        <enclosure url="img/b.jpg" type="image/jpeg" length="1000"/></item>
    </channel></rss>"""
    a, b = parse_feed(doc, url="https://paper.example/feeds/all.xml").entries
    assert a.image == "https://paper.example/img/a.jpg"
    assert b.image == "https://paper.example/feeds/img/b.jpg"


def test_a_plain_text_atom_title_keeps_its_angle_brackets() -> None:
    # type="text" (Atom's default) is text, not markup: "<script>" there is part of the headline.
    doc = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:t</id>
      <entry><id>urn:1</id><title type="text">Why the &lt;blink&gt; tag had to go &amp; what came next</title>
        <link href="https://paper.example/news/blink"/><summary type="html">&lt;p&gt;One &lt;b&gt;two&lt;/b&gt;&lt;/p&gt;</summary></entry>
    </feed>"""
    (entry,) = parse_feed(doc, url="https://paper.example/atom.xml").entries
    assert entry.title == "Why the <blink> tag had to go & what came next"
    assert entry.text == "One two"  # type="html" is still markup


# --- hostile input: a clear error or data, never a crash ------------------------------------------
from hypothesis import given, settings as hsettings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_XMLISH = st.lists(
    st.sampled_from(["<rss version='2.0'>", "<channel>", "<item>", "</item>", "<title>", "</title>", "<guid>",
                     "</guid>", "<link>", "</link>", "&nbsp;", "&amp;", "<![CDATA[", "]]>", "<p>", "é", "\x00", "…",
                     "<feed xmlns='http://www.w3.org/2005/Atom'>", "<entry>", "</entry>", "text ", "http://a.example/x"]),
    max_size=40,
).map("".join)


@hsettings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=400), _XMLISH.map(str.encode)))
def test_any_bytes_parse_to_entries_or_a_feed_parse_error(content: bytes) -> None:
    try:
        feed = parse_feed(content, url="http://x.example/feed")
    except FeedParseError as exc:
        assert exc.kind in ("invalid_feed", "not_a_feed")
        return
    for entry in feed.entries:
        assert entry.key and isinstance(entry.text, str)


@hsettings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=300), _XMLISH))
def test_html_to_text_takes_anything(fragment: str) -> None:
    text = html_to_text(fragment)
    assert "<p>" not in text and "\n\n\n" not in text


@hsettings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=300), _XMLISH.map(lambda s: ("<html><body>" + s).encode())))
def test_extract_page_takes_anything(content: bytes) -> None:
    page = extract_page(content, "http://x.example/a")
    assert isinstance(page.text, str)
    assert page.canonical_url is None or page.canonical_url.startswith("http")
