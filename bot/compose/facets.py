"""Bluesky rich-text facets: links and hashtags as UTF-8 byte ranges (end exclusive) in the final text.

Bluesky shows a link or tag as clickable only if a facet says so; the visible link text may be a
shortened form ("example.com/news/ukr…") while the facet carries the full URL. Tags are detected the
way Bluesky's own app detects them (``TAG_REGEX`` of @atproto/api), so a '#word' that a headline
happens to contain is clickable too.
"""

from __future__ import annotations

from collections.abc import Mapping

import regex

from ..models import Facet

# @atproto/api's TAG_REGEX and trailing-punctuation rule, in Python's `regex` dialect (JavaScript's \d is
# ASCII-only even with the u flag, hence [0-9]).
_TAG_INVISIBLE = r"\u00AD\u2060\u200A\u200B\u200C\u200D\u20e2"
_TAG = regex.compile(
    rf"(^|\s)[#＃]((?!\ufe0f)[^\s{_TAG_INVISIBLE}]*[^0-9\s\p{{P}}{_TAG_INVISIBLE}]+[^\s{_TAG_INVISIBLE}]*)?"
)
_TRAILING_PUNCT = regex.compile(r"\p{P}+$")
_BARE_URL = regex.compile(r"https?://[^\s]+")
# What may follow a link without being part of it: punctuation, closing quotation marks, and the "…" of a
# summary cut right after a link. A closing bracket is the link's own when it closes one the link opened
# ("…/wiki/Mercury_(planet)"), as in @atproto/api.
_URL_TRAILING = ".,;:!?\"'”’»›」』…)]"
_URL_OPENS = {")": "(", "]": "["}
# Characters a written-out address may go on with: RFC 3986's, and letters and digits of any script (IRIs).
_URL_GOES_ON = regex.compile(r"[\w\-.~:/?#\[\]@!$&'()*+,;=%]*")
_MAX_TAG_LENGTH = 64  # Bluesky's limit, counted in UTF-16 units by the app


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _strip_url_trailing(url: str) -> str:
    while url and url[-1] in _URL_TRAILING:
        last = url[-1]
        if last in _URL_OPENS and url.count(_URL_OPENS[last]) >= url.count(last):
            break
        url = url[:-1]
    return url


def facets_for(text: str, links: Mapping[str, str] | None = None) -> tuple[Facet, ...]:
    """Link and tag facets for ``text``, sorted by position, never overlapping.

    ``links`` maps the visible text of each link (full or shortened) to the URL it opens; any other
    http(s) URL written out in the text links to itself.
    """
    spans: list[tuple[int, int, str, str]] = []  # code-point start, end, kind, value

    def add(start: int, end: int, kind: str, value: str) -> None:
        if start < end and not any(s < end and start < e for s, e, _, _ in spans):
            spans.append((start, end, kind, value))

    # Longest visible forms first, so a full URL wins over a shorter display form inside it.
    for shown, url in sorted((links or {}).items(), key=lambda kv: -len(kv[0])):
        if not shown:
            continue
        pos = text.find(shown)
        while pos != -1:
            end = pos + len(shown)
            # not the start of a longer link written in the text ("…/live" in "…/live/updates", "…/a.html"):
            # what may follow is anything a link does not go on with ("。", "—", "）", a full stop and a space)
            goes_on = _URL_GOES_ON.match(text, end).group(0)
            if len(_strip_url_trailing(text[pos : end + len(goes_on)])) <= len(shown):
                add(pos, end, "link", url)
            pos = text.find(shown, end)
    for m in _BARE_URL.finditer(text):
        url = _strip_url_trailing(m.group(0))
        add(m.start(), m.start() + len(url), "link", url)
    for m in _TAG.finditer(text):
        leading, tag = m.group(1), m.group(2)
        if not tag:
            continue
        tag = _TRAILING_PUNCT.sub("", tag.strip())
        if not tag or _utf16_length(tag) > _MAX_TAG_LENGTH:
            continue
        start = m.start() + len(leading)
        add(start, start + 1 + len(tag), "tag", tag)

    return tuple(
        Facet(_byte_offset(text, s), _byte_offset(text, e), kind, value)  # type: ignore[arg-type]
        for s, e, kind, value in sorted(spans)
    )
