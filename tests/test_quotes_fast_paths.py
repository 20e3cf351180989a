"""The shortcuts of quote extraction give exactly what the plain patterns give.

Each fast path (verbs found through the text's lower-case runs, sentence openings found with
stdlib ``re``, the lower-case-word test answered at a word's occurrences, speech-verb patterns
skipped where no verb occurs) is compared with the straightforward definition it replaces, on the
sample article and on generated texts built from the awkward pieces (hyphens, apostrophes,
non-ASCII capitals, line breaks, verbs inside longer words)."""

from __future__ import annotations

from pathlib import Path

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.analyze import mentions as M
from bot.analyze import quotes as Q
from bot.analyze import attribution as S
from bot.analyze.speakers import Attributor

SAMPLE = (Path(__file__).parent / "data" / "belarus-ties.txt").read_text(encoding="utf-8")

PIECES = [
    "said", "says", "Said", "unsaid", "saids", "said-", "-said", "well-said", "according to",
    "according tomorrow", "According to", "dijo", "señaló", "added", "a", "déclaré", "dit", "-t-il", "-elle",
    "selon", "según", "criticó", "told", "he", "she", "it",
    "Anna", "Ruiz", "Élodie", "Ángel", "de", "van", "al-", "The", "the", "mayor", "protesters",
    "Protesters", "well-known", "known", "x²", "’s", "'", "Mr.", "Dr.", ".", ",", ":", "!", "?", "”",
    "“", "\"", "’", " ", " ", " ", "\u00a0", "\t", "\n", "\n\n", "\u0001", "\u0002", "3", "_",
]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def _verbs_plain(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in M._LOWER_RUN.finditer(text) if m.group() in M._VERB_SET]


def _openings_plain(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in M._SENTENCE_OPENING.finditer(text)]


def _masked(text: str) -> str:
    spans = Q.scan(text)
    return Attributor(text, [(s.start, s.end) for s in spans]).masked


def test_shortcuts_on_the_sample_article() -> None:
    masked = _masked(SAMPLE)
    assert [m.span() for m in M._verbs(masked)] == _verbs_plain(masked)
    assert len(_verbs_plain(masked)) > 5
    assert M._sentence_openings(masked) == _openings_plain(masked)
    assert len(_openings_plain(masked)) > 10
    attributor = Attributor(SAMPLE, [(s.start, s.end) for s in Q.scan(SAMPLE)])
    words = frozenset(S.LOWER_WORD.findall(masked))
    for w in {w.casefold() for w in masked.split()} | {"known", "well-known", "said"}:
        assert attributor._used_in_lower_case(w) == (w in words), w


@settings(max_examples=400, deadline=None)
@given(texts)
def test_verbs_are_the_lower_case_runs_that_are_verbs(text: str) -> None:
    assert [m.span() for m in M._verbs(text)] == _verbs_plain(text)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_sentence_openings_are_the_patterns_matches(text: str) -> None:
    assert M._sentence_openings(text) == _openings_plain(text)


# The definition: a subject is a name opening a sentence, on a line that ends in sentence punctuation.
_SUBJECT_IN_PROSE_LINE = regex.compile(
    M._SUBJECT_AT.pattern + r"(?=[^\n]*[.!?”\"\u0002][ \t\u00a0]*(?:\n|\Z))", M._SUBJECT_AT.flags
)


def _subjects_plain(text: str) -> list[tuple[int, int]]:
    out = []
    for start, end in _openings_plain(text):
        m = _SUBJECT_IN_PROSE_LINE.match(text, end)
        if m and (text[start - 2 : start - 1] != "," or M._VERBISH_NEXT.match(text, m.end())):
            out.append(m.span("sp"))
        elif text.startswith("The ", end) and (m := M._THE_NOUN_NAME.match(text, end)):
            out.append(m.span("sp"))
        elif text.startswith("For ", end) and (m := M._FOR_TOPIC.match(text, end)):
            out.append(m.span("sp"))
    return out


subject_texts = st.lists(
    st.sampled_from(["Anna Ruiz", "Tom Berg", "The mayor, Tom Berg,", "For Anna Ruiz,", " ", " ", "\t", "\u00a0",
                     "\n", ". ", ", ", "went", "said", "home", ".", "!", "”", "\u0002", "Share this"]),
    max_size=40,
).map("".join)


