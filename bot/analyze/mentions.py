"""Where people are reported speaking, and the sentence and paragraph geometry the attribution
rules need: "X said" / "said X" / "according to X" outside quotes, sentence subjects, the phrase
after a verb, sentence and paragraph bounds. Works on the *masked* text of ``speakers.py`` (quotes
blanked, their edges marked \u0001 / \u0002).
"""

from __future__ import annotations

import re

import regex

from bot.analyze import rx

from bot.analyze.names import ADVERB, NAME, NAME_RE, OBJECT_VERBS, ROLE, VERBS, VERBS_DE_ES, description_head

_F = regex.VERSION1 | regex.UNICODE
APPOS = r"(?:\s*,\s*" + ROLE + r"\s*,)?"
ADV = r"(?:\s+" + ADVERB + r"){0,3}"
_SENT_END = rx.compile(
    r"(?<!\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Lt|Gen|Col|Sgt|Capt|Prof|Rev|Del|St|Jr|Sr|No|vs|\p{Lu}))"
    # A German date's ordinal ("am 30. März 2017") does not end the sentence.
    r"(?<!(?<![\p{N}.])\p{N}{1,2}(?=\.[ \t\u00a0]+(?:Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)\b))"
    r"[.!?]+[”\"’']?\s+(?=[\p{Lu}\p{N}“\"‘'(\u0001])",
    _F,
)


# Candidate words, checked against the verb set: much faster than a 200-way alternation.
_LOWER_RUN = rx.compile(r"\b(?:according to|nach Angaben von|\p{Ll}+)\b", _F)
# "according to X" and its French, Spanish and German forms "selon X", "según X", "laut X",
# "nach Angaben von X".
_ACCORDING = frozenset(("according to", "selon", "según", "laut", "nach Angaben von"))
# ... and the same opening a sentence ("Laut Ulrich Müller ist …", "According to Tom Reed, …"),
# which the lower-case runs above never see.
_ACCORDING_OPENING = rx.compile(r"\b(?:According to|Selon|Según|Laut|Nach Angaben von)(?=[ \t\u00a0]+\p{Lu})", _F)
_ACCORDING_OPENING_HINTS = ("According to", "Selon", "Según", "Laut", "Nach Angaben von")
_VERB_SET = frozenset(VERBS) | _ACCORDING
_INVERTING_VERBS = frozenset(VERBS_DE_ES)
# Each verb by the lower-case run it shows up as ("according to" as "according").
_VERB_KEYS = {v.split()[0]: v for v in _VERB_SET}
# The letters of the verbs (all lower case): a verb matched as a whole lower-case run is a whole
# run of these too, and stdlib re finds those runs several times faster than \p{Ll}+ in regex.
_VERB_LETTERS = "".join(sorted(set("".join(_VERB_KEYS))))
_VERB_LETTER_RUN = re.compile("[" + re.escape(_VERB_LETTERS) + "]+")
# End-anchored patterns run in REVERSE: the scan starts at the anchor instead of trying every start.
_MENTION_BEFORE = rx.compile(r"(?P<sp>" + NAME + r")" + APPOS + ADV + r"\s+\Z", _F | regex.REVERSE)
_CAPITAL_NEXT = rx.compile(r"(?:\s+(?:out|on|back|up))?\s+\p{Lu}", _F)  # cheap test before the phrase
_MENTION_ACCORDING = rx.compile(r"\s+(?P<sp>" + NAME + r")", _F)
# What follows a verb, up to the clause's end: a comma, a colon, a quote, or a full stop that
# ends the sentence (not the one in "Rep." or "G.K.").
_PHRASE_RAW = rx.compile(r"(?:\s+(?:out|on|back|up))?\s+(?P<body>[^,;:!?\n\u0001\u0002]{1,200})", _F)
_ROLE_RAW = rx.compile(r"\s*,\s*(?P<body>[^,;:!?\n\u0001\u0002]{2,200})", _F)
_FULL_STOP = rx.compile(
    r"(?<!\b(?:\p{Lu}|Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Lt|Gen|Col|Sgt|Capt|Prof|Rev|Del|St|Jr|Sr|Ft|Mt|No|Co|Inc|Corp|Ltd))\."
    r"(?=\s|\Z)", _F
)


