"""Reading one article file: each format, each way a file can be unusable, and canonical URLs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import IngestError
from bot.ingest.files import read_article_file
from bot.ingest.markdown import strip_markdown
from bot.ingest.urls import canonical_url
from bot.models import Priority

DATA = Path(__file__).parent / "data"
MB5 = 5_000_000
BODY = (
    "The council voted on Tuesday to reopen the old bridge to cyclists and pedestrians.\n\n"
    "\u201cIt is a good day for the town,\u201d said Maria Lopez, the mayor."
)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def read(tmp_path: Path, name: str, content: str | bytes, max_bytes: int = MB5):
    return read_article_file(write(tmp_path, name, content), max_bytes)


def reason(tmp_path: Path, name: str, content: str | bytes, max_bytes: int = MB5) -> str:
    with pytest.raises(IngestError) as caught:
        read(tmp_path, name, content, max_bytes)
    return caught.value.message


# --- .txt ---------------------------------------------------------------------------------------------


def test_txt_first_line_is_the_headline_and_the_rest_the_body(tmp_path):
    article = read(tmp_path, "bridge.txt", f"\n\nBridge reopens to cyclists\n\n{BODY}\n")
    assert article.title == "Bridge reopens to cyclists"
    assert article.text == BODY
    assert article.url is None
    assert article.source == "bridge.txt"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.txt", f"Mayor\u00a0resigns   after\tprotest\r\n\r\n{BODY}\r\n"),
        ("a.md", f"---\ntitle: \"Mayor\u00a0resigns   after\\tprotest\"\n---\n{BODY}\n"),
        ("a.json", json.dumps({"title": "Mayor\u00a0resigns   after\tprotest", "text": BODY})),
    ],
)
def test_a_headline_is_one_line_with_single_spaces(tmp_path, name, content):
    assert read(tmp_path, name, content).title == "Mayor resigns after protest"


def test_txt_url_line_below_the_headline_is_the_link_not_body(tmp_path):
    text = f"Bridge reopens\nhttps://News.example.com/bridge/?utm_source=tw#top\n\n{BODY}"
    article = read(tmp_path, "a.txt", text)
    assert article.title == "Bridge reopens"
    assert article.url == "https://news.example.com/bridge"
    assert "http" not in article.text


@pytest.mark.parametrize("label", ["URL", "Source", "link", "url"])
def test_txt_labelled_url_line_is_the_link(tmp_path, label):
    article = read(tmp_path, "a.txt", f"{label}: https://example.com/a\nBridge reopens\n\n{BODY}")
    assert article.url == "https://example.com/a"
    assert article.title == "Bridge reopens"
    assert article.text == BODY


def test_txt_labelled_headline_line(tmp_path):
    article = read(tmp_path, "a.txt", f"URL: https://example.com/a\nTitle: Bridge reopens\n\n{BODY}")
    assert article.title == "Bridge reopens"
    assert article.text == BODY


def test_txt_source_line_naming_an_outlet_is_the_outlet(tmp_path):
    article = read(tmp_path, "a.txt", f"Bridge reopens\nSource: Town Gazette\n\n{BODY}")
    assert article.outlet == "Town Gazette"
    assert article.title == "Bridge reopens"
    assert "Gazette" not in article.text


def test_txt_url_deep_in_the_body_stays_in_the_body(tmp_path):
    paragraphs = "\n\n".join(f"Paragraph {i} of the story." for i in range(6))
    article = read(tmp_path, "a.txt", f"Headline here\n\n{paragraphs}\n\nhttps://example.com/more\n")
    assert article.url is None
    assert article.text.endswith("https://example.com/more")


def test_txt_web_clipped_layout_url_first_then_paragraphs_has_no_title(tmp_path):
    text = (
        "http://www.example.com/articles/2014/12/16/bridge.html#r=nav\n"
        "The council voted to reopen the bridge. Cyclists welcomed the decision.\n\n"
        "More text follows here.\n"
    )
    article = read(tmp_path, "clip.txt", text)
    assert article.url == "http://www.example.com/articles/2014/12/16/bridge.html"
    assert article.title is None  # the first line is a paragraph, not a headline
    assert article.text.startswith("The council voted")


@pytest.mark.parametrize("line", ["Features", "By Kevin Smith/Agency.", "Von Gregory Muster"])
def test_txt_web_clipped_layout_does_not_take_labels_or_bylines_for_a_headline(tmp_path, line):
    article = read(tmp_path, "clip.txt", f"https://example.com/a\n{line}\n\n{BODY}")
    assert article.title is None
    assert article.text.startswith(line)


def test_txt_web_clipped_layout_keeps_a_real_headline(tmp_path):
    article = read(tmp_path, "clip.txt", f"https://example.com/a\nBridge reopens to cyclists after ten years\n\n{BODY}")
    assert article.title == "Bridge reopens to cyclists after ten years"
    assert article.text == BODY


def test_the_sample_article(tmp_path):
    article = read_article_file(DATA / "belarus-ties.txt", MB5)
    assert article.title == "Ukraine yet to sever diplomatic ties with Belarus"
    assert article.text.startswith("27 February, 12:16 PM")
    assert "Danilov said" in article.text
    assert article.source == "belarus-ties.txt"
    assert len(article.content_hash) == 64


def test_shared_web_clipped_samples_when_present():
    """Optional: the team's real web-clipped samples (URL first line) all read, each with its link."""
    folder = Path("/work/shared/samples/articles")
    files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    if not files:
        pytest.skip("shared samples not available")
    for path in files:
        article = read_article_file(path, MB5)
        assert article.url and article.url.startswith("http"), path.name
        assert len(article.text) > 200, path.name


