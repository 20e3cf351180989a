"""How each platform counts a post's length — each rule defined once, here.

X counts *weighted* characters (twitter-text v3: most Latin/Cyrillic/Greek 1, CJK, astral and many
symbols 2, every URL 23, every emoji sequence 2, NFC first). Bluesky counts grapheme clusters (300) and
UTF-8 bytes (3000). Mastodon counts grapheme clusters with every http(s) URL as 23 and ``@user@domain``
as ``@user`` — the same rule as Mastodon's own StatusLengthValidator (and Mastodon.py's
``get_status_length``, but for a link path ending in "=", which Mastodon leaves out of the link).

The preview, the composer and the adapters all measure with these functions, so "fits" means the same
thing everywhere.
"""

from __future__ import annotations

import unicodedata
import warnings
from dataclasses import dataclass
from typing import Callable

import regex

from . import _twitter  # noqa: F401  (twitter_text without pkg_resources: see there)

with warnings.catch_warnings():
    # twitter-text-parser imports pkg_resources at import time, which warns on new setuptools.
    warnings.simplefilter("ignore")
    from twitter_text import parse_tweet
    from twitter_text.extract_urls import extract_urls_with_indices
    from twitter_text.has_invalid_characters import has_invalid_characters

from ..errors import ComposeError

X_LIMIT = 280
BLUESKY_GRAPHEMES = 300
BLUESKY_BYTES = 3000
MASTODON_DEFAULT_LIMIT = 500
URL_LENGTH = 23  # X and Mastodon count every link as 23 characters, however long

_GRAPHEME = regex.compile(r"\X")
# Mastodon's own URL pattern (its config/initializers/twitter_regex.rb) ends no path in one of these, where
# twitter-text (and Mastodon.py) may end it in "=": base64 padding ("…/MTIzNA==") is text to Mastodon.
_MASTODON_PATH_NOT_LAST = frozenset("!*\"';:=,.$%[]~&|@")
# Mastodon's account mention: "@user@domain" counts as "@user" (pattern as in Mastodon.py).
_MASTODON_REMOTE_MENTION = regex.compile(r"(^|[^/\w])@(([a-z0-9_]+)@[a-z0-9\.\-]+[a-z0-9]+)", regex.IGNORECASE)


def graphemes(text: str) -> list[str]:
    """The user-perceived characters of ``text`` (extended grapheme clusters)."""
    return _GRAPHEME.findall(text)


def grapheme_count(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


def x_length(text: str) -> int:
    """X's weighted length (twitter-text v3)."""
    return parse_tweet(text).weightedLength


def x_valid(text: str, limit: int = X_LIMIT) -> bool:
    """Would X accept this text: not empty, no invalid characters, weighted length within ``limit``."""
    return 0 < x_length(text) <= limit and not has_invalid_characters(unicodedata.normalize("NFC", text))


def bluesky_length(text: str) -> int:
    """Bluesky's visible length: grapheme clusters (the byte limit is checked separately)."""
    return grapheme_count(text)


def mastodon_length(text: str) -> int:
    """Mastodon's length: graphemes, with http(s) URLs as 23 and ``@user@domain`` as ``@user``."""
    urls = [u for u in extract_urls_with_indices(text, extract_urls_without_protocol=False)]
    pieces: list[str] = []
    pos = 0
    for url in urls:
        start, end = url["indices"]
        if "?" not in text[start:end]:  # a path may not end in these for Mastodon: the rest is text to it
            while text[end - 1] in _MASTODON_PATH_NOT_LAST:
                end -= 1
        pieces.append(text[pos:start])
        pieces.append("x" * URL_LENGTH)
        pos = end
    pieces.append(text[pos:])
    countable = _MASTODON_REMOTE_MENTION.sub(r"\1@\3", "".join(pieces))
    return grapheme_count(countable)


@dataclass(frozen=True)
class LengthRule:
    """One platform's length rule: ``length`` is what the platform shows against ``limit``."""

    platform: str
    limit: int
    measure: Callable[[str], int]
    byte_limit: int | None = None  # Bluesky's second limit

    def length(self, text: str) -> int:
        return self.measure(text)

    def fits(self, text: str) -> bool:
        if not text.strip():
            return False
        if self.platform == "x":
            return x_valid(text, self.limit)
        if self.byte_limit is not None and utf8_length(text) > self.byte_limit:
            return False
        return self.measure(text) <= self.limit

    def describe(self, text: str) -> str:
        """A human sentence about how ``text`` measures against this rule (for error messages)."""
        msg = f"{self.length(text)}/{self.limit} as {self.platform} counts it"
        if self.byte_limit is not None:
            msg += f", {utf8_length(text)}/{self.byte_limit} UTF-8 bytes"
        return msg


def rule_for(platform: str, limit: int | None = None) -> LengthRule:
    """The length rule for ``platform``; ``limit`` overrides the character limit (a Mastodon instance's own)."""
    if platform == "x":
        return LengthRule("x", limit or X_LIMIT, x_length)
    if platform == "bluesky":
        return LengthRule("bluesky", limit or BLUESKY_GRAPHEMES, bluesky_length, byte_limit=BLUESKY_BYTES)
    if platform == "mastodon":
        return LengthRule("mastodon", limit or MASTODON_DEFAULT_LIMIT, mastodon_length)
    raise ComposeError(f"no length rule for platform {platform!r}; choose from x, bluesky, mastodon")
