"""Composition: Article + Analysis + templates + settings in, one Draft per platform out. Pure.

The only I/O is reading template files (``render.load_templates``). Everything a post contains comes
from a template; this module decides *what* goes in (cleaned variables, hashtags, link forms, which
quotes) and the fitter decides how much of it fits (``fit.py``), measured by ``length.py``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..config import Settings
from ..errors import ComposeError
from ..models import Analysis, Article, Draft, Part
from . import marks as M
from . import text as T
from .cards import attachments
from .facets import facets_for
from .fit import MAIN_STAGES, MIN_QUOTE_WORDS, REPLY_STAGES, Content, QuoteVar, fit
from .length import LengthRule, rule_for
from .render import Templates, load_templates

__all__ = ["compose", "compose_platform", "limit_for", "load_templates", "Templates"]


def limit_for(platform: str, settings: Settings, limits: Mapping[str, int] | None = None) -> int | None:
    """The character limit to compose against: an explicit one, else Mastodon's setting, else the rule's."""
    if limits and limits.get(platform):
        return int(limits[platform])
    if platform == "mastodon":
        return settings.mastodon_max_characters
    return None


def compose(
    article: Article,
    analysis: Analysis,
    settings: Settings,
    platforms: Sequence[str],
    limits: Mapping[str, int] | None = None,
    *,
    templates: Templates | None = None,
) -> list[Draft]:
    """One Draft per platform, in the order given. Raises ComposeError for broken templates or posts
    that cannot fit even as headline + link."""
    templates = templates or load_templates(settings.templates_dir)
    return [
        compose_platform(article, analysis, settings, platform, limit_for(platform, settings, limits), templates)
        for platform in platforms
    ]


def _key_quotes(analysis: Analysis) -> list[QuoteVar]:
    chosen = list(analysis.key_quotes)
    if not chosen:  # nothing flagged: the best attributed quote, if any
        attributed = sorted((q for q in analysis.quotes if q.speaker), key=lambda q: -q.score)
        chosen = attributed[:1]
    out = []
    seen: set[str] = set()
    text = analysis.text
    for q in chosen:
        # A quote lifted from '"…our territory," Danilov said' keeps its words but not the comma.
        words = T.clean_inline(q.text).rstrip(",;: ")
        # An article may give its strongest quote twice (lede and body, a pull quote): post it once. A second,
        # identical reply reads as a glitch, and X refuses it as duplicate content.
        if _words(words) in seen:
            continue
        seen.add(_words(words))
        if words:
            around = (text[q.start], text[q.end - 1]) if 0 <= q.start < q.end <= len(text) else ("", "")
            marks = M.quote_marks(*around, analysis.language)
            if not M.typographic(*around):
                words = M.typographic_inside(words, marks)
            speaker, role = T.clean_inline(q.speaker) or None, T.clean_inline(q.role) or None
            gap = _INTERRUPTION.search(words)
            if speaker and gap and _names_speaker_inside(words, speaker):
                # "“A,” said Maria Lopez, the mayor. “B.” — Maria Lopez" says it twice
                # Cut short, it falls back to its words before the interruption, with the speaker again.
                cuts = [t for t in T.shortenings(words, min_words=MIN_QUOTE_WORDS) if len(t) - 1 <= gap.start()]
                lead = QuoteVar(cuts[0], speaker, role, shortened=True, open=marks[0], close=marks[1]) if cuts else None
                out.append(QuoteVar(words, lead=lead, open=marks[0], close=marks[1]))
            else:
                out.append(QuoteVar(words, speaker, role, open=marks[0], close=marks[1]))
    return out


# A quote interrupted by its attribution keeps the attribution verbatim inside its text
# ('town," said Maria Lopez, the mayor. "We have'): a closing mark after a word, the words between,
# an opening mark before a word.
_INTERRUPTION = re.compile(
    # "…," he said. "…" / „…“, sagte er. „…“ / « … », a-t-il dit. « … » / 「…」と述べ、「…」
    r'(?:(?<=\S)\u202f?["”»“],?\s+|」)([^"”»“«„「」]+?)(?:\s+["“«„]\u202f?|「)(?=\S)'
)


def _names_speaker_inside(text: str, speaker: str) -> bool:
    """Whether the attribution interrupting the quote already names its speaker."""
    names = re.findall(r"\w+", speaker.casefold())
    gaps = (re.findall(r"\w+", m.group(1).casefold()) for m in _INTERRUPTION.finditer(text))
    return bool(names) and any(names[-1] in gap for gap in gaps)


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _contains(summary: str, quote: str) -> bool:
    """Whether ``summary`` already holds the quote's words (punctuation and case aside)."""
    words = _words(quote)
    if not words:
        return False
    # Whole words: "it is over" is not in "it is overwhelming". Chinese and Japanese words run together,
    # so there a quote may start or end inside a run of letters.
    before = "" if T._NO_SPACE_SCRIPT.match(words[0]) else r"(?<!\w)"
    after = "" if T._NO_SPACE_SCRIPT.match(words[-1]) else r"(?!\w)"
    return re.search(before + re.escape(words) + after, _words(summary)) is not None