def _until_full_stop(body: str) -> str:
    m = _FULL_STOP.search(body)
    return (body[: m.start()] if m else body).rstrip()


def read_phrase(text: str, pos: int) -> tuple[str, str | None, int] | None:
    """(phrase, role, phrase start) after ``pos`` (just after a verb): "said Konrad Gajewski,
    a professor of geography." -> ("Konrad Gajewski", "a professor of geography", …)."""
    m = _PHRASE_RAW.match(text, pos)
    if m is None:
        return None
    phrase = _until_full_stop(m.group("body"))
    if not phrase:
        return None
    end = m.start("body") + len(phrase)
    role = None
    if len(phrase) == len(m.group("body").rstrip()):  # the phrase ended at a comma, not a full stop
        r = _ROLE_RAW.match(text, end)
        if r:
            role = _until_full_stop(r.group("body")) or None
    return phrase, role, m.start("body")


_SENTENCE_OPENING = rx.compile(
    r"(?:^|(?<=[.!?][”\"’']?[ \t\u00a0])|(?<=,[ \t\u00a0]))[ \t\u00a0]*(?=\p{Lu})", _F | regex.MULTILINE
)
# After "In a statement on Friday, " the name must be followed by a verb-looking word.
_VERBISH_NEXT = rx.compile(r"(?:[ \t\u00a0]*,[^,;\n\u0001\u0002]{2,120},)?[ \t\u00a0]+(?:also[ \t\u00a0]+|later[ \t\u00a0]+)?\p{Ll}+(?:ed|s)\b", _F)
# (A subject only counts in a line of prose, one ending in sentence punctuation: ``_prose_line``.)
_SUBJECT_AT = rx.compile(r"(?P<sp>" + NAME + r")\b(?![’'])(?=[ \t\u00a0]*[,\p{Ll}])", _F)
_PROSE_LINE_END = frozenset(".!?”\"\u0002")


def has_verb(text: str) -> bool:
    """Could a speech verb occur in ``text`` as a whole lower-case word? (False: it cannot.)"""
    return not _VERB_KEYS.keys().isdisjoint(_VERB_LETTER_RUN.findall(text))


def _verbs(text: str) -> list[regex.Match[str]]:
    """The ``_LOWER_RUN`` matches that are in ``_VERB_SET``, in text order.

    The same as filtering ``_LOWER_RUN.finditer(text)``, without a Python step per word: such a
    match is a whole run of lower-case letters, so its verb is among the text's runs of verb
    letters (one C-level findall); only the occurrences of the verbs present are then matched, at their positions (a
    match there is the one the scan would find: no verb occurrence lies inside an earlier match)."""
    present = _VERB_KEYS.keys() & set(_VERB_LETTER_RUN.findall(text))
    if not present:
        return []
    hits = []
    for key in present:
        word = _VERB_KEYS[key]
        i = text.find(word)
        while i != -1:
            m = _LOWER_RUN.match(text, i)
            if m is not None and m.group() == word:
                hits.append(m)
            i = text.find(word, i + 1)
    hits.sort(key=lambda m: m.start())
    return hits


# German capitalises every noun: "laut Polizei", "laut Umfrage", "nach Angaben von Experten" name
# no one, and "laut" is also "loud" ("Er sprach laut Unsinn"). Only a person counts there.
_GERMAN_ACCORDING = frozenset(("laut", "nach angaben von"))


