"""Properties of composition for arbitrary Unicode: CJK, emoji ZWJ sequences, flags, combining marks, RTL.

Whatever the article says, every composed part is within its platform's limit as that platform counts
it, and every Bluesky facet covers exactly its link or tag.
"""

from __future__ import annotations

from datetime import UTC, datetime

import regex

from compose_samples import compose_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.compose import compose
from bot.compose.marks import quote_marks, typographic, typographic_inside
from bot.compose.length import rule_for
from bot.compose.fit import MIN_QUOTE_WORDS
from bot.compose.text import clean_inline, display_url, shortenings
from bot.errors import ComposeError
from bot.models import Analysis, Article, Draft, Quote

PLATFORMS = ("x", "bluesky", "mastodon")
SPECIAL = [
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",  # family: one ZWJ sequence
    "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag
    "\U0001f1fa\U0001f1e6",  # flag of Ukraine
    "\U0001f44d\U0001f3fd",  # skin tone modifier
    "e\u0301\u0302",  # stacked combining marks
    "日本語の記事",
    "乌克兰",
    "한국어",
    "שלום",
    "مرحبا",
    "\u202bRTL\u202c",
    "#hashtag",
    "＃全角",
    "#2022",
    "@alice@example.social",
    "example.com",
    "https://example.org/a/b?c=d",
    "…",
    "“quoted”",
]
_letters = st.characters(blacklist_categories=["Cs", "Zs", "Zl", "Zp", "Cc"])
word = st.one_of(st.text(_letters, min_size=1, max_size=10), st.sampled_from(SPECIAL))


