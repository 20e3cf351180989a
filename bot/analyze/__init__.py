"""Article analysis: clean -> paragraphs -> sentences -> headline -> summary -> quotes -> key quotes
-> language. Pure functions: no I/O, no network, no model loaded at run time.

Two entry points:

* ``analyze(article)`` - for the pipeline. ``Analysis.text`` is the *cleaned* text (paragraphs
  joined by a blank line) and every quote offset points into it.
* ``analyze_text(text, title=None)`` - for ``newsbot analyze --jsonl``, where offsets must point
  into the text the caller gave. The text is cleaned all the same (so a photo caption never
  becomes the summary), then quote offsets are mapped back: cleaning only ever drops whole lines,
  trims line ends and replaces a newline by a space, so the mapping is exact. ``Analysis.text``
  is then the given text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import islice

from bot.analyze.clean import CleanText, clean_text
from bot.analyze.headline import make_headline
from bot.analyze.language import detect_language
from bot.analyze.sentences import Sentence, split_sentences
from bot.analyze.summary import summarize, summary_text
from bot.errors import AnalyzeError
from bot.models import Analysis, Article, Quote

__all__ = ["analyze", "analyze_text", "AnalyzeError"]

# Quotes come from a sibling module that is built in parallel; without it the analysis still
# works and simply finds no quotes.
_extract_quotes: Callable[[str], list[Quote]] | None
_rank_quotes: Callable[..., list[Quote]] | None
try:
    from bot.analyze.quotes import extract_quotes as _extract_quotes
except ImportError:  # pragma: no cover - only while quotes.py does not exist yet
    _extract_quotes = None
try:
    from bot.analyze.quotes import rank_quotes as _rank_quotes
except ImportError:  # pragma: no cover
    _rank_quotes = None


@dataclass(frozen=True)
class _Body:
    clean: CleanText
    sentences: tuple[Sentence, ...]  # offsets into clean.text
    language: str


_SURROGATE = re.compile("[\ud800-\udfff]")
# Line breaks other than LF (and the CR of a CRLF, read as a line end's whitespace): a lone CR, the
# Unicode line and paragraph separators, NEL, VT, FF. Cleaning and quote scanning cut lines at LF only.
_OTHER_NEWLINE = re.compile("\r(?!\n)|[\u2028\u2029\x85\x0b\x0c]")


def _body(text: str, title: str | None, language: str | None, source: str) -> _Body:
    if not isinstance(text, str):
        raise AnalyzeError(f"{source}: the article text must be a string, not {type(text).__name__}")
    # A lone surrogate (broken UTF-16 in a JSON record) cannot be encoded, and the sentence splitter encodes:
    # U+FFFD stands in for it, one character for one, so every offset still points into the given text.
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    # ... and any other line break becomes a LF, one character for one (offsets hold as well): a text
    # whose lines end in CR alone (or U+2028) would otherwise be one long line, paragraphs lost.
    if _OTHER_NEWLINE.search(text):
        text = _OTHER_NEWLINE.sub("\n", text)
    if title is not None and _SURROGATE.search(title):
        title = _SURROGATE.sub("\ufffd", title)
    clean = clean_text(text, title=title)
    if not any(ch.isalnum() for p in clean.paragraphs for ch in p):
        detail = f" (removed as boilerplate: {', '.join(sorted(set(clean.reasons)))})" if clean.reasons else ""
        raise AnalyzeError(
            f"{source}: no usable body text{detail}; give the article's full text, not only a title, "
            "captions or links"
        )
    lang = language or detect_language(clean.text)
    sentences: list[Sentence] = []
    for para, start in zip(clean.paragraphs, clean.starts, strict=True):
        for s in split_sentences(para, lang):
            sentences.append(Sentence(s.text, s.start + start, s.end + start))
    if not sentences:  # pragma: no cover - a non-empty paragraph always yields a sentence
        raise AnalyzeError(f"{source}: no sentences found in the article body")
    return _Body(clean, tuple(sentences), lang)


def _quotes(text: str, max_key_quotes: int) -> list[Quote]:
    if _extract_quotes is None:
        return []
    quotes = list(_extract_quotes(text))
    if _rank_quotes is not None and quotes:
        quotes = list(_rank_quotes(quotes, max_key=max_key_quotes))
    return sorted(quotes, key=lambda q: (q.start, q.end))


def _analysis(
    body: _Body,
    title: str | None,
    outlet: str | None,
    summary_sentences: int,
    max_key_quotes: int,
    text: str,
    quotes: Sequence[Quote],
) -> Analysis:
    texts = [s.text for s in body.sentences]
    picked = summarize(texts, summary_sentences, title=title or body.clean.title_line)
    chosen = [texts[i] for i in picked]
    # the first four sentences with words: "***" or "—" lines before the lead do not leave it out
    leads = list(islice((t for t in texts if any(ch.isalnum() for ch in t)), 4))
    headline = make_headline(title, body.clean.title_line, leads, outlet)
    summary = summary_text(chosen)
    return Analysis(
        headline=headline,
        summary=summary,
        summary_sentences=tuple(summary_text([s]) for s in chosen),
        quotes=tuple(quotes),
        text=text,
        paragraphs=body.clean.paragraphs,
        language=body.language,
    )


def analyze(article: Article, summary_sentences: int = 1, max_key_quotes: int = 3) -> Analysis:
    """Analyse an ingested article. Raises ``AnalyzeError`` when it has no usable body."""
    body = _body(article.text, article.title, article.language, article.source or "article")
    cleaned = body.clean.text
    quotes = _quotes(cleaned, max_key_quotes)
    return _analysis(body, article.title, article.outlet, summary_sentences, max_key_quotes, cleaned, quotes)


def analyze_text(
    text: str,
    title: str | None = None,
    summary_sentences: int = 1,
    max_key_quotes: int = 3,
    language: str | None = None,
    source: str = "text",
) -> Analysis:
    """Analyse a bare text. Unlike ``analyze``, ``Analysis.text`` is ``text`` itself and quote
    ``start``/``end`` are offsets into it (covering the quotation marks)."""
    body = _body(text, title, language, source)
    clean = body.clean
    starts = clean.starts
    mapped = []
    for q in _quotes(clean.text, max_key_quotes):
        start = clean.to_original(q.start, starts)
        end = clean.to_original(q.end - 1, starts) + 1 if q.end > q.start else start
        mapped.append(replace(q, start=start, end=end))
    return _analysis(body, title, None, summary_sentences, max_key_quotes, text, mapped)
