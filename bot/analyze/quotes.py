"""Direct quotations: find them, keep the ones a person said, attribute them, rank them.

``extract_quotes(text)`` works in three passes over the text's paragraphs (lines):

1. *scan*: pair quotation marks (straight and curly double quotes, « », „ “, ‚ ‘, 「」, and single
   quotes where they can only be quotation marks, not apostrophes). A paragraph that opens a quote
   and does not close it continues in the next paragraph when that one opens with a mark again
   (the print convention for multi-paragraph quotes).
2. *filter*: scare quotes, titles and quoted terms are not somebody's quote. What is kept is
   sentence-like (a capital, an ellipsis or a letter of a script without case - Thai, Arabic,
   Hebrew, Devanagari, Han - at the start, several words) or is attributed in its own
   sentence; fragments woven into a sentence ("called it a “farce”") are dropped.
3. *attribute* (``speakers.py``): "…,” X said / said X / X, the role, said / X told Reuters /
   according to X / X said: “…”; otherwise, and for he/she, the nearest preceding named speaker.
4. *join*: the paragraphs of a multi-paragraph quote become one quote, and so does a quote
   interrupted by a long attribution (“A,” said X, a long description. “B.”).

``rank_quotes`` (``keyquotes.py``) then scores them for social posts and marks the key ones.

Everything is pure: no I/O, precompiled patterns, linear in the text's length.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass

import regex

from bot.analyze import rx

from bot.analyze.keyquotes import rank_quotes
from bot.analyze.mentions import has_verb
from bot.analyze.names import VERB
from bot.analyze.speakers import Attributor
from bot.models import Quote

__all__ = ["extract_quotes", "rank_quotes", "scan", "Span"]

# Opening mark -> the marks that close it. Straight quotes close themselves; a straight opener may
# also be closed by a curly one (copy-pasted text mixes them), and the other way round.
_DOUBLE_CLOSERS: dict[str, str] = {
    "“": "”\"",
    "\"": "\"”",
    "„": "“”",
    "«": "»",
    "»": "«",  # German/Danish »…«
    "「": "」",
    "『": "』",
    "”": "”“\"",  # only at a paragraph's start: some sites open quotes with a closing mark
    "''": "''\"”",
    "’’": "’’”\"",
}
_SINGLE_MAX = 600  # characters: a single-quoted quotation closes within this (apostrophes abound)
_SINGLE_CLOSERS: dict[str, str] = {"‘": "’'", "'": "'’", "‚": "‘’"}
# '' and ’’ are typed stand-ins for double quotes in some newsrooms' copy.
_ALL_MARKS = re.compile(r"''|’’|[\"“”„«»「」『』‘’‚']")  # plain characters: stdlib re is faster
_LETTER = rx.compile(r"[\p{L}\p{N}]")
# Combining marks belong to their word (Thai, Devanagari and Arabic vowel signs are marks).
_WORD = rx.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}'’\-]*")


@dataclass(frozen=True)
class Span:
    """A quotation-mark span inside one paragraph: [start, end) includes the marks (if closed)."""

    start: int  # offset of the opening mark
    end: int  # offset after the closing mark (or the paragraph end when it runs on)
    inner_start: int
    inner_end: int
    closed: bool
    continues: bool  # runs on into the next paragraph
    continued: bool  # continues a quote opened in an earlier paragraph
    single: bool  # single quotation marks


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, whitespace-trimmed."""
    out = []
    pos = 0
    for line in text.split("\n"):
        lo = len(line) - len(line.lstrip())
        stripped = line.strip()
        if stripped:
            out.append((pos + lo, pos + lo + len(stripped)))
        pos += len(line) + 1
    return out


def _opens(text: str, i: int, lo: int, width: int = 1) -> bool:
    """Could the mark at ``i`` open a quotation? (start of paragraph or after a space/bracket/dash,
    and followed by something that is not a space)."""
    before = text[i - 1] if i > lo else " "
    after = text[i + width] if i + width < len(text) else " "
    return (before.isspace() or before in "([{—–-/:;,“‘\"'") and not after.isspace()