def _person_named(text: str, name: str) -> bool:
    """Is ``name`` a person's name of two or more words, or the surname of one the text names
    ("laut Müller" after "Ulrich Müller")?"""
    if len(name.split()) >= 2:
        return True
    # (not "Angaben von Experten", the phrase itself read as a name with a particle)
    return any(
        len(toks) >= 2 and toks[-1] == name and toks[0] != "Angaben"
        for toks in (m.group().split() for m in NAME_RE.finditer(text))
    )


def _according(word: str) -> bool:
    """Is this verb match "according to" or one of its forms, in lower case or opening a sentence?"""
    return word in _ACCORDING or word[:1].lower() + word[1:] in _ACCORDING


def verb_matches(text: str) -> list[regex.Match[str]]:
    """The speech verbs of ``text`` (whole lower-case words, and "according to"), in text order:
    found once per text and passed to ``mentions`` and ``described_mentions``. With them, "According
    to" / "Laut" / "Nach Angaben von" opening a sentence, which no lower-case run holds."""
    hits = _verbs(text)
    if any(h in text for h in _ACCORDING_OPENING_HINTS):  # (rare: most texts skip the scan)
        hits = sorted([*hits, *_ACCORDING_OPENING.finditer(text)], key=lambda m: m.start())
    return hits


def _subject_before(text: str, m: regex.Match[str] | None, verb_at: int) -> bool:
    """Is ``m`` (a name found before a verb) that verb's subject in normal order: right before it, and not
    the object of a preposition ("Im Mai antwortet Keith", "Laut Dokumenten, …, antwortet Weber")?"""
    if m is None or text[m.end("sp") : verb_at].strip():
        return False
    before = text[max(0, m.start("sp") - 20) : m.start("sp")].split()
    # a lower-case word right before it ("im", "laut", "nach") makes it a preposition's object; one that
    # ends a sentence ("ernst.") does not
    return not before or not (before[-1][:1].islower() and before[-1][-1:].isalnum())


def mentions(text: str, verbs: list[regex.Match[str]] | None = None) -> list[tuple[int, str, str | None, bool]]:
    """(position, speaker, role, after) of each "X said" / "according to X" (a name) and each
    "said X" (``after``: a phrase such as "Rockets general manager Bruce Hamilton") outside quotes.

    Anchored on the verbs (cheap to find) and matched locally on either side of each."""
    out: list[tuple[int, str, str | None, bool]] = []
    for v in verb_matches(text) if verbs is None else verbs:
        word = v.group()
        if _according(word):
            m = _MENTION_ACCORDING.match(text, v.end())
            if m and text[m.end() : m.end() + 2] in ("'s", "’s"):
                continue  # "according to Tom Reed's lawyer": the lawyer, not Tom Reed
            if m and (word.casefold() not in _GERMAN_ACCORDING or _person_named(text, m.group("sp"))):
                out.append((m.start("sp"), m.group("sp"), None, False))
            continue
        lo = max(0, v.start() - 220)
        m = _MENTION_BEFORE.search(text, lo, v.start())
        if word in _INVERTING_VERBS and not _subject_before(text, m, v.start()) and _CAPITAL_NEXT.match(text, v.end()):
            # German and Spanish put the subject after the verb when something else opens the
            # sentence ("Laut Unterlagen, die uns vorliegen, antwortet Keith …"): the name after it.
            # With a subject right before the verb ("Thomas Müller sagte Journalisten, …") the
            # capitalised word after it is an object, not a speaker.
            read = read_phrase(text, v.end())
            if read and NAME_RE.match(read[0]):
                out.append((read[2], read[0], read[1], True))
                continue
        if m:
            out.append((m.start("sp"), m.group("sp"), m.group("role"), False))
        elif word not in OBJECT_VERBS and _CAPITAL_NEXT.match(text, v.end()):
            read = read_phrase(text, v.end())
            if read and read[0][:1].isupper():
                out.append((read[2], read[0], read[1], True))
        elif word in ("asked", "asks"):
            # "I asked barber Robert McMillen, who …": the one asked answers in the next quote.
            read = read_phrase(text, v.end())
            if read and NAME_RE.search(read[0]):
                out.append((read[2], read[0], read[1], True))
    return out