def test_subjects_on_the_sample_article_and_only_in_prose_lines() -> None:
    masked = _masked(SAMPLE)
    assert [m.span("sp") for m in M.sentence_subjects(masked)] == _subjects_plain(masked)
    assert [m.group("sp") for m in M.sentence_subjects("Tom Berg went home.\nAnna Ruiz went home")] == ["Tom Berg"]
    # one line of many sentences (text pasted without its line breaks) is one line all the same
    line = "Tom Berg went home. Anna Ruiz went out. " * 50
    assert len(M.sentence_subjects(line)) == 100
    assert M.sentence_subjects(line + "Share this") == []


@settings(max_examples=400, deadline=None)
@given(subject_texts)
def test_subjects_are_the_names_opening_sentences_of_prose_lines(text: str) -> None:
    assert [m.span("sp") for m in M.sentence_subjects(text)] == _subjects_plain(text)


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(["known", "well-known", "said", "mayor", "protesters", "the", "de", "x"]))
def test_lower_case_word_test_is_membership_in_all_lower_case_words(text: str, word: str) -> None:
    attributor = Attributor(text, [])
    assert attributor._used_in_lower_case(word) == (word in frozenset(S.LOWER_WORD.findall(text)))


VERB_PATTERNS = [
    S.AFTER_SP_VERB, S.AFTER_NAME_ROLE_VERB, S.AFTER_VERB, S.AFTER_FR_PRONOUN, S.BEFORE, S.BEFORE_INVERTED,
    S.PRONOUN_VERB, Q._SPEECH_VERB_COMMA, Q._SPEECH_VERB_END,
]


@settings(max_examples=400, deadline=None)
@given(texts)
def test_no_speech_verb_pattern_matches_where_has_verb_says_none(text: str) -> None:
    if not M.has_verb(text):
        assert all(p.search(text) is None for p in VERB_PATTERNS)
        assert M.mentions(text) == []


def _close_single_plain(text: str, marks: list[tuple[int, str]], k: int, hi: int) -> tuple[Q.Span | None, int]:
    """The definition ``Q._close_single`` implements with its index: walk every mark after the
    opener; stop at a double mark, past ``_SINGLE_MAX`` characters, after ``_SINGLE_CANDIDATES``
    marks that could close, or ``_SINGLE_MORE`` of them past the first plausible closer; prefer a
    closer next to punctuation, else the first."""
    start, tok0 = marks[k]
    first = None
    seen = seen_first = 0
    for j in range(k + 1, len(marks)):
        m, c = marks[j]
        if len(c) > 1 or c in "\"“”„«»" or m - start > Q._SINGLE_MAX:
            break
        if not (c in "'’‘" and Q._closes(text, m, hi)):
            continue
        if seen >= Q._SINGLE_CANDIDATES or (first is not None and seen - seen_first > Q._SINGLE_MORE):
            break
        seen += 1
        if c in Q._SINGLE_CLOSERS[tok0]:
            after = text[m + 1] if m + 1 < hi else " "
            if text[m - 1] in ",.!?…" or after in ",.;:!?":
                return Q.Span(start, m + 1, start + 1, m, True, False, False, True), j + 1
            if first is None:
                first, seen_first = j, seen - 1
    if first is None:
        return None, k + 1
    return Q.Span(start, marks[first][0] + 1, start + 1, marks[first][0], True, False, False, True), first + 1


single_texts = st.lists(
    st.sampled_from(["'", "’", "‘", "‚", "\"", "a", "We", "players", " ", " ", ",", ".", "!", "x", "’s", "\n"]),
    max_size=80,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(single_texts)
def test_a_single_quote_closes_where_walking_every_mark_says(text: str) -> None:
    marks = [(m.start(), m.group()) for m in Q._ALL_MARKS.finditer(text)]
    index = Q._SingleIndex(text, marks, len(text))
    for k, (i, tok) in enumerate(marks):
        if tok in Q._SINGLE_CLOSERS and Q._opens(text, i, 0):
            assert Q._close_single(text, marks, k, len(text), index) == _close_single_plain(text, marks, k, len(text))