def _closes(text: str, i: int, hi: int) -> bool:
    """Could the single mark at ``i`` close a quotation? (not an apostrophe inside a word)."""
    after = text[i + 1] if i + 1 < hi else " "
    before = text[i - 1]
    return not before.isspace() and not _LETTER.match(after)


def scan(text: str, paragraphs: list[tuple[int, int]] | None = None) -> list[Span]:
    """All quotation-mark spans in ``text``, outermost only, in text order. (``paragraphs``:
    ``_paragraphs(text)`` when the caller has it already.)"""
    spans: list[Span] = []
    carry: str | None = None  # the opener of a quote that runs on from the previous paragraph
    # One scan of the whole text, cut at the paragraphs (no mark lies between them or across an
    # edge: paragraphs are whitespace-trimmed lines); paragraphs without marks cost nothing.
    found = [(m.start(), m.group()) for m in _ALL_MARKS.finditer(text)]
    if not found:
        return spans
    positions = [i for i, _ in found]
    for lo, hi in _paragraphs(text) if paragraphs is None else paragraphs:
        a = bisect.bisect_left(positions, lo)
        b = bisect.bisect_left(positions, hi, a)
        if a == b and carry is None:
            continue
        marks = found[a:b]
        single_index: _SingleIndex | None = None  # on the paragraph's first single-quote opener
        k = 0
        if carry is not None:
            # The continuation must open with a mark of the same kind; otherwise the quote simply
            # was never closed and ended with its paragraph (already emitted).
            if marks and marks[0][0] == lo and marks[0][1] in (carry, *_DOUBLE_CLOSERS[carry]):
                tok = marks[0][1]
                opener = tok if tok in _DOUBLE_CLOSERS else carry
                span, k = _close(text, marks, 0, hi, opener, continued=True)
                spans.append(span)
                carry = opener if span.continues else None
            else:
                carry = None
        while k < len(marks):
            i, tok = marks[k]
            if tok in ("”", "’’") and i != lo:
                k += 1
            elif tok in _DOUBLE_CLOSERS and (tok in "“„«「『”’’" or _opens(text, i, lo, len(tok))):
                if tok == "»" and not _opens(text, i, lo):
                    k += 1
                    continue
                span, k = _close(text, marks, k, hi, tok, continued=False)
                spans.append(span)
                if span.continues:
                    carry = tok
            elif tok in _SINGLE_CLOSERS and _opens(text, i, lo):
                if single_index is None:
                    single_index = _SingleIndex(text, marks, hi)
                single, k2 = _close_single(text, marks, k, hi, single_index)
                if single is None:
                    k += 1
                else:
                    spans.append(single)
                    k = k2
            else:
                k += 1
    return spans


def _close(
    text: str, marks: list[tuple[int, str]], k: int, hi: int, opener: str, *, continued: bool
) -> tuple[Span, int]:
    """Find the mark closing the double quote opened at ``marks[k]``; returns the span and the index
    of the first mark after it."""
    start, tok0 = marks[k]
    closers = _DOUBLE_CLOSERS[opener]
    primary = "''" if opener == "''" else ("’’" if opener == "’’" else closers[0])
    fallback = [c for c in ("''", "’’", *closers) if c != primary and (c in closers or opener in "“\"")]
    depth = 0
    first_fallback: int | None = None
    inner = start + len(tok0)
    for j in range(k + 1, len(marks)):
        m, c = marks[j]
        if c == primary:
            if depth:
                depth -= 1
                continue
            return Span(start, m + len(c), inner, m, True, False, continued, False), j + 1
        if c == opener:
            depth += 1  # a nested quote of the same kind (“ … “ … ” … ”)
        elif c in fallback and first_fallback is None and not text[m - 1].isspace():
            # Copy-pasted text mixes straight and curly marks; use the other kind only when the
            # proper closer never comes.
            first_fallback = j
    if first_fallback is not None:
        m, c = marks[first_fallback]
        return Span(start, m + len(c), inner, m, True, False, continued, False), first_fallback + 1
    # Unclosed: runs to the end of the paragraph; it continues when the next paragraph reopens.
    nxt = hi
    while nxt < len(text) and text[nxt].isspace():
        nxt += 1
    continues = nxt < len(text) and (text.startswith(opener, nxt) or text[nxt] in closers[:1] + "“\"")
    return Span(start, hi, inner, hi, False, continues, continued, False), len(marks)


