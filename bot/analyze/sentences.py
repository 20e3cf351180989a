"""Sentence splitting with recoverable character offsets.

Library choice (measured in ``bench/eval_quality.py --split-bench`` on the 200 dev articles, one core):

| library   | ms / 100 articles | Lt.-Gen. | quote over 2 sentences | 。！？ |
|-----------|-------------------|----------|------------------------|--------|
| sentencex | ~3 (~13 with the repairs below) | no | yes                  | mostly |
| blingfire | ~34               | yes      | no (splits inside)     | yes    |
| pysbd     | ~920              | no       | yes                    | yes    |

pysbd alone would spend the whole speed budget (100 articles well under 1 s) on splitting, and
blingfire cuts quotations that run over several sentences - the very thing quote attribution needs
intact. sentencex (Wikimedia, language-aware abbreviation lists, ~40 languages) is both fast and
quote-aware, so it is the one dependency; the few gaps it has are repaired below by small, explicit
rules (hyphenated military ranks, CJK terminators before digits, brackets left open).
Thai has no sentence punctuation: a space between Thai words is its sentence separator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sentencex

# sentencex knows these languages' abbreviation lists; others fall back to its generic rules.
_FALLBACK_LANGUAGE = "en"

# A segment ending in one of these is an abbreviation, not a sentence end ("Lt.-Gen. Serhiy Nayev").
_TRAILING_ABBREVIATION = re.compile(
    r"(?:\b(?:Lt|Gen|Col|Maj|Capt|Cpt|Sgt|Cpl|Spc|Pvt|Pfc|Adm|Cmdr|Brig|Gov|Sen|Rep|Rev|Hon|Pres|Supt|Insp|"
    r"Det|Ft|Mt|St|No|Nos|Vol|Art|Fig|Ref|approx|vs|cf)\.(?:-[A-Z][a-z]{1,5}\.)*"
    r"|\b[A-Z][a-z]{0,4}\.-[A-Z][a-z]{1,5}\.)"  # Lt.-Gen., Maj.-Gen., Brig.-Gen.
    r"\s*$"
)
_STARTS_LIKE_NAME = re.compile(r"^\s*[A-Z][\w'’-]+")
# "at 5 p.m. Tuesday" / "10 a.m. ET": a time's "p.m." before a weekday or a time zone ends no sentence.
_ENDS_TIME = re.compile(r"\b\d{1,2}(?:[:.]\d{2})?\s*[ap]\.m\.\s*$")
_STARTS_DAY_OR_ZONE = re.compile(
    r"^\s*(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b(?!\s+(?:was|is|will|has|had|saw)\b)"
    r"|(?:ET|EST|EDT|CT|CST|CDT|MT|MST|MDT|PT|PST|PDT|GMT|BST|UTC|CET|CEST)\b)"
)
_STARTS_LOWER = re.compile(r"^\s*[a-z]")
# A quoted question or exclamation and its attribution are one sentence: “Are you OK?” Matie asks.
_ENDS_QUOTED_CRY = re.compile(r"[?!][”\"’»]$")
_CLOSING_MARKS = "”\"’»"
_OPENING_MARKS = "“\"‘«„"  # the quotation is the whole sentence, not part of a longer one
_NAME_THEN_SPEECH_VERB = re.compile(
    r"^\s*(?!(?:The|A|An|This|That|These|Those|Officials|Police|Critics|Residents|Experts|Analysts|Sources|"
    r"Authorities|Observers|Protesters|Witnesses|Others|Many|Some|Most|Both|All)\b)(?:[A-Z][\w'’.-]*\s+){1,4}(?:asks|asked|says|said|shouts|shouted|cries|cried|exclaims|exclaimed|"
    r"wonders|wondered|adds|added|recalls|recalled|laughs|laughed|replies|replied|tells|told|continues|"
    r"continued|jokes|joked|yells|yelled|screams|screamed|demands|demanded|insists|insisted)\b"
)

# Closing marks that belong to the sentence before them.
_CJK_TERMINATOR = re.compile(r"[。！？]+[」』）)\]”’]*")
_OPENERS = {"「": "」", "『": "』", "“": "”", "«": "»", "„": "“", "(": ")", "（": "）"}
_ANY_OPENER = re.compile("[" + re.escape("".join(_OPENERS)) + "]")
_HIRAGANA = re.compile(r"^[\u3041-\u309F]")
_THAI = re.compile(r"[\u0E00-\u0E7F]")
# Never after a title (นาย Mr, นาง Mrs, นางสาว Miss): the space there comes before a name or an
# initial ("นาย ต." - Mr T.), not between two sentences.
_THAI_BREAK = re.compile(r"(?<=[\u0E00-\u0E7F\)\"'’”])(?<!นาย)(?<!นาง)(?<!นางสาว)\s+(?=[\u0E00-\u0E7F\(\"'‘“])")
_LATIN_TERMINATOR = re.compile(r"[.!?]")
_CJK_STOP = re.compile(r"[。！？]")
_MAX_SENTENCE_MERGE = 1200  # never glue segments into something longer than this


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: ``text`` is exactly ``source[start:end]`` (no surrounding whitespace)."""

    text: str
    start: int
    end: int