def test_crlf_line_endings_and_utf8_bom(tmp_path):
    data = b"\xef\xbb\xbfBridge reopens\r\n\r\nFirst line.\r\nSecond line.\r\n"
    article = read(tmp_path, "a.txt", data)
    assert article.title == "Bridge reopens"
    assert article.text == "First line.\nSecond line."


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_or_without_bom(tmp_path, encoding):
    article = read(tmp_path, "a.txt", f"Café reopens\n\n{BODY}".encode(encoding))
    assert article.title == "Café reopens"
    assert article.text == BODY


def test_windows_1252_text_falls_back_instead_of_failing(tmp_path):
    data = "Café “reopens”\n\nThe café’s owner – Ana – was pleased.".encode("cp1252")
    article = read(tmp_path, "a.txt", data)
    assert article.title == "Café “reopens”"
    assert article.text == "The café’s owner – Ana – was pleased."


def test_utf8_text_with_one_stray_windows_1252_byte_is_refused_not_read_as_gibberish(tmp_path):
    # Text pasted together from two sources: UTF-8 with one Windows-1252 apostrophe (0x92). Read as
    # Windows-1252, every accented letter of the UTF-8 part became two ("dÃ©clarÃ©") and was posted so.
    data = "Le pont rouvre\n\nLe maire a déclaré mardi que le pont, fermé depuis dix ans, rouvrirait.".encode()
    data += b" C\x92est un beau jour."
    why = reason(tmp_path, "a.txt", data)
    assert why.startswith("undecodable text:")
    stray = data.index(b"\x92")
    assert f"offset {stray}" in why and "0x92" in why


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("cp1251", "Мост открыт\n\nМэр сказал во вторник, что старый мост снова открыт для велосипедистов."),
        ("cp1253", "Η γέφυρα ανοίγει\n\nΟ δήμαρχος είπε ότι η γέφυρα θα ανοίξει ξανά την Τρίτη."),
        ("gbk", "大桥重新开放\n\n市长周二表示，这座老桥将重新向骑自行车的人开放。"),
        ("big5", "大橋重新開放\n\n市長週二表示，這座老橋將重新向騎自行車的人開放。"),
    ],
)
def test_other_legacy_encodings_are_refused_not_read_as_windows_1252_gibberish(tmp_path, encoding, text):
    # Each of these decodes "successfully" as Windows-1252 into mojibake (Ìýð ñêàçàë …) that would be posted.
    why = reason(tmp_path, "a.txt", text.encode(encoding))
    assert why.startswith("undecodable text:")
    assert "UTF-8" in why