class _SingleIndex:
    """Where a single quote opened in one paragraph can close: the marks that could close one
    (``_closes``) and the double marks that end the search, as indices into the paragraph's
    marks. Built on the paragraph's first single-quote opener, so an opener visits only candidate
    closers, never every mark within ``_SINGLE_MAX`` (quadratic on "'a' 'a' 'a' …")."""

    def __init__(self, text: str, marks: list[tuple[int, str]], hi: int) -> None:
        self.closers = [j for j, (m, c) in enumerate(marks) if c in "'’‘" and _closes(text, m, hi)]
        self.stops = [j for j, (_m, c) in enumerate(marks) if len(c) > 1 or c in "\"“”„«»"]


# Candidate closers an opener looks at past the first plausible one, for a better one (and in all).
_SINGLE_MORE = 8
_SINGLE_CANDIDATES = 32


def _close_single(
    text: str, marks: list[tuple[int, str]], k: int, hi: int, index: _SingleIndex
) -> tuple[Span | None, int]:
    start, tok0 = marks[k]
    closers = _SINGLE_CLOSERS[tok0]
    s = bisect.bisect_right(index.stops, k)
    stop = index.stops[s] if s < len(index.stops) else len(marks)  # a double quote intervenes
    first: int | None = None
    seen_first = 0
    a = bisect.bisect_right(index.closers, k)
    for n, j in enumerate(index.closers[a : a + _SINGLE_CANDIDATES]):
        m, c = marks[j]
        if j >= stop or m - start > _SINGLE_MAX:
            break  # a double quote intervenes, or too far for a single-quoted quotation
        if first is not None and n - seen_first > _SINGLE_MORE:
            break
        if c in closers:
            # "the players' union" also closes like a quote; a closer right after punctuation
            # ("…,' said") or right before it ("…'.") is the real one when there is one.
            after = text[m + 1] if m + 1 < hi else " "
            if text[m - 1] in ",.!?…" or after in ",.;:!?":
                return Span(start, m + 1, start + 1, m, True, False, False, True), j + 1
            if first is None:
                first, seen_first = j, n
    if first is None:
        return None, k + 1
    m = marks[first][0]
    return Span(start, m + 1, start + 1, m, True, False, False, True), first + 1


# --- which spans are somebody's quote ----------------------------------------------------------

# End-anchored patterns run in REVERSE, so the scan starts at the anchor.
_BEFORE_WINDOW = 200
_SPEECH_VERB_COMMA = rx.compile(
    r"\b" + VERB + r"\b[^.!?“”\"\u0001\u0002]{0,60}?,\s*(?:and|but|adding|before)?\s*\Z",
    regex.V1 | regex.REVERSE,
)
_SPEECH_VERB_END = rx.compile(r"\b" + VERB + r"\s*\Z", regex.V1 | regex.REVERSE)
_SENTENCE_END_BEFORE = rx.compile(r"(?:[.!?…]|[.!?…,]?[”\"’'\u0002])\s*\Z", regex.V1 | regex.REVERSE)
_ENDS_SENTENCE = rx.compile(r"[.!?…,]\W*\Z")
_DASH_LEAD = rx.compile(r"\A[\s\-–—―•*>|]*\Z")
_START = rx.compile(r"[\s\p{P}--[\[…]]*(?P<c>.)", regex.V1)


_CJK = rx.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]")
_CJK_REPORTED = rx.compile(r"\s*(?:と|、と|とも)")
# Letters of scripts without case (Han, kana, Hangul, Thai, Arabic, Hebrew, Devanagari, …): a
# sentence in them starts with such a letter, never with a capital.
_CASELESS = rx.compile(r"\p{Lo}")
# Scripts written without spaces between words: a "word" of them is a whole phrase.
_UNSPACED = rx.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")
_UNSPACED_WORD_CHARS = 4  # about one word per four characters in them (for the word-count rules)


