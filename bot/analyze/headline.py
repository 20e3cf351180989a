"""The headline of a post: the article's own title, cleaned; else a headline-like first line;
else the lead sentence, shortened at a word boundary."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from bot.analyze import patterns as P

MAX_FALLBACK_CHARS = 110

# " | Outlet", " - Site", " — Site", " :: Site", " « Site" at the end of a title
_SUFFIX_SEPARATORS = re.compile(r"\s+(?:\||::|«|»|·|•|—|–|-)\s+")
_SITE_WORD = re.compile(r"^(?:[A-Z0-9][\w'’.&+-]*|[\w-]+\.(?:com|org|net|co\.uk|de|es|fr|io|news)|the|of|de|la|le|el|and|&|news|online)$")
_LABEL_PREFIX = re.compile(r"^(?:breaking(?: news)?|update[sd]?|live|watch|video|photos?|exclusive)\s*[:|–-]\s+", re.I)
_WS = re.compile(r"\s+")


def _looks_like_site_name(segment: str, outlet: str | None) -> bool:
    seg = segment.strip()
    if outlet and seg.casefold() == outlet.strip().casefold():
        return True
    words = seg.split()
    return 1 <= len(words) <= 4 and len(seg) <= 40 and all(_SITE_WORD.match(w) for w in words)


def clean_title(title: str, outlet: str | None = None) -> str:
    """Strip site-name suffixes (" | Reuters", " - BBC News"), labels ("BREAKING: ") and markup
    remnants from a title. The rest is kept exactly."""
    t = _WS.sub(" ", html.unescape(title)).strip()
    while True:
        parts = _SUFFIX_SEPARATORS.split(t)
        if len(parts) < 2:
            break
        last = parts[-1]
        head = t[: len(t) - len(last)].rstrip(" |:«»·•—–-")
        if len(head.split()) >= 3 and _looks_like_site_name(last, outlet):
            t = head
        else:
            break
    t = _LABEL_PREFIX.sub("", t)
    return t.strip().strip('"').strip() if t.count('"') == 2 and t.startswith('"') and t.endswith('"') else t


def shorten(text: str, limit: int = MAX_FALLBACK_CHARS) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters (with "…" when cut)."""
    text = _WS.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:–-") + "…"


def strip_wire_dateline(sentence: str, min_rest: int = 20) -> str:
    """"JAKARTA (Reuters) - Countries around Asia ..." -> "Countries around Asia ..." (when more than
    ``min_rest`` characters are left: "PARIS: 3" is not a dateline and a number)."""
    m = P.wire_dateline(sentence)
    if m and len(sentence) - m.end() > min_rest:
        rest = sentence[m.end() :]
        return rest[:1].upper() + rest[1:]
    return sentence


MIN_LEAD_WORDS = 5  # a shorter lede naming nobody ("Here we go again.") is a flourish, not a headline


def _flourish(sentence: str) -> bool:
    """A short lede that names no one and nothing, or asks or exclaims: "Here we go again.", "Why now?".
    "Pope Francis has died." is short too, and it is the news."""
    words = sentence.split()
    if len(words) >= MIN_LEAD_WORDS or P.NO_SPACE_SCRIPT.search(sentence):
        return False
    return sentence.rstrip().endswith(("?", "!")) or not any(w[:1].isupper() for w in words[1:])


def make_headline(
    title: str | None,
    title_line: str | None,
    lead: str | Sequence[str] | None,
    outlet: str | None = None,
) -> str:
    """The article's own ``title`` when it has one, else the text's headline-like first line (a
    dateline cut off: "PERRIS: Woman ordered ..."), else the first lead sentence that is not a mere
    flourish (``_flourish``), dateline cut off and shortened; "" only when there is nothing at all.
    ``lead`` is the opening sentence or the first few sentences, in order."""
    if title and title.strip():
        cleaned = clean_title(title, outlet)
        if cleaned:
            return cleaned
    if title_line and title_line.strip():
        cleaned = clean_title(strip_wire_dateline(title_line.strip(), min_rest=10), outlet)
        if cleaned:
            return cleaned
    leads = [lead] if isinstance(lead, str) else list(lead or [])
    stripped = [strip_wire_dateline(s.strip(), min_rest=0) for s in leads if s and s.strip()]
    for candidate in stripped:
        if not _flourish(candidate):
            return shorten(candidate.rstrip(".。"))
    if stripped and stripped[0].rstrip(".。").strip():
        return shorten(stripped[0].rstrip(".。"))
    # A lead that is only a wire dateline ("JAKARTA (Reuters) -."): as it stands, rather than nothing.
    first = next((s for s in leads if s and s.strip()), "")
    return shorten(first.strip().rstrip(".。") or first)