def test_shift_jis_text_is_undecodable_text_not_a_binary_file(tmp_path):
    # Its lead bytes are C1 controls in Latin-1; the file is still a text, only in an encoding we do not read.
    data = "橋が再開\n\n市長は火曜日に、古い橋を再び開くと述べた。「良い日だ」と彼は言った。".encode("shift_jis")
    why = reason(tmp_path, "a.txt", data)
    assert why.startswith("undecodable text:")
    assert "UTF-8" in why


def test_html_declaring_latin1_is_read_as_windows_1252_like_a_browser_does(tmp_path):
    # Pages labelled ISO-8859-1 routinely carry Windows-1252 curly quotes (0x93/0x94): browsers (and the
    # WHATWG encoding standard) read the label as Windows-1252. As Latin-1 they are control characters, and
    # the quote marks the analysis looks for would be gone.
    page = ARTICLE_HTML.replace('charset="utf-8"', 'charset="iso-8859-1"').replace("©", "(c)")
    article = read(tmp_path, "page.html", page.encode("cp1252"))
    assert "“It is a good day for the town,” said Maria Lopez" in article.text


# --- .md ----------------------------------------------------------------------------------------------

FRONT_MATTER = """---
title: "Bridge reopens: cyclists cheer"
url: https://example.com/bridge?utm_medium=social&id=7
published: 2024-05-01T09:30:00+02:00
embargo: 2024-05-01 12:00
tags: [transport, "#town"]
image: https://example.com/bridge.jpg
image_alt: The old stone bridge at dawn
priority: Breaking
summary: The bridge is open again.
language: en
outlet: Town Gazette
---
"""


def test_md_front_matter_fields(tmp_path):
    article = read(tmp_path, "a.md", FRONT_MATTER + "\n" + BODY)
    assert article.title == "Bridge reopens: cyclists cheer"
    assert article.url == "https://example.com/bridge?id=7"
    assert article.published == datetime(2024, 5, 1, 7, 30, tzinfo=UTC)
    assert article.published.utcoffset() == timedelta(hours=2)  # the zone as written is kept
    assert article.embargo == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)  # no zone given: read as UTC
    assert article.embargo.tzinfo is not None
    assert article.tags == ("transport", "town")
    assert article.image == "https://example.com/bridge.jpg"
    assert article.image_alt == "The old stone bridge at dawn"
    assert article.priority is Priority.BREAKING
    assert article.summary == "The bridge is open again."
    assert article.language == "en"
    assert article.outlet == "Town Gazette"
    assert article.text == BODY


def test_md_common_aliases_date_and_link(tmp_path):
    article = read(tmp_path, "a.md", f"---\ntitle: T\ndate: 2024-05-01\nlink: https://example.com/x/\n---\n{BODY}")
    assert article.published == datetime(2024, 5, 1, tzinfo=UTC)
    assert article.url == "https://example.com/x"


def test_md_without_front_matter_takes_the_leading_heading_as_title(tmp_path):
    article = read(tmp_path, "a.md", f"# Bridge *reopens*\n\n{BODY}")
    assert article.title == "Bridge reopens"
    assert article.text == BODY
    assert article.priority is Priority.NORMAL


def test_md_body_is_stripped_of_syntax_but_keeps_its_words(tmp_path):
    md = (
        "## Background\n\n"
        "The **council** voted, _again_, on [the bridge](https://example.com/b) ![map](map.png) plan.\n\n"
        "> \u201cA good day,\u201d said `Maria`.\n\n"
        "- first point\n"
        "1. second point\n\n"
        "***\n"
        "snake_case_name stays\n"
    )
    assert strip_markdown(md) == (
        "Background\n\n"
        "The council voted, again, on the bridge plan.\n\n"
        "\u201cA good day,\u201d said Maria.\n\n"
        "first point\n"
        "second point\n\n"
        "snake_case_name stays"
    )


def test_md_front_matter_unclosed(tmp_path):
    why = reason(tmp_path, "a.md", "---\ntitle: Bridge\n\nText of the story.\n")
    assert why.startswith("broken front matter") and "never closed" in why


