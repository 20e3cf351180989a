"""Quotation marks and the breaking-news label in the article's own language.

A German post quotes „so“, a Spanish one «así», a Japanese one 「こう」: a quote keeps the marks its article
used when they are typographic ones, and otherwise (straight ``"`` marks, or none recorded) takes its
language's usual pair. Straight marks inside a quote interrupted by its attribution (``town," he said.
"We``) are turned the same way, so a post never mixes ``"`` with “ ”. Templates see the pair as
``quote.open`` / ``quote.close``; ``breaking_label`` is "BREAKING", "EILMELDUNG", "ÚLTIMA HORA", ….
"""

from __future__ import annotations

import re

# The everyday pair of each language (primary marks), and the fallback for any other.
QUOTE_MARKS: dict[str, tuple[str, str]] = {
    "en": ("“", "”"),
    "de": ("„", "“"),
    "es": ("«", "»"),
    "fr": ("«\u202f", "\u202f»"),  # French sets a narrow no-break space inside its guillemets
    "it": ("«", "»"),
    "pt": ("“", "”"),
    "nl": ("“", "”"),
    "pl": ("„", "”"),
    "cs": ("„", "“"),
    "ru": ("«", "»"),
    "uk": ("«", "»"),
    "ja": ("「", "」"),
    "zh": ("“", "”"),
    "th": ("“", "”"),
}
DEFAULT_MARKS = QUOTE_MARKS["en"]

BREAKING_LABELS: dict[str, str] = {
    "en": "BREAKING",
    "de": "EILMELDUNG",
    "es": "ÚLTIMA HORA",
    "fr": "ALERTE INFO",
    "it": "ULTIM'ORA",
    "pt": "ÚLTIMA HORA",
    "nl": "BREAKING",
    "pl": "PILNE",
    "ru": "СРОЧНО",
    "uk": "ТЕРМІНОВО",
    "ja": "速報",
    "zh": "突发",
}

# Opening and closing marks an article may use; a straight " or ' says nothing about its typography.
_OPENING = "“„«‘‚「『‹"
_CLOSING = "”“»’‘」』›"
_STRAIGHT_CLOSE = re.compile(r'(?<=\S)"(?=\s)')
_STRAIGHT_OPEN = re.compile(r'(?<=\s)"(?=\S)')


def _base(language: str | None) -> str:
    return (language or "en").split("-")[0].split("_")[0].casefold()


def language_marks(language: str | None) -> tuple[str, str]:
    """The usual opening and closing quotation marks of ``language`` (an ISO 639-1 code)."""
    return QUOTE_MARKS.get(_base(language), DEFAULT_MARKS)


def breaking_label(language: str | None) -> str:
    return BREAKING_LABELS.get(_base(language), BREAKING_LABELS["en"])


def typographic(opening: str, closing: str) -> bool:
    """Did the article wrap the quote in typographic marks (not straight ``"``, not none)?"""
    return bool(opening and closing) and opening in _OPENING and closing in _CLOSING


def quote_marks(opening: str, closing: str, language: str | None) -> tuple[str, str]:
    """The pair a post uses for a quote the article wrapped in ``opening`` … ``closing``."""
    return (opening, closing) if typographic(opening, closing) else language_marks(language)


def typographic_inside(words: str, marks: tuple[str, str]) -> str:
    """Straight marks inside a quote's words - where its attribution interrupts it - become ``marks``.
    Only for a quote the article typed with straight marks: inside typographic ones, a straight pair is
    a quotation within the quotation, as the article wrote it."""
    if '"' not in words:
        return words
    return _STRAIGHT_OPEN.sub(marks[0], _STRAIGHT_CLOSE.sub(marks[1], words))