_THE_NOUN_NAME = rx.compile(r"The(?:[ \t\u00a0]+[\p{Ll}\-]+){1,3},[ \t\u00a0]+(?P<sp>" + NAME + r"),", _F)
_FOR_TOPIC = rx.compile(r"For[ \t\u00a0]+(?P<sp>" + NAME + r"),", _F)


# Where _SENTENCE_OPENING can match (group "s"), found with stdlib re: its lookbehind consumed
# (so the scan skips ahead to a sentence end, line start or comma) and any non-ASCII character
# standing in for a non-ASCII capital; each is then confirmed by _SENTENCE_OPENING itself.
_OPENING_CANDIDATE = re.compile(
    r"(?:^|[.!?][”\"’']?[ \t\u00a0]|,[ \t\u00a0])(?P<s>)[ \t\u00a0]*[A-Z\u00c0-\U0010ffff]", re.MULTILINE
)


def _sentence_openings(text: str) -> list[tuple[int, int]]:
    """The spans of ``_SENTENCE_OPENING.finditer(text)``, trying the pattern only at the candidates
    (None is missed: a candidate's consumed text ends at a capital and holds no other candidate),
    and only where the capital is not ASCII: before an ASCII capital the candidate is the match."""
    out = []
    end = 0
    match = _SENTENCE_OPENING.match
    for c in _OPENING_CANDIDATE.finditer(text):
        p = c.start("s")
        if p >= end:
            if text[c.end() - 1] <= "Z":
                end = c.end() - 1
                out.append((p, end))
            else:
                m = match(text, p)
                if m is not None:
                    end = m.end()
                    out.append((p, end))
    return out