def words(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.lists(word, min_size=min_size, max_size=max_size).map(" ".join)


@st.composite
def articles(draw: st.DrawFn) -> tuple[Article, Analysis]:
    headline = draw(words(1, 30))
    summary = draw(words(0, 120))
    quotes = tuple(
        Quote(draw(words(1, 80)), 0, 1, draw(st.none() | words(1, 4)), draw(st.none() | words(1, 10)), 1.0, key=True)
        for _ in range(draw(st.integers(0, 3)))
    )
    url = draw(
        st.none()
        | st.sampled_from(["https://news.example.com/2026/11/25/" + "a-long-slug-" * 6, "https://ex.am/p?id=1"])
    )
    tags = tuple(draw(st.lists(words(1, 3), max_size=4)))
    article = Article(
        source="prop.txt",
        text=summary,
        title=headline,
        url=url,
        published=datetime(2026, 11, 25, tzinfo=UTC),
        tags=tags,
        image=draw(st.none() | st.just("/img/a.jpg")),
        image_alt=draw(st.none() | words(1, 5)),
    )
    analysis = Analysis(headline, summary, (summary,) if summary else (), quotes, summary, ())
    return article, analysis


def _check_within_limits(drafts: list[Draft], limits: dict[str, int]) -> None:
    for draft in drafts:
        rule = rule_for(draft.platform, limits.get(draft.platform))
        for part in draft.parts:
            assert rule.fits(part.text), (draft.platform, rule.describe(part.text), part.text)
            assert part.length == rule.length(part.text) <= part.limit == rule.limit


def _check_facets(draft: Draft, url: str | None) -> None:
    for part in draft.parts:
        data = part.text.encode("utf-8")
        previous_end = 0
        for facet in part.facets:
            assert previous_end <= facet.byte_start < facet.byte_end <= len(data)
            previous_end = facet.byte_end
            covered = data[facet.byte_start : facet.byte_end].decode("utf-8")  # never splits a character
            if facet.kind == "tag":
                assert covered in ("#" + facet.value, "＃" + facet.value)
            else:
                assert covered in (facet.value, display_url(facet.value))
        if url and part.kind == "main":
            assert any(f.kind == "link" and f.value == url for f in part.facets), part.text


_many = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_many
@given(articles(), st.booleans(), st.sampled_from([None, 100, 500, 11000]))
def test_every_part_fits_its_platform_and_every_facet_covers_its_link_or_tag(
    sample: tuple[Article, Analysis], threads: bool, mastodon_limit: int | None
) -> None:
    article, analysis = sample
    limits = {"mastodon": mastodon_limit} if mastodon_limit else {}
    config = compose_settings(threads=list(PLATFORMS) if threads else [], hashtags=["news"])
    drafts = compose(article, analysis, config, PLATFORMS, limits)
    expected = dict(limits)
    expected.setdefault("mastodon", config.mastodon_max_characters)
    _check_within_limits(drafts, expected)
    bluesky = next(d for d in drafts if d.platform == "bluesky")
    _check_facets(bluesky, article.url)
    for draft in drafts:
        main = draft.parts[0]
        assert main.kind == "main" and all(p.kind == "quote" for p in draft.parts[1:])
        if article.url and draft.platform != "bluesky":
            assert article.url in main.text  # the link is never dropped
        assert len(draft.parts) <= config.max_thread_length
        _check_headline_kept(main.text, analysis.headline)
        for reply in draft.parts[1:]:
            _check_quote_words_unchanged(reply.text, analysis)


def _check_headline_kept(text: str, headline: str) -> None:
    """The post starts with the headline, or (last resort) with it cut at a word boundary."""
    full = clean_inline(headline)
    assert any(text.startswith(h) for h in [full, *shortenings(full)]), (full, text)


def _check_quote_words_unchanged(text: str, analysis: Analysis) -> None:
    """A reply is “<quote>” or “<quote cut at a word boundary>…”: never other words. The marks are the
    article's own typographic ones around the quote, else its language's (``test_compose_marks.py``); only a
    straight mark where an attribution interrupts a straight-quoted quote turns into them."""
    forms = []
    for q in analysis.quotes:
        body = analysis.text
        around = (body[q.start], body[q.end - 1]) if 0 <= q.start < q.end <= len(body) else ("", "")
        opening, closing = quote_marks(*around, analysis.language)
        words = clean_inline(q.text).rstrip(",;: ")
        if not typographic(*around):
            words = typographic_inside(words, (opening, closing))
        forms += [f"{opening}{w}{closing}" for w in [words, *shortenings(words, min_words=MIN_QUOTE_WORDS)]]
    assert any(text.startswith(form) for form in forms), text


@_many
@given(st.text(min_size=1, max_size=400), st.text(max_size=600), st.text(max_size=400))
def test_any_text_at_all_either_fits_or_is_refused_with_compose_error(headline: str, summary: str, quote: str) -> None:
    analysis = Analysis(headline, summary, (summary,), (Quote(quote, 0, 1, "X", None, 1.0, key=True),), summary, ())
    article = Article(source="raw.txt", text=summary, title=None, url="https://ex.am/p")
    try:
        drafts = compose(article, analysis, compose_settings(), PLATFORMS)
    except ComposeError as exc:
        assert "raw.txt" in str(exc)
        return
    _check_within_limits(drafts, {"mastodon": 500})
    _check_facets(next(d for d in drafts if d.platform == "bluesky"), "https://ex.am/p")


# Scripts written without spaces between words (Thai, Lao, Khmer, Myanmar): syllables run together in a
# clause, clauses are separated by spaces. Built from each script's own parts so clusters form as in real text:
# (vowels written before the consonant, consonants, signs above/below it, vowels and finals after it).
_SPACELESS_SCRIPTS = {
    "th": ("เแโใไ", "กขคงจฉชซญดตถทนบปผพฟมยรลวสหอฮ", "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e48\u0e49\u0e4a\u0e4b", "ะาำๆ"),
    "lo": ("ເແໂໃໄ", "ກຂຄງຈຊຍດຕຖທນບປຜຝພຟມຢຣລວສຫອຮ", "\u0eb1\u0eb4\u0eb5\u0eb6\u0eb7\u0eb8\u0eb9\u0ec8\u0ec9\u0eca\u0ecb", "ະາຳໆ"),
    "km": ("", "កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវសហឡអ", "\u17b6\u17b7\u17b8\u17b9\u17ba\u17bb\u17bc\u17c1\u17c2\u17c6\u17c7\u17d2ក", ""),
    "my": ("", "ကခဂဃငစဆဇဈညဋဌဍဎဏတထဒဓနပဖဗဘမယရလဝသဟဠအ", "\u102b\u102c\u102d\u102e\u102f\u1030\u1031\u1032\u1036\u1037\u1038\u103b\u103c\u103d\u103e", "\u103a"),
}


@st.composite
def _syllable(draw: st.DrawFn, script: str) -> str:
    leading, consonants, signs, after = _SPACELESS_SCRIPTS[script]
    syllable = draw(st.sampled_from(leading)) if leading and draw(st.booleans()) else ""
    syllable += draw(st.sampled_from(consonants)) + "".join(draw(st.lists(st.sampled_from(signs), max_size=2)))
    if after and draw(st.booleans()):
        syllable += draw(st.sampled_from(consonants)) + after[-1] if script == "my" else draw(st.sampled_from(after))
    return syllable


@st.composite
def _spaceless(draw: st.DrawFn, script: str, max_clauses: int, max_syllables: int) -> str:
    # Clause lengths drawn first: left to ``st.lists`` they stay short, and a long unspaced clause is the point.
    sizes = draw(st.lists(st.integers(1, max_syllables), min_size=1, max_size=max_clauses))
    between = draw(st.sampled_from([" ", "\u200b"]))  # a space, or the zero-width space some text marks words with
    return between.join("".join(draw(st.lists(_syllable(script), min_size=n, max_size=n))) for n in sizes)


@st.composite
def spaceless_articles(draw: st.DrawFn) -> tuple[Article, Analysis]:
    script = draw(st.sampled_from(sorted(_SPACELESS_SCRIPTS)))
    headline = draw(_spaceless(script, 2, 250))  # up to ~900 clusters, most of them with no space to cut at
    summary = draw(st.just("") | _spaceless(script, 4, 60))
    quotes = tuple(draw(st.lists(_spaceless(script, 2, 120), max_size=2)))
    body = summary + "".join(f" “{q}”" for q in quotes)
    spans = [(body.index(f"“{q}”"), body.index(f"“{q}”") + len(q) + 2) for q in quotes]
    speaker = draw(_spaceless(script, 1, 4))
    article = Article(source="spaceless.txt", text=body, title=headline, url="https://news.example.com/a/1",
                      tags=(draw(_spaceless(script, 1, 3)),))
    analysis = Analysis(
        headline, summary, (summary,) if summary else (),
        tuple(Quote(q, s, e, speaker, None, 1.0, key=True) for q, (s, e) in zip(quotes, spans)),
        body, (), language=script,
    )
    return article, analysis


def _whole_clusters_of(shown: str, full: str) -> bool:
    """``shown`` is ``full``, or its first grapheme clusters (never part of one) followed by "…"."""
    full = clean_inline(full)  # as composition takes it in: NFC
    if shown == full:
        return True
    head = shown.removesuffix("…")
    clusters = regex.findall(r"\X", full)
    return shown.endswith("…") and head == "".join(clusters[: len(regex.findall(r"\X", head))])


# Fewer examples: twitter-text's link finder takes ~10 ms on every measure of a long text in these scripts.
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spaceless_articles(), st.booleans())
def test_an_article_in_thai_lao_khmer_or_myanmar_always_composes_within_every_limit_cut_between_clusters(
    sample: tuple[Article, Analysis], threads: bool
) -> None:
    article, analysis = sample
    config = compose_settings(threads=list(PLATFORMS) if threads else [], hashtags=[])
    drafts = compose(article, analysis, config, PLATFORMS)  # never a ComposeError: there is always a cut
    _check_within_limits(drafts, {"mastodon": config.mastodon_max_characters})
    _check_facets(next(d for d in drafts if d.platform == "bluesky"), article.url)
    for draft in drafts:
        main = draft.parts[0]
        assert _whole_clusters_of(main.text.split("\n")[0], analysis.headline), main.text
        for reply in draft.parts[1:]:
            _check_quote_words_unchanged(reply.text, analysis)
            shown = reply.text.split("\n")[0].removeprefix("“").removesuffix("”")
            assert any(_whole_clusters_of(shown, q.text) for q in analysis.quotes), reply.text
