"""Fitting: when a post is too long, the least valuable parts go first, and nothing is ever mangled.

Order of sacrifice: hashtags → summary (sentence, then word boundary, with "…") → quote (role, then
words from the end, "…" inside the quotation marks) → headline (word boundary, last resort). The
headline and the link are always there; a quote's words are never changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import regex
from compose_samples import HEADLINE, QUOTE_ORDERS, ROLE, SUMMARY, URL, compose_settings, sample_analysis, sample_article

from bot.compose import compose
from bot.compose.length import rule_for
from bot.errors import ComposeError
from bot.models import Quote

QUOTE = QUOTE_ORDERS.rstrip(",")
TAGS = "#news #Ukraine #Belarus"


@dataclass
class Seen:
    """What one composed Mastodon post (default template, no thread) kept of each part."""

    headline: str
    summary: str | None
    quote: str | None
    attribution: str | None
    tags: str | None
    has_link: bool


def _parse(text: str) -> Seen:
    paragraphs = text.split("\n\n")
    seen = Seen(paragraphs[0], None, None, None, None, False)
    for p in paragraphs[1:]:
        if p == URL:
            seen.has_link = True
        elif p.startswith("#"):
            seen.tags = p
        elif p.startswith("“"):
            seen.quote, _, seen.attribution = p[1:].partition("” — ")
        else:
            seen.summary = p
    return seen


def _is_word_prefix(short: str, full: str) -> bool:
    """``short`` is "<start of full>…", cut where a word ends (before a space or punctuation)."""
    if not short.endswith("…"):
        return False
    head = short[:-1]
    return full.startswith(head) and (len(head) == len(full) or not full[len(head)].isalnum())


def _mastodon(limit: int) -> str:
    (draft,) = compose(sample_article(), sample_analysis(), compose_settings(threads=[]), ["mastodon"], {"mastodon": limit})
    (part,) = draft.parts
    assert part.length <= limit
    assert rule_for("mastodon", limit).fits(part.text)
    return part.text


def test_every_limit_gives_up_parts_in_order_and_never_mangles_them() -> None:
    stages: set[str] = set()
    errors = []
    for limit in range(610, 10, -2):
        try:
            seen = _parse(_mastodon(limit))
        except ComposeError as exc:
            errors.append(limit)
            assert "headline + link" in str(exc)
            continue
        assert not errors, f"limit {limit} fits although the larger {errors[0]} did not"
        assert seen.has_link, limit

        full_summary = seen.summary == SUMMARY
        full_quote = seen.quote == QUOTE and seen.attribution == f"Oleksiy Danilov, {ROLE}"
        if seen.tags != TAGS:
            stages.add("tags")
        if not full_summary:
            stages.add("summary")
            assert seen.tags is None, f"limit {limit}: summary shortened while hashtags kept"
            assert seen.summary is None or _is_word_prefix(seen.summary, SUMMARY), seen.summary
        if not full_quote:
            stages.add("quote")
            assert seen.summary is None, f"limit {limit}: quote shortened while the summary kept"
            if seen.quote is not None:
                assert seen.quote == QUOTE or _is_word_prefix(seen.quote, QUOTE), seen.quote
                assert seen.attribution in ("Oleksiy Danilov", f"Oleksiy Danilov, {ROLE}")
        if seen.headline != HEADLINE:
            stages.add("headline")
            assert _is_word_prefix(seen.headline, HEADLINE), seen.headline
            assert (seen.summary, seen.quote, seen.tags) == (None, None, None)
    assert stages == {"tags", "summary", "quote", "headline"}  # the sweep reached every stage
    assert errors  # and finally nothing fits


def test_hashtags_go_one_at_a_time_from_the_end() -> None:
    kept: list[str | None] = []
    for limit in range(610, 570, -1):  # the full post is 603
        tags = _parse(_mastodon(limit)).tags
        if not kept or kept[-1] != tags:
            kept.append(tags)
    assert kept == [TAGS, "#news #Ukraine", "#news", None]


def test_summary_is_shortened_at_a_sentence_boundary_when_it_has_several() -> None:
    sentences = ("First sentence is here.", "Second sentence follows it.", "Third one is very long " * 8)
    analysis = sample_analysis(summary=" ".join(sentences), summary_sentences=sentences, quotes=())
    (draft,) = compose(sample_article(tags=()), analysis, compose_settings(hashtags=[]), ["x"])
    assert "First sentence is here. Second sentence follows it.\n" in draft.parts[0].text


def test_a_shortened_quote_keeps_its_marks_and_ends_in_an_ellipsis_inside_them() -> None:
    seen = _parse(_mastodon(190))
    assert seen.quote is not None and seen.quote.endswith("…")
    assert _is_word_prefix(seen.quote, QUOTE)


def test_never_cuts_inside_a_url_in_the_summary() -> None:
    inline = "https://example.org/reports/2022/belarus-border-troops-full-text"
    summary = f"The full report is published at {inline} together with maps and further sources for readers"
    analysis = sample_analysis(summary=summary, summary_sentences=(summary,), quotes=())
    for limit in range(200, 60, -3):
        (draft,) = compose(sample_article(tags=()), analysis, compose_settings(hashtags=[]), ["mastodon"], {"mastodon": limit})
        text = draft.parts[0].text
        assert inline in text or "example.org" not in text, text


def test_text_without_spaces_is_cut_between_ideographs() -> None:
    summary = "乌克兰尚未与白俄罗斯断绝外交关系以免激怒白俄罗斯领导人" * 5
    analysis = sample_analysis(headline="乌克兰与白俄罗斯", summary=summary, summary_sentences=(summary,), quotes=())
    (draft,) = compose(sample_article(tags=()), analysis, compose_settings(hashtags=[]), ["x"])
    text = draft.parts[0].text
    shown = text.split("\n\n")[1]
    assert shown.endswith("…") and summary.startswith(shown[:-1])
    assert len(shown) > 50  # cut near the limit, not dropped for want of spaces


def test_headline_and_link_that_cannot_fit_are_an_error_saying_what_to_do() -> None:
    analysis = sample_analysis(headline="Ukraine" + "x" * 400)
    with pytest.raises(ComposeError, match=r"belarus-ties.txt: no x post fits even as headline \+ link .*shorten"):
        compose(sample_article(), analysis, compose_settings(), ["x"])


def test_a_thread_reply_whose_quote_cannot_fit_is_left_out() -> None:
    giant = Quote("Unbreakable" + "y" * 400, 0, 1, "Oleksiy Danilov", None, 1.0, key=True)
    analysis = sample_analysis(quotes=(giant, *sample_analysis().quotes))
    (draft,) = compose(sample_article(), analysis, compose_settings(), ["bluesky"])
    assert [p.kind for p in draft.parts] == ["main", "quote", "quote"]
    assert "Unbreakable" not in "".join(p.text for p in draft.parts)


# Thai written as Thai is: no spaces between words, a space between clauses. Short texts of our own.
THAI_RUN = "รัฐบาลสั่งเร่งซ่อมถนนและสะพานทั่วประเทศหลังน้ำท่วมใหญ่"  # one clause, no space in it


def _graphemes(text: str) -> list[str]:
    return regex.findall(r"\X", text)


def _ends_between_clusters(short: str, full: str) -> bool:
    """``short`` is "<start of full>…", cut where one grapheme cluster of ``full`` ends and the next begins."""
    head = short.removesuffix("…")
    return short.endswith("…") and full.startswith(head) and "".join(_graphemes(full)[: len(_graphemes(head))]) == head


@pytest.mark.parametrize("platform", ["x", "bluesky", "mastodon"])
def test_a_thai_headline_without_spaces_too_long_for_the_platform_is_cut_between_clusters_not_refused(platform: str) -> None:
    headline = THAI_RUN * 13  # 702 code points and 546 graphemes, not one space
    analysis = sample_analysis(headline=headline, summary="", summary_sentences=(), quotes=(), language="th")
    (draft,) = compose(sample_article(title=None, tags=()), analysis, compose_settings(hashtags=[]), [platform])
    (part,) = draft.parts
    assert rule_for(platform).fits(part.text)
    shown = part.text.split("\n\n")[0]
    assert _ends_between_clusters(shown, headline), shown
    assert len(_graphemes(shown)) > 150  # cut near the limit


def test_a_long_thai_quote_without_spaces_is_cut_short_on_x_not_dropped() -> None:
    quote = THAI_RUN * 6
    body = f"นายกรัฐมนตรีกล่าวว่า “{quote}”"
    start = body.index("“")
    analysis = sample_analysis(
        headline="รัฐบาลเร่งซ่อมถนน",
        summary="",
        summary_sentences=(),
        quotes=(Quote(quote, start, start + len(quote) + 2, "นายกรัฐมนตรี", None, 1.0, key=True),),
        text=body,
        language="th",
    )
    (x,) = compose(sample_article(title=None, tags=()), analysis, compose_settings(hashtags=[]), ["x"])
    (part,) = x.parts
    assert rule_for("x").fits(part.text)
    shown, _, speaker = part.text.split("\n\n")[1].removeprefix("“").partition("” — ")
    assert speaker == "นายกรัฐมนตรี" and _ends_between_clusters(shown, quote), part.text


def test_a_thai_text_is_cut_where_a_clause_ends_when_that_is_near_the_limit() -> None:
    # Two clauses; the summary has room for all of the first and a few letters of the second: it ends with
    # the first clause rather than a few letters into the next.
    first, second = THAI_RUN, "ประชาชนในพื้นที่ยังคงต้องใช้เส้นทางอื่นไปอีกหลายสัปดาห์"
    summary = f"{first} {second}"
    analysis = sample_analysis(headline="ถนนปิด", summary=summary, summary_sentences=(summary,), quotes=())
    article = sample_article(title=None, tags=(), url=None)
    full = compose(article, analysis, compose_settings(hashtags=[]), ["mastodon"])[0].parts[0].text
    limit = len(_graphemes(full)) - len(_graphemes(second)) + 5
    (draft,) = compose(article, analysis, compose_settings(hashtags=[]), ["mastodon"], {"mastodon": limit})
    assert draft.parts[0].text.split("\n\n")[1] == first + "…"
