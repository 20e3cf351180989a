"""From feed entries and pages to stored articles: canonical URL, dedup keys, updates, and `newsbot add URL`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit
from datetime import datetime

from sqlalchemy import Connection, func, or_, select

from ..config import Settings
from ..errors import IngestError
from ..ingest.urls import canonical_url
from ..models import Article, ArticleState, Priority, normalise_for_hash
from ..store import NOT_ORIGINALS, Store, utcnow
from ..store import schema as s
from .fetch import Fetcher, FetchError
from .pages import PageContent, extract_page
from .parse import FeedEntry

LEAD_WORDS = 40  # the "lead" in the title + lead fingerprint: the opening words of the body
_HTML_TYPES = ("text/html", "application/xhtml+xml", "")


def safe_canonical(url: str | None) -> str | None:
    """``canonical_url`` or None for anything that is not an absolute http(s) URL."""
    if not url:
        return None
    try:
        return canonical_url(url)
    except ValueError:
        return None


def lead_fingerprint(title: str | None, text: str) -> str | None:
    """sha256 of the normalised title and the body's first ``LEAD_WORDS`` words; None without a title.

    Catches the same story republished with a different URL and a lightly edited tail.
    """
    title_norm = normalise_for_hash(title or "")
    if not title_norm:
        return None
    lead = " ".join(normalise_for_hash(text).split()[:LEAD_WORDS])
    return hashlib.sha256(f"{title_norm}\n{lead}".encode()).hexdigest()


def fetch_page(fetcher: Fetcher, url: str) -> PageContent:
    """Fetch and extract one article page; ``FetchError`` when it cannot be had or holds no article."""
    result = fetcher.get(url, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
    if result.content_type not in _HTML_TYPES:
        raise FetchError("not_html", f"{url} is {result.content_type}, not an HTML page", url=url)
    charset = re.search(r"""charset\s*=\s*["']?([\w.:-]+)""", result.headers.get("content-type", ""), re.I)
    try:
        page = extract_page(result.content, result.final_url, charset=charset.group(1) if charset else None)
    except Exception as exc:  # an extractor bug on this page: no article found here, and waiting won't help
        raise FetchError(
            "no_article", f"could not extract the article from {result.final_url} ({type(exc).__name__}: {exc})", url=url
        ) from None
    if not page.text.strip():
        raise FetchError("no_article", f"no article text found on {result.final_url}", url=url)
    return page


def article_from_parts(
    *, source: str, entry: FeedEntry | None, page: PageContent | None, priority: Priority = Priority.NORMAL
) -> Article:
    """One article from what the feed said and what the page said: the page's body when it is longer (the feed
    had a teaser), the feed's title (the editor's headline), the page's declared canonical URL."""
    entry_text = entry.text if entry else ""
    page_text = page.text if page else ""
    text = page_text if len(page_text) > len(entry_text) else entry_text
    declared = safe_canonical(page.canonical_url if page else None)
    if declared is not None and urlsplit(declared).path == "/" and not urlsplit(declared).query:
        # A home page declared as an article's canonical is a misconfigured theme (it does it on every page):
        # taken as the URL, each story of the site after the first would be a duplicate and never posted.
        declared = None
    url = declared or safe_canonical(entry.link if entry else None)
    if url is None and page is not None:
        url = safe_canonical(page.url)
    summary = entry.summary if entry and entry.summary and entry.summary != text else None
    if summary is None and page and page.description and page.description != text:
        summary = page.description
    return Article(
        source=source,
        text=text,
        title=(entry.title if entry else None) or (page.title if page else None),
        url=url,
        published=(entry.published if entry else None) or (page.published if page else None),
        priority=priority,
        image=(entry.image if entry else None) or (page.image if page else None),
        language=page.language if page else None,
        outlet=page.site_name if page else None,
        summary=summary,
    )


def find_duplicate(conn: Connection, article: Article) -> int | None:
    """An article already stored with the same canonical URL, content hash, or title + lead fingerprint."""
    t = s.articles
    cond = t.c.content_hash == article.content_hash
    if article.url:
        cond = or_(cond, t.c.canonical_url == article.url)
    found = conn.execute(select(t.c.id).where(cond, t.c.state.not_in(NOT_ORIGINALS)).order_by(t.c.id).limit(1)).scalar()
    if found is not None:
        return int(found)
    lead = lead_fingerprint(article.title, article.text)
    if lead is None:
        return None
    k = s.article_keys
    found = conn.execute(
        select(k.c.article_id)
        .join(t, t.c.id == k.c.article_id)
        .where(k.c.kind == "lead", k.c.value == lead, t.c.state.not_in(NOT_ORIGINALS))
        .order_by(k.c.article_id)
        .limit(1)
    ).scalar()
    return int(found) if found is not None else None