def _raw_segments(text: str, language: str) -> list[tuple[int, int]]:
    """sentencex's segments located in ``text`` (its output does not always concatenate to the
    input, so each piece is found by search from a cursor rather than by summing lengths)."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    try:
        pieces = sentencex.segment(language, text)
    except Exception:  # unknown language code: the generic rules are better than nothing
        pieces = sentencex.segment(_FALLBACK_LANGUAGE, text)
    for piece in pieces:
        stripped = piece.strip()
        if not stripped:
            continue
        at = text.find(stripped, cursor)
        if at < 0:  # should not happen; keep going from where we are
            continue
        spans.append((at, at + len(stripped)))
        cursor = at + len(stripped)
    return spans


def _split_cjk(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Split after 。！？ wherever sentencex did not (it keeps "。31人" together)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        piece = text[start:end]
        cut = start
        depth = 0
        for m in _CJK_TERMINATOR.finditer(piece):
            # count 「 」 between the last cut and this terminator: never split inside a quote
            segment = text[cut : start + m.end()]
            depth = sum(segment.count(o) for o in "「『“") - sum(segment.count(c) for c in "」』”")
            if depth > 0:
                continue
            stop = start + m.end()
            if stop < end:
                out.append((cut, stop))
                cut = stop
                while cut < end and text[cut].isspace():
                    cut += 1
        if cut < end:
            out.append((cut, end))
    return out


def _unbalanced(piece: str) -> bool:
    if not _ANY_OPENER.search(piece):  # the usual sentence: nothing opened, nothing to count
        return False
    for opener, closer in _OPENERS.items():
        if opener == closer:
            continue
        if piece.count(opener) > piece.count(closer):
            return True
    return False


def _ends_with_abbreviation(segment: str) -> bool:
    """``_TRAILING_ABBREVIATION`` at the end of ``segment``. A match holds no whitespace, so the
    search starts at the last word: scanning a whole sentence from every position was most of the
    splitting time on multi-sentence paragraphs."""
    body = segment.rstrip()
    words = body.rsplit(None, 1)
    start = len(body) - len(words[-1]) if words else 0
    return _TRAILING_ABBREVIATION.search(segment, start) is not None


def _quoted_cry(segment: str) -> bool:
    """Does ``segment`` end with a quoted question or exclamation (“…?”)? Tested at its last two
    characters only: this runs for every pair of segments."""
    return segment[-1:] in _CLOSING_MARKS and _ENDS_QUOTED_CRY.search(segment, max(0, len(segment) - 2)) is not None


def _merge(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Glue back segments that sentencex cut after an abbreviation or inside an open bracket."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out:
            prev_start, prev_end = out[-1]
            prev = text[prev_start:prev_end]
            nxt = text[start:end]
            glue = False
            if len(prev) + len(nxt) <= _MAX_SENTENCE_MERGE:
                if _ends_with_abbreviation(prev) and _STARTS_LIKE_NAME.match(nxt):
                    glue = True
                elif _ENDS_TIME.search(prev) and _STARTS_DAY_OR_ZONE.match(nxt):
                    glue = True  # "The meeting is at 5 p.m. Tuesday in Washington."
                elif _STARTS_LOWER.match(nxt) and not prev.endswith(("!", "?")):
                    glue = True  # "a.m. on Jan. 5" style cuts: a sentence never starts lower-case
                elif prev[:1] in _OPENING_MARKS and _quoted_cry(prev) and _NAME_THEN_SPEECH_VERB.match(nxt):
                    glue = True  # “Do you want to listen?” Matiullah Matie asks as he steers ...
                elif prev.endswith(("」", "』")) and _HIRAGANA.match(nxt):
                    glue = True  # 「行く。」と彼は言った。 is one sentence
                elif _unbalanced(prev) or nxt[:1] in "」』)）":
                    glue = True  # still inside a bracket or quotation
            if glue:
                out[-1] = (prev_start, end)
                continue
        out.append((start, end))
    return out


def split_sentences(text: str, language: str = "en") -> list[Sentence]:
    """Split ``text`` (one paragraph or more) into sentences whose offsets point into ``text``.

    Newlines inside ``text`` are treated as spaces unless sentencex sees a boundary there.
    """
    if not text.strip():
        return []
    lang = (language or _FALLBACK_LANGUAGE).split("-")[0].lower()
    non_latin = not text.isascii()  # most English paragraphs are ASCII: skip the script tests
    if lang == "th" or (
        non_latin and lang not in {"ja", "zh"} and _THAI.search(text) and not _LATIN_TERMINATOR.search(text)
    ):
        spans = _thai_spans(text)
    else:
        spans = _raw_segments(text, lang)
        if non_latin and _CJK_STOP.search(text):
            spans = _split_cjk(text, spans)
        spans = _merge(text, spans)
    return [Sentence(text[s:e], s, e) for s, e in spans if e > s]


def _thai_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    cursor = 0
    for m in _THAI_BREAK.finditer(text):
        if m.start() > cursor:
            spans.append((cursor, m.start()))
        cursor = m.end()
    if cursor < len(text.rstrip()):
        spans.append((cursor, len(text.rstrip())))
    # very short Thai pieces are usually a name or a clause: attach them to the previous piece
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and (e - s < 25 or merged[-1][1] - merged[-1][0] < 25):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged
