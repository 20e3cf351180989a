"""Feed documents into plain entries (feedparser), and the teaser rule. Pure: bytes in, data out.

A document that is not a feed raises ``FeedParseError`` with ``kind`` ``not_a_feed`` (an HTML page, with the
feeds it advertises named in the message) or ``invalid_feed`` (broken XML with nothing readable in it).
A feed that is broken but still yields entries is returned with ``malformed`` set: its entries are not lost.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from ..errors import IngestError
from ..models import content_hash
from .pages import _collapse as collapse_text  # the same paragraph rule as for HTML
from .pages import feed_links, html_to_text

# An entry is a teaser — its full text must come from its page — when its text is shorter than this
# many words, or ends like an excerpt ("…", "[…]", "Read more").
TEASER_MAX_WORDS = 150
_EXCERPT_END = re.compile(
    r"(\u2026|\.\.\.|\[\s*(\u2026|\.\.\.)\s*\]|\(\s*(\u2026|\.\.\.)\s*\)|"
    r"\b(read more|continue reading|read the full (story|article)|weiterlesen|lire la suite|leer más|читать далее)\W*)$",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")


class FeedParseError(IngestError):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class FeedEntry:
    key: str  # guid / atom id, else the link, else a hash of the title
    title: str | None
    link: str | None
    text: str  # the body the feed carries (full content if any, else the summary), as plain text
    summary: str | None = None  # the feed's summary as plain text
    published: datetime | None = None
    image: str | None = None
    author: str | None = None

    @property
    def fingerprint(self) -> str:
        """What "changed" means for an entry seen before: its title or its body as the feed gives them."""
        return content_hash(self.title, self.text)

    @property
    def is_teaser(self) -> bool:
        return is_teaser(self.text)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "link": self.link,
            "text": self.text,
            "summary": self.summary,
            "published": self.published.isoformat() if self.published else None,
            "image": self.image,
            "author": self.author,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeedEntry:
        published = data.get("published")
        return cls(
            key=data["key"],
            title=data.get("title"),
            link=data.get("link"),
            text=data.get("text") or "",
            summary=data.get("summary"),
            published=datetime.fromisoformat(published) if published else None,
            image=data.get("image"),
            author=data.get("author"),
        )


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    malformed: str | None = None  # what was wrong, when entries could still be read
    ttl_seconds: int | None = None  # RSS <ttl>: how often the publisher asks to be polled at most


def is_teaser(text: str) -> bool:
    """True when ``text`` looks like an excerpt rather than the article: short, or ending like one."""
    stripped = text.strip()
    if not stripped:
        return True
    if len(_WORD.findall(stripped)) < TEASER_MAX_WORDS:
        return True
    return bool(_EXCERPT_END.search(stripped))


def _when(entry: Mapping[str, Any]) -> datetime | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(name)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _image(entry: Mapping[str, Any]) -> str | None:
    for media in entry.get("media_content") or []:
        if media.get("url") and (media.get("medium") == "image" or str(media.get("type", "")).startswith("image/")):
            return str(media["url"])
    for media in entry.get("media_thumbnail") or []:
        if media.get("url"):
            return str(media["url"])
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/") and link.get("href"):
            return str(link["href"])
    return None


def _as_text(value: Any, detail: Mapping[str, Any] | None) -> str:
    """A feed text construct as plain text: markup is read as HTML, but a plain-text one (Atom's
    ``type="text"``) is kept as written, angle brackets included, with its spacing collapsed."""
    if isinstance(value, str) and (detail or {}).get("type") == "text/plain":
        return collapse_text(value)
    return html_to_text(value)


def _entry(raw: Mapping[str, Any], feed_url: str) -> FeedEntry | None:
    title = _as_text(raw.get("title"), raw.get("title_detail")) or None
    link = raw.get("feedburner_origlink") or raw.get("link") or None
    if link:
        link = urljoin(feed_url, link.strip())  # a relative link is relative to the feed
    summary = _as_text(raw.get("summary"), raw.get("summary_detail")) or None
    content = ""
    for part in raw.get("content") or []:
        candidate = _as_text(part.get("value"), part)
        if len(candidate) > len(content):
            content = candidate
    text = content if len(content) >= len(summary or "") else (summary or "")
    key = (raw.get("id") or raw.get("guid") or link or "").strip()
    if not key:
        if not title and not text:
            return None  # nothing to recognise it by, and nothing to post
        key = "hash:" + content_hash(title, text)[:32]
    return FeedEntry(
        key=key,
        title=title,
        link=link,
        text=text,
        summary=summary,
        published=_when(raw),
        image=_absolute(feed_url, _image(raw)),
        author=raw.get("author") or None,
    )


def _absolute(feed_url: str, url: str | None) -> str | None:
    """A relative image is on the publisher's server (like a relative link): as it stands, it would be read
    as a local file path when the post is sent."""
    return urljoin(feed_url, url.strip()) if url and url.strip() else None


def _looks_like_html(content: bytes, content_type: str) -> bool:
    head = content[:1024].lstrip().lower()
    return content_type in ("text/html", "application/xhtml+xml") or head.startswith((b"<!doctype html", b"<html"))


def parse_feed(content: bytes, *, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Entries of an RSS/Atom document, newest first as the feed orders them."""
    import feedparser

    headers = {k.lower(): v for k, v in (headers or {}).items()}
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if not content.strip():
        raise FeedParseError("invalid_feed", "the feed is empty (no bytes in the response)")
    # No Content-Location: feedparser would resolve guids against it too, and a guid must never change.
    given = {k: v for k, v in headers.items() if k != "content-location"}
    try:
        parsed = feedparser.parse(content, response_headers=given or None)
    except Exception as crash:  # feedparser itself trips on some broken documents (KeyError 'links')
        raise FeedParseError(
            "invalid_feed", f"not a readable RSS/Atom feed (the parser failed on it: {type(crash).__name__}: {crash})"
        ) from None
    version = parsed.get("version") or ""
    raw_entries = parsed.get("entries") or []
    if not version and not raw_entries:
        if _looks_like_html(content, content_type):
            advertised = feed_links(content, url)
            hint = f"; it advertises a feed at {advertised[0]} — subscribe to that" if advertised else ""
            raise FeedParseError("not_a_feed", f"the URL serves an HTML page, not an RSS/Atom feed{hint}")
        reason = parsed.get("bozo_exception")
        raise FeedParseError("invalid_feed", f"not a readable RSS/Atom feed ({reason or 'unknown format'})")
    entries = [e for e in (_entry(raw, url) for raw in raw_entries) if e is not None]
    malformed = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        name = type(exc).__name__ if exc else ""
        # feedparser flags harmless things too (a text/plain content type, an encoding override): only
        # broken XML counts as malformed.
        if name in ("SAXParseException", "CharacterEncodingUnknown") or "XML" in name and "ContentType" not in name:
            malformed = f"the feed is not well-formed XML ({exc}); {len(entries)} entries could still be read"
    ttl = None
    raw_ttl = str((parsed.get("feed") or {}).get("ttl") or "").strip()
    if raw_ttl.isdecimal():  # not isdigit(): int() refuses a superscript "²"
        # The poller caps it at a day; an absurd one overflowed, and past 4300 digits int() refuses it.
        ttl = (min(int(raw_ttl), 100 * 24 * 60) if len(raw_ttl) <= 9 else 100 * 24 * 60) * 60
    feed_title = html_to_text((parsed.get("feed") or {}).get("title")) or None
    return ParsedFeed(title=feed_title, entries=entries, malformed=malformed, ttl_seconds=ttl)