def test_md_front_matter_invalid_yaml_says_where(tmp_path):
    why = reason(tmp_path, "a.md", f"---\ntitle: Breaking: bridge: open\n---\n{BODY}")
    assert why.startswith("broken front matter: not valid YAML at line 2")
    assert "quotes" in why


def test_md_front_matter_after_blank_lines_is_still_front_matter(tmp_path):
    # A blank line pasted above the '---': the fields were taken for article text, and the link was lost.
    article = read(tmp_path, "a.md", f"\n\n---\ntitle: Bridge reopens\nurl: https://example.com/b\n---\n\n{BODY}")
    assert (article.title, article.url, article.text) == ("Bridge reopens", "https://example.com/b", BODY)


def test_md_toml_front_matter_is_refused_not_posted_as_body(tmp_path):
    # Hugo and Zola write front matter in TOML between +++ lines: it must not end up as article text.
    why = reason(tmp_path, "a.md", f'+++\ntitle = "Bridge reopens"\ndate = 2024-05-01\n+++\n\n{BODY}')
    assert why.startswith("broken front matter: TOML")
    assert "---" in why


def test_md_front_matter_that_is_not_fields(tmp_path):
    why = reason(tmp_path, "a.md", f"---\n- just\n- a list\n---\n{BODY}")
    assert why.startswith("broken front matter: expected 'field: value' lines")


@pytest.mark.parametrize(
    ("field_line", "field", "hint"),
    [
        ("priority: urgent", "priority", "breaking, normal, evergreen"),
        ("published: yesterday", "published", "ISO 8601"),
        ("url: example.com/bridge", "url", "https://"),
        ("tags: {a: 1}", "tags", "list"),
        ("title: [a, b]", "title", "expected text"),
        ("language: English (UK)", "language", "language code"),
        # YAML reads these as timestamps and its datetime() refuses them: a date that does not exist, an
        # hour 24, an offset past 24 hours. They are wrong values of their field, not crashes.
        ("published: 2024-02-30", "published", "ISO 8601"),
        ("embargo: 2024-05-01T24:00:00Z", "embargo", "ISO 8601"),
        ("embargo: 2024-05-01T09:30:00+25:00", "embargo", "ISO 8601"),
        ("published: 0000-00-00", "published", "ISO 8601"),
        # A zone name the e-mail date form does not know: refused, not silently read as UTC.
        ("embargo: Wed, 01 May 2024 12:00:00 BRT", "embargo", "ISO 8601"),
        ("published: Wed, 01 May 2024 09:30:00 CEST", "published", "ISO 8601"),
    ],
)
def test_md_wrong_field_values_name_the_field(tmp_path, field_line, field, hint):
    why = reason(tmp_path, "a.md", f"---\n{field_line}\n---\n{BODY}")
    assert why.startswith(f"{field}: ")
    assert hint in why


def test_md_front_matter_nested_too_deeply_is_broken_front_matter(tmp_path):
    why = reason(tmp_path, "a.md", "---\ntags: " + "[" * 5000 + "\n---\n" + BODY)
    assert why.startswith("broken front matter")


def test_rfc_2822_dates_with_a_known_zone_or_none(tmp_path):
    def published(value: str) -> datetime:
        return read(tmp_path, "a.md", f"---\npublished: {value}\n---\n{BODY}").published

    assert published("Wed, 01 May 2024 09:30:00 +0200") == datetime(2024, 5, 1, 7, 30, tzinfo=UTC)
    assert published("Wed, 01 May 2024 09:30:00 GMT") == datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    assert published("Wed, 01 May 2024 09:30:00 EDT") == datetime(2024, 5, 1, 13, 30, tzinfo=UTC)
    assert published("Wed, 01 May 2024 09:30:00") == datetime(2024, 5, 1, 9, 30, tzinfo=UTC)  # no zone: UTC


def test_md_front_matter_alias_bomb_is_refused_without_spelling_it_out(tmp_path):
    # YAML aliases make a ten-line file a list of 387 million strings ("billion laughs"): the error message
    # quoting the value in full took minutes and gigabytes, in the daemon, for one dropped file.
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        levels.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    for body in (BODY, f"# A heading\n\n{BODY}"):  # a leading heading is compared with the title
        why = reason(tmp_path, "a.md", "---\n" + "\n".join(levels) + "\ntitle: *i\n---\n" + body)
        assert why.startswith("title: expected text, got a list")
        assert len(why) < 200


