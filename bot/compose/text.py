"""Small text helpers for composition: cleaning input, safe cut points, hashtags, link forms.

"Safe cut point" is the heart of fitting: a place where a text may end (followed by "…") without
cutting inside a word, a URL, a hashtag or a grapheme cluster.
"""

from __future__ import annotations

import unicodedata
import warnings
from bisect import bisect_left
from urllib.parse import quote_plus, unquote_plus, urlsplit, urlunsplit

import regex

from . import _twitter  # noqa: F401  (twitter_text without pkg_resources: see there)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from twitter_text.extract_urls import extract_urls_with_indices
    from twitter_text.regexp.invalid_chars import invalid_chars

ELLIPSIS = "…"

_GRAPHEME = regex.compile(r"\X")
_SPACE = regex.compile(r"[^\S\u00a0\u202f\u2007]+")  # no-break spaces stay: "10\u00a0000", "«\u202fOui\u202f»"
_NO_BREAK = "\u00a0\u202f\u2007"
# The zero-width space: invisible, it marks where a word ends in Khmer, Myanmar, Thai or Lao text typed for
# line breaking. A cut is made before it, as before a space.
_ZWSP = "\u200b"
# Characters that break posts: controls, lone surrogates, and what twitter-text calls invalid
# (U+FFFE, U+FEFF, U+FFFF). Removed from every input before templates see it. So are the bidi embeddings,
# overrides and isolates (U+202A-U+202E, U+2066-U+2069): invisible, they make a post read differently from
# what it says ("invoice\u202egnp.exe" shows as "invoiceexe.png"); RTL scripts need none of them.
_UNSAFE = regex.compile(r"[\p{Cc}\p{Cs}\u202a-\u202e\u2066-\u2069]")
# Scripts written without spaces between words: a break between two such characters is a word boundary.
_NO_SPACE_SCRIPT = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]")
# Where a word starts: after a space, or where a character of such a script follows another (a word boundary
# inside what ``str.split`` takes for one word).
_WORD_START = regex.compile(r"(?<!\S)\S|(?<=[\p{Han}\p{Hiragana}\p{Katakana}])[\p{Han}\p{Hiragana}\p{Katakana}]")
_TAG_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+")
# Scripts written without spaces between words that have no word boundaries to find without a dictionary
# (Thai, Lao, Khmer, Myanmar; no segmenter is a dependency). Their spaces fall between phrases and clauses,
# so a cut is made there when one is near; inside a long phrase the text is cut between two grapheme
# clusters (never inside one: a vowel sign or tone mark stays on its consonant).
_SPACELESS_LETTER = regex.compile(r"[[\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]&&\p{L}]", regex.V1)
_SPACELESS_CLUSTER = regex.compile(r"[[\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]&&[\p{L}\p{M}]]", regex.V1)  # "ာ" alone too
# Clusters that belong to the syllable before them (no cut before): Thai/Lao vowels written after the
# consonant as letters of their own (ะ า ๅ / ະ າ), the repetition and abbreviation marks (ๆ ฯ / ໆ ຯ), Khmer's
# repetition sign, and a Myanmar consonant killed by asat (U+103A), which closes the syllable before it.
_SPACELESS_NO_CUT_BEFORE = frozenset("\u0e30\u0e32\u0e45\u0e46\u0e2f\u0eb0\u0eb2\u0ec6\u0eaf\u17d7\u103a")
# Thai and Lao vowels written before their consonant (เ แ โ ใ ไ / ເ ແ ໂ ໃ ໄ): no cut after one.
_SPACELESS_NO_CUT_AFTER = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4")
# Myanmar's and Khmer's sentence and clause marks (၊ ။ / ។ ៕), often written with no space after them: a cut
# after one ends a clause, as a cut before a space does.
_SPACELESS_STOP = frozenset("\u104a\u104b\u17d4\u17d5")
# A cut between clusters is made only this many clusters or more after a space: nearer, the phrase boundary
# wins (the post loses at most this much room to end where the writer paused, not inside a word).
PHRASE_SLACK = 20
_MAX_TAG_GRAPHEMES = 64  # Bluesky's limit for a tag facet