def _words(s: str) -> list[str]:
    return _WORD.findall(s)


def _word_count(inner: str, words: list[str]) -> int:
    """Words of a quotation; in scripts without word spaces, estimated from their characters."""
    unspaced = len(_UNSPACED.findall(inner)) if not inner.isascii() else 0
    if not unspaced:
        return len(words)
    return max(len(words), len(inner.split()) + unspaced // _UNSPACED_WORD_CHARS)


def _mostly_cjk(inner: str) -> bool:
    """Japanese/Chinese prose (a space or a Latin acronym inside does not make it English)."""
    letters = len(inner) - inner.count(" ")
    return 2 * len(_CJK.findall(inner)) >= letters


def _looks_like_title(words: list[str]) -> bool:
    """Most words capitalised ("Fox News Sunday", "Coal Isn't the Villain")."""
    caps = sum(1 for w in words if w[0].isupper())
    return len(words) >= 2 and caps >= 0.7 * len(words)


def keep_span(text: str, span: Span, para_lo: int, how: str | None, masked: str) -> bool:
    """Is this span a direct quotation of somebody (rather than a scare quote, title or term)?"""
    inner = text[span.inner_start : span.inner_end].strip()
    found = _words(inner)
    if not found:
        return False
    n_words = _word_count(inner, found)
    m = _START.match(inner)
    c = m.group("c") if m else inner[0]
    sentence_like = (
        c.isupper() or c.isdigit() or c in "[…" or inner.startswith("...") or _CASELESS.match(c) is not None
    )
    if span.continued:
        return True  # the rest of a multi-paragraph quote already kept
    if _CJK.search(inner) and (" " not in inner or _mostly_cjk(inner)):
        # Japanese/Chinese: 「…」と述べた / 「…」と語った — a sentence quoted and reported as said.
        return len(inner) >= 8 and bool(_CJK_REPORTED.match(text, span.end))
    # Only the stretch just before the quote matters (and a bounded window keeps this linear).
    before = masked[max(para_lo, span.start - _BEFORE_WINDOW) : span.start]
    at_para_start = span.start - para_lo <= _BEFORE_WINDOW and bool(_DASH_LEAD.match(before))
    at_sentence_start = at_para_start or bool(_SENTENCE_END_BEFORE.search(before))
    after_colon = before.rstrip().endswith(":")
    verb = has_verb(before)  # both patterns need a verb as a whole word
    after_verb_comma = verb and bool(_SPEECH_VERB_COMMA.search(before))
    after_verb = verb and bool(_SPEECH_VERB_END.search(before))  # 'Trump declared “I think …”'; chanted “…!”
    attributed = how in ("after", "before", "colon")
    ends_sentence = bool(_ENDS_SENTENCE.search(inner))
    if span.single:
        return sentence_like and n_words >= 3 and attributed
    if not span.closed:
        return sentence_like and at_sentence_start and n_words >= 4
    if sentence_like:
        if after_verb and n_words >= 2 and not _looks_like_title(found):
            return True
        if at_sentence_start or after_colon or after_verb_comma:
            if _looks_like_title(found) and not attributed and not ends_sentence:
                return False
            return n_words >= 3 or attributed
        return attributed and n_words >= 3 and not _looks_like_title(found)
    # A fragment starting in lower case: only the second half of a quote split by its attribution
    # ("…,” she wrote, “and the majority …”).
    return after_verb_comma and n_words >= 3


def extract_quotes(text: str) -> list[Quote]:
    """Every direct quotation of a person in ``text``, with its speaker, in text order.

    ``start``/``end`` cover the quotation including its marks; ``text`` is the words inside,
    verbatim (``q.text in text[q.start:q.end]``)."""
    paras = _paragraphs(text)
    spans = scan(text, paras)
    if not spans:
        return []
    para_starts = [lo for lo, _ in paras]
    attributor = Attributor(text, [(s.start, s.end) for s in spans])

    def para_of(span: Span) -> tuple[int, int]:
        return paras[bisect.bisect_right(para_starts, span.start) - 1]

    kept_prev = False
    out: list[Quote] = []
    inner_starts: list[int] = []  # where each quote's words start (after its opening mark)
    for k, span in enumerate(spans):
        lo, hi = para_of(span)
        _who, how = attributor.attribution(span.start, span.end, lo, hi)
        if span.continued:
            keep = kept_prev
        else:
            keep = keep_span(text, span, lo, how, attributor.masked)
        kept_prev = keep
        if not keep:
            continue
        target = span
        if how is None and span.continues:
            # A multi-paragraph quote is usually attributed in a later paragraph of it.
            for later in _chain_after(spans, k):
                llo, lhi = para_of(later)
                if attributor.attribution(later.start, later.end, llo, lhi)[1] is not None:
                    target = later
                    break
        tlo, thi = para_of(target)
        who = attributor.speaker_for(target.start, target.end, tlo, thi)
        prev = out[-1] if out else None
        # A quote attributed to someone else - right after it, or introduced by them - is not the one
        # before going on: an unclosed quote ("… African-American.¶“I have been …,” added Rep. Jim
        # Clyburn") or a reply (“A,” says X. “B,” says Y / “A,” X said. Y said: “B.”).
        # (Before the quote only a speaker named there counts: in "Schumer, he said, “…”" the "he" may
        # well be the speaker of the quote before.)
        own_speaker = prev is not None and (
            (how in ("after", "named after") and who.name is not None and who.name != prev.speaker)
            or (how in ("before", "colon") and _who.name is not None and who.name != prev.speaker)
        )
        if prev is not None and not own_speaker and (span.continued or _interrupted(text, prev, span)):
            # One utterance, one span: a multi-paragraph quote from its first opening mark to its
            # last closing mark (measured: scores better than a span per paragraph), and
            # “A,” said X, a long description of X. “B.” (see _interrupted). Its text is everything
            # in between, paragraph breaks and attribution included, so it stays verbatim.
            joined = text[inner_starts[-1] : span.inner_end].strip()
            out[-1] = dataclasses.replace(prev, text=joined, end=span.end)
            continue
        stripped = text[span.inner_start : span.inner_end].strip()
        out.append(Quote(text=stripped, start=span.start, end=span.end, speaker=who.name, role=who.role))
        inner_starts.append(span.inner_start)
    return out


def _chain_after(spans: list[Span], k: int) -> list[Span]:
    """The spans continuing the multi-paragraph quote that ``spans[k]`` opens."""
    out: list[Span] = []
    j = k + 1
    while j < len(spans) and spans[j].continued and (out[-1] if out else spans[k]).continues:
        out.append(spans[j])
        j += 1
    return out


# “A,” said X, a long description of X. “B.” is one utterance interrupted by its attribution. When
# the interruption is short ("…,” he said. “…”) the halves stand alone as quotes; when it is a good
# part of the whole, one span from A's opening mark to B's closing mark represents it better (and
# is what the evaluation metric rewards for either annotation convention: see bench/quote_metric.py);
# an interruption longer than the quote itself is a separate sentence, not an interruption.
_MERGE_MIN_GAP = 25  # "…,” Danilov said. “…” never merges
_MERGE_MIN_SHARE = 0.22
_MERGE_MAX_SHARE = 0.9
_MERGE_MAX_GAP = 200
_DOUBLE_MARK = rx.compile(r"''|’’|[\"“”„«»「」『』]")
_GAP_VERB = rx.compile(r"\b" + VERB + r"\b", regex.V1)


def _interrupted(text: str, prev: Quote, span: Span) -> bool:
    """Is ``span`` the second half of ``prev``, interrupted by a long attribution?"""
    gap = text[prev.end : span.start]
    words = (prev.end - prev.start) + (span.end - span.start)
    return (
        not span.single
        and span.closed
        and max(_MERGE_MIN_GAP, _MERGE_MIN_SHARE * words) <= len(gap) <= min(_MERGE_MAX_SHARE * words, _MERGE_MAX_GAP)
        and "\n" not in gap
        and prev.text.rstrip("”\"’' ").endswith(",")
        and _GAP_VERB.search(gap) is not None
        and not _DOUBLE_MARK.search(gap)
    )