class _ProseLines:
    """Does the line holding a position end in sentence punctuation (spaces and tabs after it
    aside)? Asked at increasing positions, it finds each line's end once: a lookahead to the line's
    end in the subject pattern rescanned the line at every sentence opening, quadratic in a text
    that is all on one line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.end = -1  # the end of the line last asked about
        self.prose = False

    def __call__(self, pos: int) -> bool:
        text = self.text
        if pos > self.end:
            end = text.find("\n", pos)
            self.end = end = len(text) if end == -1 else end
            last = end - 1
            while last >= pos and text[last] in " \t\u00a0":
                last -= 1
            self.prose = last >= pos and text[last] in _PROSE_LINE_END
        return self.prose


def sentence_subjects(text: str) -> list[regex.Match[str]]:
    out = []
    prose_line = _ProseLines(text)
    for start, end in _sentence_openings(text):
        m = _SUBJECT_AT.match(text, end)
        if m is not None and not prose_line(m.end()):
            m = None  # a headline or widget line, not prose
        if m and (text[start - 2 : start - 1] != "," or _VERBISH_NEXT.match(text, m.end())):
            out.append(m)
        elif text.startswith("The ", end):
            # "The senator, Tom Reed, was blunt.": the name in apposition is the subject.
            m = _THE_NOUN_NAME.match(text, end)
            if m:
                out.append(m)
        elif text.startswith("For ", end):
            # "For Megda Belkacemi, Friday is a day she has awaited": the sentence is about her.
            m = _FOR_TOPIC.match(text, end)
            if m:
                out.append(m)
    return out




















def in_heading(text: str, pos: int) -> bool:
    """Is ``pos`` on a line that is not prose (a headline or a "WATCH: …" widget line)?"""
    end = text.find("\n", pos)
    line = text[text.rfind("\n", 0, pos) + 1 : end if end != -1 else len(text)].rstrip()
    return not line or line[-1] not in ".!?…:;)”\"’'\u0002"


def previous_paragraph_start(text: str, para_start: int) -> int:
    """Start of the prose line before the one starting at ``para_start`` (0 if none); a heading
    or widget line in between ("'I was not able to vote for it'") is skipped."""
    start = para_start
    for _ in range(3):
        i = start - 1
        while i >= 0 and text[i] in "\n \t\r":
            i -= 1
        if i < 0:
            return 0
        start = text.rfind("\n", 0, i + 1) + 1
        line = text[start : i + 1]
        if not in_heading(text, start) and not (line[:1] == "\u0001" and line[-1:] == "\u0002"):
            break  # prose; a paragraph that is only a quote says nothing about who "he" is
    return start





def sentence_end(text: str, pos: int, limit: int) -> int:
    """End of the sentence that continues after ``pos`` (or the next quote / the paragraph end)."""
    limit = min(limit, pos + 300)
    m = _SENT_END.search(text, pos, limit)
    end = m.start() + 1 if m else limit
    q = text.find("\u0001", pos, end)
    return q if q != -1 else end


def sentence_start(text: str, para_start: int, pos: int) -> int:
    """Start of the sentence the quote at ``pos`` sits in (after the last sentence end or quote)."""
    lo = max(para_start, pos - 300)
    start = lo
    for m in _SENT_END.finditer(text, lo, pos):
        start = m.end()
    q = text.rfind("\u0002", start, pos)
    return q + 1 if q != -1 else start


# "But a spokesperson for the Employers’ Association (EA) said …": a speaker described, not named,
# opening its sentence. Only tried at a speech verb, from the sentence's start to the verb.
_DESCRIBED_BEFORE = rx.compile(
    r"[ \t\u00a0]*(?:(?:But|And|However|Meanwhile|Still|Yet|Now|Instead|Separately)[ \t\u00a0]*,?[ \t\u00a0]+)?"
    r"(?:\p{Lu}[^,;:.!?\n\u0001\u0002]{1,40},[ \t\u00a0]+)?"  # "In the video, the players say"
    r"(?P<sp>(?:[Aa]n?|[Tt]he|[Oo]ne|[Aa]nother|[Ss]ome)[ \t\u00a0]+[^,;:.!?\n\u0001\u0002]{1,110}?)"
    + APPOS + ADV + r"[ \t\u00a0]*\Z",
    _F,
)


# The opening _DESCRIBED_BEFORE needs, with stdlib re (several times faster) as a first test.
_DESCRIBED_OPENING = re.compile(
    r"[ \t\u00a0]*(?:(?:But|And|However|Meanwhile|Still|Yet|Now|Instead|Separately)[ \t\u00a0]*,?[ \t\u00a0]+)?"
    r"(?:[^\W\d_a-z][^,;:.!?\n\u0001\u0002]{1,40},[ \t\u00a0]+)?(?:[Aa]n?|[Tt]he|[Oo]ne|[Aa]nother|[Ss]ome)[ \t\u00a0]"
)


def described_mentions(text: str, verbs: list[regex.Match[str]] | None = None) -> list[tuple[int, str, str]]:
    """(position, description, head noun) of each speaker described rather than named at the start of
    a sentence: "A spokesperson for the association said …" / "The players say …" (outside quotes)."""
    out: list[tuple[int, str, str]] = []
    for v in verb_matches(text) if verbs is None else verbs:
        if _according(v.group()) or v.group() in ("reads", "posts", "points", "charges"):
            continue
        para = text.rfind("\n", max(0, v.start() - 400), v.start()) + 1  # (sentence_start looks back 300)
        start = sentence_start(text, para, v.start())
        if _DESCRIBED_OPENING.match(text, start, v.start()) is None:
            continue  # no determiner opens the sentence (most sentences): skip the long pattern
        m = _DESCRIBED_BEFORE.match(text, start, v.start())
        if m is None:
            continue
        if m.group("role") and m.group("role").strip()[:1].isupper():
            continue  # "The leader, Mufti Ali Khan, said": the name in apposition is the mention
        sp = m.group("sp").strip()
        head = description_head(sp)
        if head is not None and " " in sp:
            out.append((m.start("sp"), sp, head))
    return out