def test_md_with_front_matter_but_no_body(tmp_path):
    why = reason(tmp_path, "a.md", "---\ntitle: Bridge reopens\n---\n\n")
    assert why.startswith("no body")


# --- .html --------------------------------------------------------------------------------------------

ARTICLE_HTML = """<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>Bridge reopens | Town Gazette</title>
<link rel="canonical" href="https://Example.com/news/bridge/?utm_source=rss&amp;fbclid=abc">
<meta property="og:title" content="Bridge reopens">
<meta property="og:image" content="https://example.com/img/bridge.jpg">
<meta property="og:site_name" content="Town Gazette">
<meta property="article:published_time" content="2024-05-01T09:30:00+02:00">
<meta name="description" content="The bridge is open again.">
</head><body><nav><a href="/">Home</a> <a href="/sport">Sport</a></nav>
<article><h1>Bridge reopens</h1>
<p>The council voted on Tuesday to reopen the old bridge to cyclists and pedestrians after ten years.</p>
<p>“It is a good day for the town,” said Maria Lopez, the mayor, who cycled across it first.</p>
</article><footer>© Town Gazette. All rights reserved.</footer></body></html>"""


def test_html_article_and_its_metadata(tmp_path):
    article = read(tmp_path, "page.html", ARTICLE_HTML)
    assert article.title == "Bridge reopens"
    assert article.url == "https://example.com/news/bridge"
    assert article.published == datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    assert article.image == "https://example.com/img/bridge.jpg"
    assert article.outlet == "Town Gazette"
    assert article.summary == "The bridge is open again."
    assert article.text.startswith("The council voted on Tuesday")
    assert "said Maria Lopez" in article.text
    assert article.text.count("\n\n") == 1  # one paragraph per <p>, blank-line separated
    assert "Home" not in article.text and "rights reserved" not in article.text


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("/img/bridge.jpg", "https://example.com/img/bridge.jpg"),
        ("//cdn.example.com/bridge.jpg", "https://cdn.example.com/bridge.jpg"),
        ("../../img/bridge.jpg", "https://example.com/img/bridge.jpg"),
    ],
)
def test_html_relative_lead_image_is_resolved_against_the_pages_link(tmp_path, declared, expected):
    # A relative og:image is on the publisher's server: read as a local path it would be a missing file
    # (or some file of this machine) when the post is sent.
    page = ARTICLE_HTML.replace("https://example.com/img/bridge.jpg", declared)
    assert read(tmp_path, "page.html", page).image == expected


def test_html_relative_lead_image_without_a_link_to_resolve_it_is_dropped(tmp_path):
    page = ARTICLE_HTML.replace("https://example.com/img/bridge.jpg", "/img/bridge.jpg")
    page = page.replace('<link rel="canonical" href="https://Example.com/news/bridge/?utm_source=rss&amp;fbclid=abc">', "")
    article = read(tmp_path, "page.html", page)
    assert article.url is None
    assert article.image is None


def test_html_declaring_the_home_page_as_its_canonical_has_no_link(tmp_path):
    # A misconfigured theme declares the home page on every article: as the link, every later page of the
    # site would be a duplicate of the first and never posted, and the posts would link to the home page.
    page = ARTICLE_HTML.replace("https://Example.com/news/bridge/?utm_source=rss&amp;fbclid=abc", "https://example.com/")
    assert read(tmp_path, "page.html", page).url is None


def test_htm_suffix_and_declared_legacy_charset(tmp_path):
    page = ARTICLE_HTML.replace('charset="utf-8"', 'charset="iso-8859-15"').replace("Maria", "Mañía")
    page = page.replace("©", "(c)").replace("“", '"').replace("”", '"')  # not in ISO-8859-15
    article = read(tmp_path, "page.HTM", page.encode("iso-8859-15"))
    assert "Mañía" in article.text


def test_html_without_an_article(tmp_path):
    page = (
        "<html><head><title>Index</title></head>"
        "<body><ul><li><a href=/a>One</a></li><li><a href=/b>Two</a></li></ul></body></html>"
    )
    why = reason(tmp_path, "index.html", page)
    assert why.startswith("no article found in the HTML")


