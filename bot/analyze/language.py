"""Which language an article is in (ISO 639-1), without a model.

Two signals, both cheap: the writing system (Thai, Japanese kana, Hangul, Han, Cyrillic, Greek,
Arabic, Hebrew, Devanagari decide on their own), and for Latin-script text the share of each
language's commonest function words. Good enough to tag a post's language and to pick the
sentence splitter's abbreviation list; a source-supplied ``Article.language`` always wins.
"""

from __future__ import annotations

import re
from collections import Counter

_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("th", re.compile(r"[\u0E00-\u0E7F]")),
    ("ja", re.compile(r"[\u3040-\u30FF]")),  # kana: Japanese even when most characters are Han
    ("ko", re.compile(r"[\uAC00-\uD7AF]")),
    ("zh", re.compile(r"[\u4E00-\u9FFF]")),
    ("ru", re.compile(r"[\u0400-\u04FF]")),
    ("el", re.compile(r"[\u0370-\u03FF]")),
    ("ar", re.compile(r"[\u0600-\u06FF]")),
    ("he", re.compile(r"[\u0590-\u05FF]")),
    ("hi", re.compile(r"[\u0900-\u097F]")),
)

_FUNCTION_WORDS = {
    "en": "the of and to in is that for it was on with as his he said by at from are be this have not but they",
    "de": "der die und das ist nicht zu den von mit sich des auf für im dem ein eine auch es sie wir nach bei hat wird",
    "es": "el la de que y en los las del se por un una con para es al lo como más pero sus su fue ha",
    "fr": "le la les de des et est que un une du en dans pour qui pas sur au avec il elle ce sont a",
    "it": "il di che la e le per un una del della non con sono si gli da al nel è anche ha",
    "pt": "o a os as de que e do da em um uma para com não se por mais foi dos das ao",
    "nl": "de het een en van is dat op te in niet zijn met voor hij ze er maar ook als",
}
_WORD_TO_LANGS: dict[str, list[str]] = {}
for _lang, _words in _FUNCTION_WORDS.items():
    for _w in _words.split():
        _WORD_TO_LANGS.setdefault(_w, []).append(_lang)

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_NON_LETTER = re.compile(r"[\W\d_]+", re.UNICODE)
_ANY_SCRIPT = re.compile("|".join(p.pattern for _, p in _SCRIPTS))
_HAN = dict(_SCRIPTS)["zh"]


def detect_language(text: str, default: str = "en") -> str:
    """Best guess of ``text``'s language as an ISO 639-1 code; ``default`` when unsure."""
    # ~200 words decide as well as more: identical answers on the 347 eval and sample texts at
    # 1,200 characters as at 3,000, in half the time
    sample = text[:1200]
    # Every script tested above lies at or beyond U+0370; one max() over the sample (C speed)
    # spares the script scans for the usual Latin-script article.
    if sample and max(sample) >= "\u0370" and len(_ANY_SCRIPT.findall(sample)) >= 5:
        letters = len(_NON_LETTER.sub("", sample))
        if not letters:
            return default
        for code, pattern in _SCRIPTS:
            hits = len(pattern.findall(sample))
            # Japanese is mostly Han with some kana: a few kana decide - in Japanese script, not in one
            # Japanese word quoted in English or German prose.
            japanese = code == "ja" and hits >= 5 and hits + len(_HAN.findall(sample)) >= letters * 0.2
            if hits >= max(5, letters * 0.2) or japanese:
                return code
    counts = Counter(_WORD.findall(sample.casefold()))
    votes: Counter[str] = Counter()
    for word, n in counts.items():
        for lang in _WORD_TO_LANGS.get(word, ()):
            votes[lang] += n
    if not votes:
        return default
    (best, n), *rest = votes.most_common(2) + [("", 0)]
    return best if n >= 3 and n > rest[0][1] else default
