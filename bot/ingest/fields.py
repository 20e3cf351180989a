"""Metadata fields shared by the structured formats (Markdown front matter, JSON, HTML): read and checked.

Each helper takes the field's name so a wrong value is reported as "published: … is not a date",
which is what a person fixing the file needs to see. Pure functions, no I/O.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from email.utils import parsedate_to_datetime
from typing import Any

from ..errors import IngestError
from ..models import Article, Priority
from .urls import canonical_url

# The fields a structured article file may carry (anything else is ignored).
ARTICLE_FIELDS = (
    "title", "url", "published", "tags", "image", "image_alt", "priority", "embargo", "summary",
    "language", "outlet",
)
# Other common spellings (Jekyll/Hugo front matter, CMS exports) and the field they mean.
ALIASES = {
    "date": "published", "pubdate": "published", "published_at": "published", "link": "url",
    "canonical_url": "url", "headline": "title", "lang": "language", "description": "summary",
    "keywords": "tags", "alt": "image_alt", "embargoed_until": "embargo",
}
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d %B %Y %H:%M", "%d %B %Y", "%B %d, %Y", "%Y/%m/%d")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother = 2, 4, 4, 80, 80


def _shown(value: Any, width: int) -> str:
    """A value quoted in a message, cut to ``width``. Never spelled out in full first: YAML aliases can make
    a ten-line file a list of millions of strings."""
    return _REPR.repr(value)[:width]


def _type_name(value: Any) -> str:
    return {list: "a list", dict: "a mapping", bool: "true/false", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def text_field(data: Mapping[str, Any], name: str) -> str | None:
    """An optional string field; numbers are accepted as their text, empty strings count as absent."""
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise IngestError(f"{name}: expected text, got {_type_name(value)} ({_shown(value, 60)})")
    text = str(value).strip()
    return text or None


def url_field(data: Mapping[str, Any], name: str) -> str | None:
    """An optional http(s) URL, returned in canonical form."""
    value = text_field(data, name)
    if value is None:
        return None
    try:
        return canonical_url(value)
    except ValueError as exc:
        raise IngestError(f"{name}: {exc}") from None


def parse_datetime(value: str) -> datetime | None:
    """ISO 8601 ("2024-05-01T09:30:00+02:00", "2024-05-01"), RFC 2822 (feeds, e-mail) or a few common
    spelled-out forms; None if it is none of them. The result may be naive (no zone given)."""
    text = value.strip()
    if not text:
        return None
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    else:
        # A zone name the e-mail form does not know ("CEST", "BRT") comes back as no zone at all, which
        # would be read as UTC: hours off, and for an embargo possibly early. Refused instead.
        if parsed.tzinfo is not None or not text.split()[-1].isalpha():
            return parsed
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def aware(moment: datetime) -> datetime:
    """A timezone-aware datetime: one given without a zone is taken to be UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def date_field(data: Mapping[str, Any], name: str) -> datetime | None:
    """An optional date/time, timezone-aware. A value without a zone is read as UTC (documented in
    queue/README.md); a bare date means midnight UTC. YAML gives dates and datetimes already parsed."""
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return aware(value)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=UTC)
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None:
            return aware(parsed)
        raise IngestError(
            f"{name}: {_shown(value, 60)} is not a date I can read; write it as ISO 8601, "
            "e.g. 2024-05-01T09:30:00+02:00 (or 2024-05-01)"
        )
    raise IngestError(f"{name}: expected a date like 2024-05-01T09:30:00+02:00, got {_type_name(value)}")


def tags_field(data: Mapping[str, Any], name: str = "tags") -> tuple[str, ...]:
    """Tags as a list of words, or one comma-separated string; '#' is dropped, duplicates removed."""
    value = data.get(name)
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise IngestError(f"{name}: expected a list of words or a comma-separated text, got {_type_name(value)}")
    tags: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise IngestError(f"{name}: every tag must be a word, got {_type_name(item)} ({_shown(item, 40)})")
        tag = str(item).strip().lstrip("#").strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


def priority_field(data: Mapping[str, Any], name: str = "priority") -> Priority:
    value = data.get(name)
    if value is None or value == "":
        return Priority.NORMAL
    choices = ", ".join(p.value for p in Priority)
    if not isinstance(value, str):
        raise IngestError(f"{name}: expected one of {choices}, got {_type_name(value)}")
    try:
        return Priority(value.strip().lower())
    except ValueError:
        raise IngestError(f"{name}: {_shown(value, 40)} is not a priority; use one of {choices}") from None


def language_field(data: Mapping[str, Any], name: str = "language") -> str | None:
    value = text_field(data, name)
    if value is not None and not _LANGUAGE.match(value):
        raise IngestError(f"{name}: {_shown(value, 40)} is not a language code; use one like en, de or pt-BR")
    return value


def image_fields(data: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``image`` (a URL or a path) and ``image_alt``; ``image`` may also be a mapping {url|src, alt}."""
    value = data.get("image")
    alt = text_field(data, "image_alt")
    if isinstance(value, Mapping):
        src = text_field(value, "url") or text_field(value, "src")
        if src is None:
            raise IngestError("image: a mapping needs a 'url' (or 'src') entry")
        return src, alt or text_field(value, "alt")
    return text_field(data, "image"), alt


def normalise_keys(data: Mapping[Any, Any]) -> dict[str, Any]:
    """Keys lower-cased with '-' and spaces read as '_', and aliases ("date", "link" …) mapped to their field."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = re.sub(r"[\s-]+", "_", str(key).strip().lower())
        out.setdefault(name, value)
    for alias, field in ALIASES.items():
        if alias in out and out.get(field) in (None, ""):
            out[field] = out[alias]
    return out


def article_from_fields(data: Mapping[str, Any], *, source: str, text: str) -> Article:
    """An Article from a mapping of the ``ARTICLE_FIELDS`` (checked here) plus its body text."""
    data = normalise_keys(data)
    image, image_alt = image_fields(data)
    return Article(
        source=source,
        text=text,
        title=text_field(data, "title"),
        url=url_field(data, "url"),
        published=date_field(data, "published"),
        embargo=date_field(data, "embargo"),
        priority=priority_field(data),
        tags=tags_field(data),
        image=image,
        image_alt=image_alt,
        language=language_field(data),
        outlet=text_field(data, "outlet"),
        summary=text_field(data, "summary"),
    )
