"""Article pages and HTML fragments: text, title, lead image, date and canonical URL (pure; no I/O).

trafilatura finds the article body; the page's own ``<link rel=canonical>``, ``og:url``, ``og:image`` and
``article:published_time`` are read directly, because they are what the publisher declared.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

_BLOCKS = {
    "p", "div", "section", "article", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
    "pre", "table", "tr", "figure", "figcaption", "header", "footer", "aside", "main", "dd", "dt",
}  # fmt: skip
_SPACES = re.compile(r"[ \t\u00a0]+")
_ESCAPED_MARKUP = re.compile(r"<(?:p|br|div|span|a|b|i|em|strong|ul|ol|li|h[1-6]|blockquote|img)\b[^<>]*>", re.I)
# What feedparser reads (not JSON Feed, application/feed+json: naming it would lead nowhere).
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


@dataclass(frozen=True)
class PageContent:
    url: str  # where it was fetched from
    canonical_url: str | None  # what the page declares (rel=canonical, else og:url), absolute
    title: str | None
    text: str  # paragraphs separated by blank lines
    image: str | None = None
    published: datetime | None = None
    description: str | None = None
    language: str | None = None
    site_name: str | None = None


def _decode(html: str | bytes, header_charset: str | None = None) -> str:
    """The page's text: in the charset its <meta> declares, else the one its HTTP Content-Type header
    declares (servers often name it only there), else UTF-8, else Windows-1252."""
    if isinstance(html, str):
        return html
    head = html[:2048].decode("ascii", "ignore")
    found = re.search(r"""charset=["']?([\w-]+)""", head, re.I)
    declared = [name for name in ((found.group(1) if found else None), header_charset) if name]
    for encoding in (*declared, "utf-8"):
        try:
            if codecs.lookup(encoding).name in ("latin-1", "ascii"):
                encoding = "cp1252"  # how browsers read these labels; pages under them carry its curly quotes
            return html.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    lenient = html.decode("utf-8", "replace")
    bad = lenient.count("\ufffd")
    if sum(1 for ch in lenient if ord(ch) > 0x7F) - bad > bad:
        return lenient  # UTF-8 but for a stray byte or two: as Windows-1252 every accented letter would be two
    try:
        return html.decode("cp1252")
    except UnicodeDecodeError:
        return lenient


def _tree(html: str) -> Any:
    import lxml.html
    from lxml.etree import ParserError

    try:
        return lxml.html.fromstring(html)
    except (ParserError, ValueError):
        return None


def parse_datetime(value: str | None) -> datetime | None:
    """An ISO 8601 date or datetime as an aware UTC datetime (a bare date is midnight UTC); else None."""
    if not value:
        return None
    value = value.strip()
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _meta(tree: Any, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            values = tree.xpath(f"//meta[@{attr}=$n]/@content", n=name)
            for value in values:
                if value and value.strip():
                    return str(value).strip()
    return None


def _link(tree: Any, rel: str) -> str | None:
    for element in tree.xpath("//link[@href]"):
        rels = (element.get("rel") or "").lower().split()
        if rel in rels and element.get("href", "").strip():
            return str(element.get("href")).strip()
    return None


def declared_canonical(html: str | bytes, url: str) -> str | None:
    """The page's ``<link rel=canonical>`` (else ``og:url``) as an absolute URL, if it declares one."""
    tree = _tree(_decode(html))
    if tree is None:
        return None
    return _canonical(tree, url)


def _canonical(tree: Any, url: str) -> str | None:
    found = _link(tree, "canonical") or _meta(tree, "og:url")
    if not found:
        return None
    absolute = urljoin(url, found)
    return absolute if absolute.startswith(("http://", "https://")) else None


def feed_links(html: str | bytes, url: str) -> list[str]:
    """Feeds a page advertises with ``<link rel=alternate type=application/rss+xml …>`` (absolute URLs)."""
    tree = _tree(_decode(html))
    if tree is None:
        return []
    found = []
    for element in tree.xpath("//link[@href]"):
        rels = (element.get("rel") or "").lower().split()
        if "alternate" in rels and (element.get("type") or "").lower() in _FEED_TYPES:
            found.append(urljoin(url, element.get("href").strip()))
    return found


def extract_page(html: str | bytes, url: str, *, charset: str | None = None) -> PageContent:
    """The article in an HTML page. ``text`` is empty when no article body could be found. ``charset``
    is the one the HTTP response declared, if any."""
    import trafilatura

    source = _decode(html, charset)
    tree = _tree(source)
    doc = trafilatura.bare_extraction(
        source,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        # The time and zone too, as the queue's HTML reader asks: a bare date is midnight UTC, up to a day
        # off, and the schedule's expiry counts from it.
        date_extraction_params={"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True},
    )
    data: dict[str, Any] = doc.as_dict() if doc is not None and hasattr(doc, "as_dict") else dict(doc or {})
    title = (data.get("title") or "").strip() or None
    if tree is not None:
        title = _meta(tree, "og:title") or title
        if not title:
            found = tree.xpath("//title/text()")
            title = found[0].strip() if found and found[0].strip() else None
    text = _paragraphs(data.get("text") or "", title)
    published = None
    image = data.get("image")
    canonical = None
    language = data.get("language")
    site_name = None
    description = data.get("description")
    if tree is not None:
        published = parse_datetime(_meta(tree, "article:published_time", "datePublished", "date", "dc.date"))
        image = _meta(tree, "og:image", "og:image:url", "twitter:image") or image
        canonical = _canonical(tree, url)
        language = language or (tree.get("lang") or "").split("-")[0].lower() or None
        site_name = _meta(tree, "og:site_name")
        description = _meta(tree, "og:description", "description") or description
    if published is None:
        published = parse_datetime(data.get("date"))
    if image:
        image = urljoin(url, image)
    return PageContent(
        url=url,
        canonical_url=canonical,
        title=title,
        text=text,
        image=image,
        published=published,
        description=description,
        language=language,
        site_name=site_name,
    )


def _paragraphs(text: str, title: str | None) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    # trafilatura keeps the page's <h1> as the first line; the title is carried separately.
    if lines and title and lines[0].casefold() == title.casefold():
        lines = lines[1:]
    return "\n\n".join(lines)


def html_to_text(fragment: str | None) -> str:
    """Plain text of a feed's HTML summary or content: one paragraph per block element, blank-line separated."""
    if not fragment or not fragment.strip():
        return ""
    if "<" not in fragment:
        import html as htmllib

        fragment = htmllib.unescape(fragment)
        if not _ESCAPED_MARKUP.search(fragment):
            return _collapse(fragment)
        # Markup escaped twice (a known CMS/plugin bug): once unescaped it is HTML, read as such below.
    import lxml.html
    from lxml.etree import ParserError

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, ValueError):
        return _collapse(re.sub(r"<[^>]+>", " ", fragment))
    # title/textarea hold raw text in HTML: markup after a stray <title> would come out as text.
    for bad in root.xpath("//script|//style|//noscript|//title|//textarea|//xmp|//plaintext|//template"):
        bad.drop_tree()
    for br in root.xpath("//br"):
        br.tail = "\n" + (br.tail or "")
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    return _collapse(root.text_content())


def _collapse(text: str) -> str:
    paragraphs = [_SPACES.sub(" ", p).strip() for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines() if line.strip()) for p in paragraphs if p)