def store_article(store: Store, conn: Connection, article: Article) -> tuple[int, int | None]:
    """Add ``article`` (or a duplicate record of it) inside ``conn``'s transaction: (article id, duplicate of)."""
    original = find_duplicate(conn, article)
    if original is not None:
        return store.add_article(article, ArticleState.DUPLICATE, duplicate_of=original, conn=conn), original
    article_id = store.add_article(article, conn=conn)
    lead = lead_fingerprint(article.title, article.text)
    if lead is not None:
        conn.execute(s.article_keys.insert().values(article_id=article_id, kind="lead", value=lead))
    return article_id, None


# --- updates --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ArticleUpdate:
    """An article whose source changed after ingest. ``action``: ``recompose`` (posts still planned: compose
    them again), ``record`` (already sent: shown by `newsbot status`), ``none`` (nothing composed yet)."""

    article_id: int
    source: str
    old_title: str | None
    new_title: str | None
    action: str
    planned_posts: int
    sent_posts: int


def record_update(conn: Connection, article_id: int, old: Article, new: Article, now: datetime) -> ArticleUpdate:
    p = s.posts
    rows = conn.execute(select(p.c.state, func.count()).where(p.c.article_id == article_id).group_by(p.c.state))
    states: dict[str, int] = {str(state): int(n) for state, n in rows}
    # still composable: nothing has left for these yet (unplanned ones wait for room in the schedule)
    planned = states.get("planned", 0) + states.get("unplanned", 0)
    sent = states.get("sent", 0) + states.get("sending", 0)
    action = "recompose" if planned else "record" if sent else "none"
    conn.execute(
        s.article_updates.insert().values(
            article_id=article_id,
            source=old.source,
            old_title=old.title,
            new_title=new.title,
            old_hash=old.content_hash,
            new_hash=new.content_hash,
            action=action,
            detected_at=now,
        )
    )
    return ArticleUpdate(article_id, old.source, old.title, new.title, action, planned, sent)


def list_updates(store: Store, *, article_id: int | None = None, unhandled_only: bool = False) -> list[dict[str, Any]]:
    """Recorded article updates, newest first (for `newsbot status` and the re-compose job)."""
    t = s.article_updates
    query = select(t).order_by(t.c.id.desc())
    if article_id is not None:
        query = query.where(t.c.article_id == article_id)
    if unhandled_only:
        query = query.where(t.c.handled_at.is_(None))
    with store.engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def mark_update_handled(store: Store, update_id: int, now: datetime | None = None) -> None:
    """The lead's re-compose job calls this once the planned posts were composed again."""
    with store.transaction() as conn:
        conn.execute(s.article_updates.update().where(s.article_updates.c.id == update_id).values(handled_at=now or utcnow()))


# --- newsbot add URL ------------------------------------------------------------------------------
@dataclass(frozen=True)
class AddResult:
    article_id: int
    url: str | None
    title: str | None
    duplicate_of: int | None = None


def add_url(
    settings: Settings,
    store: Store,
    url: str,
    *,
    priority: Priority = Priority.NORMAL,
    client: Fetcher | None = None,
) -> AddResult:
    """Fetch one article page, extract it and ingest it as an article (or record it as a duplicate)."""
    try:
        canonical_url(url)
    except ValueError as exc:
        raise IngestError(str(exc)) from None
    fetcher = client or Fetcher.from_settings(settings)
    try:
        page = fetch_page(fetcher, url.strip())
    finally:
        if client is None:
            fetcher.close()
    article = article_from_parts(source=url.strip(), entry=None, page=page, priority=priority)
    with store.transaction() as conn:
        article_id, original = store_article(store, conn, article)
    return AddResult(article_id=article_id, url=article.url, title=article.title, duplicate_of=original)


def keep_identity(new: Article, old: Article) -> Article:
    """An updated article keeps where it came from and what the editor set (priority, embargo)."""
    return replace(new, source=old.source, priority=old.priority, embargo=old.embargo)