def test_html_file_that_is_not_html(tmp_path):
    why = reason(tmp_path, "a.html", f"Bridge reopens\n\n{BODY}")
    assert why.startswith("not HTML")


# --- .json --------------------------------------------------------------------------------------------


def test_json_fields(tmp_path):
    payload = {
        "title": "Bridge reopens",
        "url": "https://example.com/bridge?xtor=RSS-1",
        "text": BODY,
        "published": "Wed, 01 May 2024 09:30:00 +0200",
        "tags": "transport, town",
        "priority": "evergreen",
        "image": {"url": "https://example.com/b.jpg", "alt": "The bridge"},
    }
    article = read(tmp_path, "a.json", json.dumps(payload))
    assert article.title == "Bridge reopens"
    assert article.url == "https://example.com/bridge"
    assert article.text == BODY
    assert article.published == datetime(2024, 5, 1, 7, 30, tzinfo=UTC)
    assert article.tags == ("transport", "town")
    assert article.priority is Priority.EVERGREEN
    assert (article.image, article.image_alt) == ("https://example.com/b.jpg", "The bridge")


def test_json_naive_date_is_utc_and_body_may_be_html(tmp_path):
    payload = {"headline": "T", "body": "<p>First &amp; foremost.</p><p>Second.</p>", "date": "2024-05-01T09:30:00"}
    article = read(tmp_path, "a.json", json.dumps(payload))
    assert article.title == "T"
    assert article.text == "First & foremost.\n\nSecond."
    assert article.published == datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def test_json_html_body_drops_scripts_styles_and_comments(tmp_path):
    # CMS bodies carry inline ad scripts and embed styles; their code is not article text (it ran into the
    # next paragraph, the one with the quote).
    body = (
        "<p>The council voted on Tuesday.</p><!-- ad slot 1 -->"
        "<script type=\"text/javascript\">googletag.cmd.push(function() { googletag.display('ad-1'); });</script>"
        "<style>.embed { width: 100% }</style><noscript><img src=\"pixel.gif\">Enable JavaScript</noscript>"
        "<p>“It is a good day,” said Maria Lopez.</p>"
    )
    article = read(tmp_path, "a.json", json.dumps({"title": "T", "text": body}))
    assert article.text == "The council voted on Tuesday.\n\n“It is a good day,” said Maria Lopez."


def test_json_broken_says_where(tmp_path):
    why = reason(tmp_path, "a.json", '{"title": "Bridge",\n "text": "x",,}')
    assert why.startswith("broken JSON at line 2, column")


@pytest.mark.parametrize(
    ("payload", "start"),
    [
        ({"title": ["Bridge"], "text": BODY}, "title: expected text, got a list"),
        ({"title": "T", "text": 42}, "text: expected text, got int"),
        ({"title": "T", "text": BODY, "tags": 7}, "tags: expected a list"),
        ({"title": "T", "text": BODY, "published": True}, "published: expected a date"),
        ({"title": "T", "text": BODY, "priority": 1}, "priority: expected one of"),
    ],
)
def test_json_wrong_field_types_name_the_field(tmp_path, payload, start):
    assert reason(tmp_path, "a.json", json.dumps(payload)).startswith(start)


def test_json_shape_and_missing_text(tmp_path):
    assert reason(tmp_path, "a.json", "[1, 2]").startswith("wrong JSON shape: the file holds a list")
    assert reason(tmp_path, "b.json", '"just a string"').startswith("wrong JSON shape")
    assert reason(tmp_path, "c.json", '{"title": "T"}').startswith('no body: the JSON object has no "text"')
    assert reason(tmp_path, "d.json", '{"title": "T", "text": "  "}').startswith("no body")


def test_json_null_text_falls_back_to_the_body_field(tmp_path):
    # CMS exports carry every field, empty ones as null: "text": null beside the real "body".
    article = read(tmp_path, "a.json", '{"title": "T", "text": null, "body": "The council voted on Tuesday."}')
    assert article.text == "The council voted on Tuesday."
    why = reason(tmp_path, "b.json", '{"title": "T", "text": null}')
    assert why.startswith("no body") and "NoneType" not in why