def clean_inline(text: str | None) -> str:
    """One line of clean, NFC-normalised text: no controls, no invalid characters, single spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = _SPACE.sub(" ", text)  # newlines and tabs included: inputs are one line each
    text = _UNSAFE.sub("", text)
    text = invalid_chars.sub("", text)
    return text.strip()


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Code-point ranges that must never be cut: URLs (with or without scheme), #tags and @handles."""
    spans: list[tuple[int, int]] = [(u["indices"][0], u["indices"][1]) for u in extract_urls_with_indices(text)]
    spans += [m.span() for m in regex.finditer(r"(?<!\S)[#@＃]\S+", text)]
    spans += [m.span() for m in regex.finditer(r"\S*://\S*", text)]
    return spans


def _between_clusters(cluster: str, nxt: str) -> bool:
    """Whether Thai, Lao, Khmer or Myanmar text may be cut between these two grapheme clusters."""
    return (
        _SPACELESS_CLUSTER.match(cluster) is not None
        and _SPACELESS_LETTER.match(nxt) is not None
        and cluster[-1] not in _SPACELESS_NO_CUT_AFTER
        and not any(ch in _SPACELESS_NO_CUT_BEFORE for ch in nxt)
    )


def cut_points(text: str) -> list[int]:
    """Code-point offsets where ``text`` may be cut, longest first (excluding the full length).

    A cut is allowed before whitespace (and a zero-width space), after a Myanmar or Khmer sentence or
    clause mark followed by a letter, and between two characters of scripts written without spaces
    (Chinese, Japanese). In Thai, Lao, Khmer and Myanmar, whose words cannot be told apart here, also
    between two grapheme clusters of a phrase, at least ``PHRASE_SLACK`` clusters after its space (the
    start of the text is no space: a long unspaced headline is cut anywhere). Never inside a grapheme
    cluster, a URL, a hashtag or a mention.
    """
    clusters = _GRAPHEME.findall(text)
    protected = _protected_spans(text)
    points: set[int] = set()
    pos = 0
    since_space: int | None = None  # clusters since the last space (or zero-width space, clause mark); None before one
    for i, cluster in enumerate(clusters):
        nxt = clusters[i + 1] if i + 1 < len(clusters) else None
        end = pos + len(cluster)
        clause_end = (cluster[0].isspace() and cluster[0] not in _NO_BREAK) or cluster[0] in _SPACELESS_STOP
        since_space = 0 if clause_end or cluster[0] == _ZWSP else None if since_space is None else since_space + 1
        if nxt is not None:
            if nxt[0].isspace() and nxt[0] not in _NO_BREAK and not cluster[0].isspace():
                points.add(end)
            elif nxt[0] == _ZWSP and not cluster[0].isspace() and cluster[0] != _ZWSP:
                points.add(end)
            elif cluster[0] in _SPACELESS_STOP and _SPACELESS_LETTER.match(nxt):
                points.add(end)
            elif _NO_SPACE_SCRIPT.match(cluster) and _NO_SPACE_SCRIPT.match(nxt):
                points.add(end)
            elif (since_space is None or since_space >= PHRASE_SLACK) and _between_clusters(cluster, nxt):
                points.add(end)
        pos = end
    safe = [p for p in points if p > 0 and not any(s < p < e for s, e in protected)]
    return sorted(safe, reverse=True)


def _strip_dangling(head: str) -> str:
    """Drop what may not stand before the "…": spaces, dashes, commas, semicolons, colons, and an opening
    quotation mark or bracket ("selon «…")."""
    end = len(head)
    while end and (
        head[end - 1].isspace()
        or head[end - 1] in ",;:" + _ZWSP
        or unicodedata.category(head[end - 1]) in ("Pd", "Ps", "Pi")
        or head[end - 1] in "„‚"  # low opening marks are Ps/Pi in some fonts of Unicode, not all
    ):
        end -= 1
    return head[:end]


