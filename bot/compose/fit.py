"""Fitting a post to its platform's limit by giving up the least valuable parts first.

The template stays in charge of layout: fitting never edits rendered text, it re-renders the template
with progressively reduced variables and measures each result with the platform's own counter.
The order of sacrifice:

1. hashtags, one at a time from the end;
2. the summary — whole sentences first, then cut at a word boundary with "…", then left out;
3. quotes — extra quotes, then the speaker's role, then the key quote cut at a word boundary with "…"
   inside its quotation marks (its words are never changed; a quote interrupted by its attribution is
   first cut back to the words before the interruption), then (main post only) left out;
4. last resort: the headline cut at a word boundary with "…".

The headline and the link are never dropped. Within a stage the longest variant that fits wins
(binary search over variants ordered from least to most reduced).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar, overload

from .length import LengthRule
from .text import shortenings

MIN_QUOTE_WORDS = 4  # a shortened quote keeps at least this many words, or it says nothing


@dataclass(frozen=True)
class QuoteVar:
    """A quote as templates see it: ``quote.text``, ``quote.speaker``, ``quote.role``, ``quote.open``,
    ``quote.close``."""

    text: str
    speaker: str | None = None
    role: str | None = None
    shortened: bool = False
    # A quote interrupted by an attribution naming its speaker shows no speaker of its own; cut short,
    # it becomes ``lead``: its words before the interruption, with the speaker again.
    lead: QuoteVar | None = None
    open: str = "“"  # the quotation marks around it in a post: the article's own, or its language's
    close: str = "”"


@dataclass(frozen=True)
class Content:
    """The reducible parts of one post."""

    headline: str
    summary_sentences: tuple[str, ...] = ()
    summary: str = ""
    quotes: tuple[QuoteVar, ...] = ()
    hashtags: tuple[str, ...] = ()
    headline_shortened: bool = False


T = TypeVar("T")


class Variants(Sequence[Content]):
    """Variants of a post built on demand: the binary search looks at only a handful of them."""

    def __init__(self, items: Sequence[T], make: Callable[[T], Content]) -> None:
        self._items, self._make = items, make

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, i: int) -> Content: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Content]: ...
    def __getitem__(self, i: int | slice) -> Content | Sequence[Content]:
        if isinstance(i, slice):
            return [self._make(x) for x in self._items[i]]
        return self._make(self._items[i])


Stage = Callable[[Content], Sequence[Content]]


def drop_hashtags(c: Content) -> Sequence[Content]:
    return Variants(range(len(c.hashtags) - 1, -1, -1), lambda k: replace(c, hashtags=c.hashtags[:k]))


def shorten_summary(c: Content) -> Sequence[Content]:
    if not c.summary:
        return []
    sentences = c.summary_sentences or (c.summary,)
    variants = [" ".join(sentences[:k]) for k in range(len(sentences) - 1, 0, -1)]
    variants += shortenings(sentences[0], min_words=1)
    variants.append("")
    return Variants([s for s in variants if s != c.summary], lambda s: replace(c, summary=s))


def _quote_stage(c: Content, *, may_drop: bool) -> Sequence[Content]:
    if not c.quotes:
        return []
    variants: list[tuple[QuoteVar, ...]] = [c.quotes[:k] for k in range(len(c.quotes) - 1, 0, -1)]
    first = c.quotes[0]
    if first.role:
        first = replace(first, role=None)
        variants.append((first,))
    if not first.shortened:
        base = first
        cuts = shortenings(first.text, min_words=MIN_QUOTE_WORDS)
        if first.lead is not None:  # never cut inside the attribution: fall back to the first half
            base = first.lead
            variants.append((base,))
            if base.role:
                base = replace(base, role=None)
                variants.append((base,))
            cuts = [text for text in cuts if len(text) < len(base.text)]
        variants += [(replace(base, text=text, shortened=True),) for text in cuts]
    if may_drop:
        variants.append(())
    return Variants(variants, lambda quotes: replace(c, quotes=quotes))


def shorten_quotes(c: Content) -> Sequence[Content]:
    return _quote_stage(c, may_drop=True)


def shorten_reply_quote(c: Content) -> Sequence[Content]:
    """For a thread reply the quote is the point: shorten it, never drop it."""
    return _quote_stage(c, may_drop=False)


def shorten_headline(c: Content) -> Sequence[Content]:
    if c.headline_shortened:
        return []
    return Variants(shortenings(c.headline), lambda h: replace(c, headline=h, headline_shortened=True))


MAIN_STAGES: tuple[Stage, ...] = (drop_hashtags, shorten_summary, shorten_quotes, shorten_headline)
REPLY_STAGES: tuple[Stage, ...] = (drop_hashtags, shorten_summary, shorten_reply_quote)


def fit(
    content: Content,
    render: Callable[[Content], str],
    rule: LengthRule,
    stages: Sequence[Stage] = MAIN_STAGES,
) -> tuple[str, Content] | None:
    """The fullest rendering of ``content`` that ``rule`` accepts, or None when nothing fits."""
    texts: dict[Content, str] = {}
    verdicts: dict[str, bool] = {}

    def text_of(c: Content) -> str:
        if c not in texts:
            texts[c] = render(c)
        return texts[c]

    def fits(text: str) -> bool:
        if text not in verdicts:
            verdicts[text] = rule.fits(text)
        return verdicts[text]

    if fits(text_of(content)):
        return text_of(content), content
    for stage in stages:
        variants = stage(content)
        if not variants:
            continue
        found = _least_reduced_fitting(variants, text_of, fits)
        if found is not None:
            return text_of(found), found
        content = variants[-1]  # go on from the most reduced form
    return None


def _least_reduced_fitting(
    variants: Sequence[Content], text_of: Callable[[Content], str], fits: Callable[[str], bool]
) -> Content | None:
    # Variants shrink as the index grows, so "fits" flips from False to True once: binary search.
    if not fits(text_of(variants[-1])):
        return None
    lo, hi = 0, len(variants) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(text_of(variants[mid])):
            hi = mid
        else:
            lo = mid + 1
    return variants[lo]