# --- bad input, each with its own reason ----------------------------------------------------------------


def test_empty_file(tmp_path):
    assert reason(tmp_path, "a.txt", b"") == "empty file: it has 0 bytes"
    assert reason(tmp_path, "b.md", b" \n\t\n") == "empty file: it holds only whitespace"


def test_binary_with_nul_bytes(tmp_path):
    why = reason(tmp_path, "a.txt", b"Headline\n\x00\x01\x02\x03\xff\xfe\x00garbage")
    assert why.startswith("binary file: it contains NUL bytes")


def test_binary_that_is_really_a_pdf_or_image_is_named(tmp_path):
    assert "a PDF document" in reason(tmp_path, "a.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    assert "a PNG image" in reason(tmp_path, "b.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_mostly_non_text(tmp_path):
    why = reason(tmp_path, "a.txt", bytes(range(1, 32)) * 20 + b"some words")
    assert why.startswith("binary file: it is mostly non-text")


def test_undecodable_text(tmp_path):
    # Not UTF-8, and 0x81/0x8d/0x9d are undefined in Windows-1252 too.
    data = b"Headline\n\nA long enough line of ordinary words, then \x81\x8d\x9d bytes no encoding here accepts."
    why = reason(tmp_path, "a.txt", data)
    assert why.startswith("undecodable text: not UTF-8 (bad byte 0x81 at offset")
    assert "UTF-8" in why


def test_over_the_size_cap(tmp_path):
    why = reason(tmp_path, "a.txt", "Headline\n\n" + "word " * 300, max_bytes=1000)
    assert why.startswith("too large: the file is 1,510 bytes, over the 1,000 bytes limit")
    assert "NEWSBOT_MAX_FILE_BYTES" in why


def test_text_with_no_body(tmp_path):
    why = reason(tmp_path, "a.txt", "Bridge reopens to cyclists\n\n\n")
    assert why.startswith("no body: the file has a headline ('Bridge reopens to cyclists')")


def test_text_with_only_a_link(tmp_path):
    assert reason(tmp_path, "a.txt", "https://example.com/a\n").startswith("no text: the file holds only a link")


@pytest.mark.parametrize("name", ["story.docx", "story.pdf", "story", "story.rtf"])
def test_unsupported_extension(tmp_path, name):
    why = reason(tmp_path, name, "Headline\n\nBody text.")
    assert why.startswith("unsupported file type")
    assert ".txt, .md, .html or .json" in why


def test_every_bad_input_has_its_own_reason(tmp_path):
    cases = {
        "empty.txt": b"",
        "binary.txt": b"\x00\x01\x02binary",
        "undecodable.txt": b"Headline\n\nwords and words and words \x81\x8d\x9d and more words here.",
        "big.txt": b"Headline\n\n" + b"x" * 2000,
        "front.md": b"---\ntitle: a\n",
        "broken.json": b"{",
        "types.json": b'{"title": 5, "text": ["a"]}',
        "nav.html": b"<html><body><a href=/>Home</a></body></html>",
        "headline.txt": b"Only a headline\n",
        "a.docx": b"PK\x03\x04",
    }
    reasons = {reason(tmp_path, name, data, max_bytes=1000).split(":")[0] for name, data in cases.items()}
    assert len(reasons) == len(cases)


# --- canonical URLs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTP://Example.COM:80/a/b/?utm_source=x&id=5&fbclid=1#frag", "http://example.com/a/b?id=5"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com:443/", "https://example.com/"),
        ("https://example.com:8443/x?q=a+b&UTM_Medium=s", "https://example.com:8443/x?q=a+b"),
        ("https://example.com/x?gclid=1&xtor=RSS-3&mc_cid=a&mc_eid=b", "https://example.com/x"),
        ("https://example.com/Case/Path/?b=2&a=1", "https://example.com/Case/Path?b=2&a=1"),
        ("  https://example.com/a%20b  ", "https://example.com/a%20b"),
        ("https://example.com/a b/c?q=x y", "https://example.com/a%20b/c?q=x%20y"),  # as a browser sends it
        ("https://user:secret@Example.com/x", "https://example.com/x"),  # a posted link never carries a password
        ("https://example.com/#/story/5?utm_source=x", "https://example.com/#/story/5?utm_source=x"),  # a route
        ("https://example.com/app#!/story/5", "https://example.com/app#!/story/5"),
    ],
)
def test_canonical_url(raw, canonical):
    assert canonical_url(raw) == canonical


