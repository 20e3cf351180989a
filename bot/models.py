"""The nouns that flow through the pipeline.

ingest -> Article -> analyze -> Analysis -> compose -> Draft (one per platform, a thread of Parts)
-> plan -> outbox rows -> publish -> PublishResult.
Everything here is plain data: frozen dataclasses, no I/O.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal


class Priority(StrEnum):
    BREAKING = "breaking"
    NORMAL = "normal"
    EVERGREEN = "evergreen"


class PostState(StrEnum):
    PLANNED = "planned"
    UNPLANNED = "unplanned"  # no allowed time within the planning horizon yet; re-planned every pass
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    DELETED = "deleted"


class ArticleState(StrEnum):
    INGESTED = "ingested"
    PLANNED = "planned"
    DUPLICATE = "duplicate"
    FAILED = "failed"
    DONE = "done"


_WS = re.compile(r"\s+")


def normalise_for_hash(text: str) -> str:
    """Case-, space- and Unicode-form-insensitive form of a text, for duplicate detection."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def content_hash(title: str | None, text: str) -> str:
    """Stable fingerprint of an article's title and body (sha256 of their normalised form)."""
    payload = normalise_for_hash(title or "") + "\n" + normalise_for_hash(text)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Article:
    """An article as ingested: raw body text plus whatever metadata its source gave."""

    source: str  # where it came from: a queue file name, a feed entry id, a URL
    text: str  # the body as found (cleaning happens in analyze)
    title: str | None = None
    url: str | None = None  # canonical URL, when known
    published: datetime | None = None  # timezone-aware
    embargo: datetime | None = None  # not to be posted before this (timezone-aware)
    priority: Priority = Priority.NORMAL
    tags: tuple[str, ...] = ()
    image: str | None = None  # URL or local path of the lead image
    image_alt: str | None = None
    language: str | None = None
    outlet: str | None = None
    summary: str | None = None  # a summary supplied by the source (front matter, feed), if any

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, self.text)


@dataclass(frozen=True)
class Quote:
    """A direct quotation, verbatim from the analysed text.

    ``start``/``end`` are offsets into ``Analysis.text`` covering the quotation *including* its
    quotation marks; ``text`` is the words inside the marks.
    """

    text: str
    start: int
    end: int
    speaker: str | None = None  # full name as first introduced ("Oleksiy Danilov")
    role: str | None = None  # "secretary of the National Security and Defence Council"
    score: float = 0.0  # how good this quote is for a social post (higher is better)
    key: bool = False  # among the top quotes chosen for posts


@dataclass(frozen=True)
class Analysis:
    """What the analysis found in one article. ``text`` is the cleaned text all offsets refer to."""

    headline: str
    summary: str
    summary_sentences: tuple[str, ...]
    quotes: tuple[Quote, ...]
    text: str
    paragraphs: tuple[str, ...]
    language: str = "en"

    @property
    def key_quotes(self) -> tuple[Quote, ...]:
        return tuple(q for q in self.quotes if q.key)


@dataclass(frozen=True)
class Facet:
    """A Bluesky rich-text facet: UTF-8 *byte* offsets into the post text, end exclusive."""

    byte_start: int
    byte_end: int
    kind: Literal["link", "tag", "mention"]
    value: str  # the full URL, the tag without '#', or the DID/handle


@dataclass(frozen=True)
class LinkCard:
    """A link preview: Bluesky's external embed; X and Mastodon build their own from the URL."""

    url: str
    title: str
    description: str
    image: str | None = None  # URL or local path of the thumbnail source
    image_alt: str | None = None


@dataclass(frozen=True)
class Image:
    source: str  # URL or local path
    alt: str


@dataclass(frozen=True)
class Part:
    """One post of a (possibly one-post) thread, exactly as it would be sent."""

    text: str
    length: int  # as the platform counts it
    limit: int
    facets: tuple[Facet, ...] = ()
    card: LinkCard | None = None
    images: tuple[Image, ...] = ()
    kind: str = "main"  # "main" or "quote" (a thread reply)


@dataclass(frozen=True)
class Draft:
    """Everything one platform would get for one article: a thread of one or more parts."""

    platform: str
    parts: tuple[Part, ...]
    language: str | None = None


@dataclass(frozen=True)
class PublishResult:
    """What a platform said about a published post."""

    remote_id: str
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. Bluesky's uri + cid for reply refs