def shortenings(text: str, *, min_words: int = 1) -> list[str]:
    """Every shortened form of ``text`` ending at a safe cut point with "…", longest first.

    ``min_words`` drops forms keeping fewer than that many words (a one-word quote says nothing).
    Trailing punctuation before the ellipsis is dropped ("said," → "said…").
    """
    out = []
    # Words as ``cut_points`` sees them: separated by spaces, or by a character boundary in Chinese and
    # Japanese (where a whole quote is one space-separated piece and could otherwise never be shortened).
    # Found once: counted again for every cut point, a long quote took seconds.
    word_starts = _word_starts(text) if min_words > 1 else []
    for point in cut_points(text):
        head = _strip_dangling(text[:point])
        if not head:
            continue
        if min_words > 1 and bisect_left(word_starts, len(head)) < min_words:
            break  # cut points only get earlier from here
        out.append(head + ELLIPSIS)
    return out


def _word_starts(text: str) -> list[int]:
    """Where words start, as ``shortenings`` counts them: after a space, at each Chinese or Japanese
    character, and at each grapheme cluster of Thai, Lao, Khmer or Myanmar where a cut could fall (a word
    of their own as far as this module can tell, as an ideograph is)."""
    starts = {m.start() for m in _WORD_START.finditer(text)}
    clusters = _GRAPHEME.findall(text)
    pos = 0
    for i in range(1, len(clusters)):
        pos += len(clusters[i - 1])
        if _between_clusters(clusters[i - 1], clusters[i]):
            starts.add(pos)
    return sorted(starts)


def hashtag(word: str) -> str | None:
    """A tag from a setting or an article tag: "Russia-Ukraine war" → "RussiaUkraineWar" (no '#').

    None when nothing usable is left (empty, only digits, too long for Bluesky).
    """
    word = clean_inline(word).lstrip("#＃")
    pieces = _TAG_WORD.findall(word)
    if not pieces:
        return None
    if len(pieces) == 1:
        tag = pieces[0]
    else:
        tag = "".join(p[:1].upper() + p[1:] for p in pieces)
    if tag.isdigit() or len(_GRAPHEME.findall(tag)) > _MAX_TAG_GRAPHEMES:
        return None
    return tag


def hashtags(*groups: tuple[str, ...] | list[str]) -> list[str]:
    """Tags from several sources, in order, without case-insensitive duplicates, each with '#'."""
    seen: set[str] = set()
    out = []
    for group in groups:
        for word in group:
            tag = hashtag(word)
            if tag and tag.casefold() not in seen:
                seen.add(tag.casefold())
                out.append("#" + tag)
    return out


def with_utm(url: str, platform: str) -> str:
    """``url`` with utm_source=<platform>&utm_medium=social&utm_campaign=newsbot (existing utm_* kept)."""
    parts = urlsplit(url)
    # Append to the query as written: decoding and re-encoding it breaks links such as "?/archives/123".
    present = {unquote_plus(piece.split("=", 1)[0]) for piece in parts.query.split("&") if piece}
    added = [f"{key}={quote_plus(value)}" for key, value in
             (("utm_source", platform), ("utm_medium", "social"), ("utm_campaign", "newsbot")) if key not in present]
    query = "&".join(p for p in (parts.query, *added) if p)
    return urlunsplit(parts._replace(query=query))


def display_url(url: str, max_graphemes: int = 30) -> str:
    """A short visible form of a link, as Bluesky's app shows it: "example.com/news/ukraine-bel…".

    Only the visible text is shortened; the link facet keeps the full URL.
    """
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    rest = parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    if rest == "/":
        rest = ""
    full = host + rest
    if len(_GRAPHEME.findall(full)) <= max_graphemes:
        return full
    # Counted and cut in whole graphemes: an IRI in its own script ("प्रधानमंत्री") must not lose a vowel sign.
    room = max(max_graphemes - len(_GRAPHEME.findall(host)) - 1, 0)
    return host + "".join(_GRAPHEME.findall(rest)[:room]) + ELLIPSIS if room else host + ELLIPSIS