@pytest.mark.parametrize(
    "bad",
    ["example.com/a", "ftp://example.com/a", "mailto:a@b.c", "https://", "https://exa mple.com/a", "https://e.com/a\tb"],
)
def test_canonical_url_refuses_what_is_not_an_http_url(bad):
    with pytest.raises(ValueError):
        canonical_url(bad)


_segment = st.text(alphabet="abcXYZ019-_.~%", min_size=0, max_size=8)


@given(
    host=st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}\.(com|org|net)", fullmatch=True),
    path=st.lists(_segment, max_size=4),
    params=st.lists(st.tuples(st.sampled_from(["id", "q", "utm_source", "fbclid", "page"]), _segment), max_size=4),
    slash=st.booleans(),
    fragment=st.text(alphabet="abc", max_size=3),
)
def test_canonical_url_is_idempotent_and_drops_tracking(host, path, params, slash, fragment):
    url = f"https://{host}/{'/'.join(path)}{'/' if slash else ''}"
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params)
    if fragment:
        url += "#" + fragment
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert "utm_" not in once and "fbclid" not in once and "#" not in once
    assert once.startswith(f"https://{host.lower()}/")


# --- a local image --------------------------------------------------------------------------------------------


def test_a_relative_image_path_is_read_from_the_articles_folder_and_kept_absolute(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "bridge.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    article = read(tmp_path, "story.md", f"---\ntitle: Bridge reopens\nimage: images/bridge.png\n---\n\n{BODY}\n")
    assert article.image == str((tmp_path / "images" / "bridge.png").resolve())


def test_an_image_path_that_names_no_file_is_refused_with_where_it_was_looked_for(tmp_path: Path) -> None:
    why = reason(tmp_path, "story.md", f"---\ntitle: Bridge reopens\nimage: images/bridge.png\n---\n\n{BODY}\n")
    assert "no file images/bridge.png" in why and str(tmp_path) in why


def test_an_image_url_is_kept_as_given(tmp_path: Path) -> None:
    article = read(tmp_path, "story.md", f"---\ntitle: Bridge\nimage: https://example.com/b.jpg\n---\n\n{BODY}\n")
    assert article.image == "https://example.com/b.jpg"


def test_an_image_dropped_in_the_queue_is_told_where_images_go(tmp_path: Path) -> None:
    why = reason(tmp_path, "bridge.JPG", b"\xff\xd8\xff\xe0 not an article")
    assert "an image" in why and "queue/images/" in why and "image:" in why


@pytest.mark.parametrize("moved_to", ["processed", "failed"])
def test_a_file_the_queue_moved_on_still_finds_its_image_in_the_queue_folder(tmp_path: Path, moved_to: str) -> None:
    # `newsbot post story.md` reads the file again from processed/ (and preview reads failed/): its relative
    # image was, and still is, beside the queue folder it was dropped into, not beside processed/.
    (tmp_path / "images").mkdir()
    (tmp_path / moved_to).mkdir()
    (tmp_path / "images" / "bridge.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    article = read(tmp_path / moved_to, "story.md", f"---\ntitle: Bridge\nimage: images/bridge.png\n---\n\n{BODY}\n")
    assert article.image == str((tmp_path / "images" / "bridge.png").resolve())


def test_an_image_beside_the_file_itself_comes_first(tmp_path: Path) -> None:
    for folder in (tmp_path / "images", tmp_path / "processed" / "images"):
        folder.mkdir(parents=True)
        (folder / "bridge.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    article = read(tmp_path / "processed", "story.md", f"---\ntitle: Bridge\nimage: images/bridge.png\n---\n\n{BODY}\n")
    assert article.image == str((tmp_path / "processed" / "images" / "bridge.png").resolve())