def _restates(summary: str, headline: str) -> bool:
    """Whether ``summary`` only says ``headline`` again. An article without a title gets its lede
    as headline - without the full stop, without a wire dateline ("JAKARTA (Reuters) - "), or cut
    short with "…" - and that same lede is often the summary sentence too."""
    shortened = headline.rstrip().endswith("…")
    s, h = _words(summary), _words(headline.rstrip().removesuffix("…"))
    if not s or not h:
        return False
    if shortened:  # the cut may fall inside a word (scripts without spaces)
        return (" " + s).find(" " + h) != -1
    return s == h or s.endswith(" " + h)


def compose_platform(
    article: Article,
    analysis: Analysis,
    settings: Settings,
    platform: str,
    limit: int | None,
    templates: Templates,
) -> Draft:
    rule = rule_for(platform, limit)
    headline = T.clean_inline(analysis.headline) or T.clean_inline(article.title)
    if not headline:
        raise ComposeError(f"{article.source}: no headline to post; give the article a title")
    sentences = tuple(s for s in (T.clean_inline(s) for s in analysis.summary_sentences) if s)
    summary = " ".join(sentences) or T.clean_inline(analysis.summary)
    card_summary = "" if _words(summary) == _words(headline) else summary
    if _restates(summary, headline):  # a lede that only repeats the headline adds nothing
        sentences, summary = (), ""

    url = (article.url or "").strip() or None
    if url and settings.utm:
        url = T.with_utm(url, platform)
    shown = T.display_url(url) if url and platform == "bluesky" else url
    links = {url: url, shown: url} if url and shown else {}

    published: datetime | None = article.published.astimezone(settings.tz) if article.published else None
    base: dict[str, Any] = {
        "platform": platform,
        "url": shown or "",
        "full_url": url or "",
        "outlet": T.clean_inline(article.outlet or settings.outlet) or None,
        "published": published,
        "priority": str(article.priority),
        "limit": rule.limit,
        "language": analysis.language or article.language or "en",
        "breaking_label": M.breaking_label(analysis.language or article.language),
    }
    quotes = _key_quotes(analysis)
    tags = tuple(T.hashtags(settings.hashtags, list(article.tags)))
    content = Content(headline, sentences, summary, tuple(quotes), tags)

    replies: list[str] = []
    threaded = platform in settings.threads and settings.max_thread_length > 1
    if threaded:
        # The thread's first post carries the summary: a quote the summary already gives is not repeated.
        for q in (q for q in quotes if not _contains(summary, q.text)):
            if len(replies) >= settings.max_thread_length - 1:
                break
            reply = _fit_reply(templates, platform, rule, base, content, q, index=len(replies) + 2)
            if reply is not None:  # a quote that cannot fit gives its place to the next one
                replies.append(reply)

    main_tpl = templates.main(platform)

    def render_main(c: Content) -> str:
        return templates.render(main_tpl, _variables(base, c, thread=bool(replies)))

    # Nor does the main post give a quote again beside a summary that already quotes it.
    fresh = tuple(q for q in content.quotes if not _contains(summary, q.text))
    fitted = fit(replace(content, quotes=fresh), render_main, rule, MAIN_STAGES)
    if fitted is None:
        minimum = render_main(Content(headline))
        raise ComposeError(
            f"{article.source}: no {platform} post fits even as headline + link "
            f"({rule.describe(minimum)}); shorten the headline or the {main_tpl.filename} template"
        )
    main_text, _ = fitted
    # The card may still show the lede a shortened headline was cut from, beneath that headline.
    card, images = attachments(platform, article, url, headline, card_summary)
    parts = [_part(platform, rule, main_text, links, kind="main", card=card, images=tuple(images))]
    parts += [_part(platform, rule, t, links, kind="quote") for t in replies]
    return Draft(platform=platform, parts=tuple(parts), language=analysis.language or article.language)


def _fit_reply(
    templates: Templates,
    platform: str,
    rule: LengthRule,
    base: dict[str, Any],
    content: Content,
    quote: QuoteVar,
    *,
    index: int,
) -> str | None:
    tpl = templates.quote(platform)
    start = Content(content.headline, content.summary_sentences, content.summary, (quote,), content.hashtags)

    def render(c: Content) -> str:
        variables = _variables(base, c, thread=True)
        variables["quote"] = c.quotes[0]
        variables["index"] = index
        return templates.render(tpl, variables)

    fitted = fit(start, render, rule, REPLY_STAGES)
    return fitted[0] if fitted else None  # a quote that cannot fit is left out of the thread


def _variables(base: dict[str, Any], c: Content, *, thread: bool) -> dict[str, Any]:
    return {
        **base,
        "headline": c.headline,
        "summary": c.summary,
        "quotes": list(c.quotes),
        "key_quote": c.quotes[0] if c.quotes else None,
        "hashtags": list(c.hashtags),
        "thread": thread,
        "index": 1,
    }


def _part(
    platform: str,
    rule: LengthRule,
    text: str,
    links: dict[str, str],
    *,
    kind: str,
    card: Any = None,
    images: tuple[Any, ...] = (),
) -> Part:
    return Part(
        text=text,
        length=rule.length(text),
        limit=rule.limit,
        facets=facets_for(text, links) if platform == "bluesky" else (),
        card=card,
        images=images,
        kind=kind,
    )
