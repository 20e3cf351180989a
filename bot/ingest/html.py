"""HTML article pages: the article text and metadata extracted with trafilatura.

Used for ``.html`` files in the queue and reusable for fetched pages (pass the page's address as ``url``).
trafilatura is imported inside the function: importing it costs noticeable time, and most runs never need it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..errors import IngestError
from ..models import Article
from .fields import aware, parse_datetime
from .urls import canonical_url

# Below this much text, what trafilatura found is navigation or a teaser, not an article.
MIN_WORDS = 15
MIN_CHARS = 100  # for scripts written without spaces (Japanese, Thai, Chinese)
_HTML_LANG = re.compile(r"<html[^>]*\slang\s*=\s*[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)", re.IGNORECASE)
_HTML_MARKERS = re.compile(r"<(?:!doctype\s+html|html|head|body|article|p|div)\b", re.IGNORECASE)


def _canonical_or_none(url: str | None) -> str | None:
    if not url:
        return None
    try:
        canonical = canonical_url(url)
    except ValueError:
        return None  # a relative or odd canonical link: better no URL than a wrong one
    # The home page is never an article's link: a misconfigured theme declares it on every page, and as the
    # link it would make every later article of the site a duplicate of the first.
    return None if urlsplit(canonical).path == "/" and not urlsplit(canonical).query else canonical


def _strip_title_line(text: str, title: str | None) -> str:
    """trafilatura repeats the <h1> as the text's first line; the title is kept separately."""
    if not title:
        return text
    first, _, rest = text.partition("\n")
    return rest.lstrip("\n") if first.strip().casefold() == title.strip().casefold() else text


def extract_html(html: str, *, source: str, url: str | None = None) -> Article:
    """An Article from an HTML page. ``url`` is where the page came from, if known; the page's own
    canonical link (``<link rel=canonical>``, ``og:url``) wins when it has one."""
    if not _HTML_MARKERS.search(html):
        raise IngestError("not HTML: no <html>, <body> or <p> tags found; save a text article as .txt instead")
    import trafilatura  # lazily: slow to import

    doc: Any = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        date_extraction_params={"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True},
    )
    text = ((doc.text if doc is not None else None) or "").strip()
    title = ((doc.title or "").strip() or None) if doc is not None else None
    # One paragraph per line from trafilatura; blank-line separated like every other source's text.
    text = "\n\n".join(line.strip() for line in _strip_title_line(text, title).split("\n") if line.strip())
    if len(text.split()) < MIN_WORDS and len(text) < MIN_CHARS:
        found = f"only {len(text.split())} words of text" if text else "no text at all"
        raise IngestError(
            f"no article found in the HTML ({found} outside menus and boilerplate); "
            "save the article's own page, or paste its text into a .txt file"
        )
    published = None
    if doc.date:
        parsed = parse_datetime(doc.date)
        published = aware(parsed) if parsed is not None else None
    tags = tuple(dict.fromkeys(t.strip() for t in [*(doc.tags or []), *(doc.categories or [])] if t and t.strip()))
    lang_match = _HTML_LANG.search(html[:5000])
    # A relative og:image lives on the publisher's server, next to the page: resolved against the page's
    # address, or dropped when there is none (as a local path it would name a file of this machine).
    image = (doc.image or "").strip() or None
    if image and not image.lower().startswith(("http://", "https://")):
        base = next((u for u in (doc.url, url) if u and u.strip().lower().startswith(("http://", "https://"))), None)
        image = urljoin(base.strip(), image) if base else None
        if image and not image.lower().startswith(("http://", "https://")):
            image = None  # data: and other schemes
    return Article(
        source=source,
        text=text,
        title=title,
        url=_canonical_or_none(doc.url) or _canonical_or_none(url),
        published=published,
        tags=tags,
        image=image,
        language=(doc.language or (lang_match.group(1) if lang_match else None)),
        outlet=(doc.sitename or "").strip() or None,
        summary=(doc.description or "").strip() or None,
    )
