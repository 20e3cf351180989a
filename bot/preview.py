"""`newsbot preview`: the real pipeline with sending switched off and nothing written.

Read the queue (or the given files) without moving anything, analyze, compose, plan against what the
outbox already holds (read only, when a database exists), and report for each article and platform the
exact texts, their lengths as the platform counts them, thread order, link card and publication time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from .config import Settings
from .errors import BotError
from .models import Analysis, Article, Draft, Part
from .pipeline import preview_platforms, prepare, schedule_requests
from .schedule import Expired, Planned, PostRequest, requests_for

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported only when a database is read
    from .store import Store


@dataclass
class ArticlePreview:
    source: str
    article: Article | None = None
    analysis: Analysis | None = None
    drafts: tuple[Draft, ...] = ()
    scheduled_at: dict[str, datetime | None] = field(default_factory=dict)
    schedule_notes: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    @property
    def headline(self) -> str | None:
        return self.analysis.headline if self.analysis else (self.article.title if self.article else None)


@dataclass
class PreviewReport:
    articles: list[ArticlePreview]
    platforms: list[str]
    timezone: str
    generated_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at,
            "timezone": self.timezone,
            "platforms": self.platforms,
            "articles": [_article_json(a) for a in self.articles],
        }


def _part_json(platform: str, part: Part) -> dict[str, Any]:
    data: dict[str, Any] = {"text": part.text, "length": part.length, "limit": part.limit, "kind": part.kind}
    if platform == "bluesky":
        data["facets"] = [
            {"byteStart": f.byte_start, "byteEnd": f.byte_end, "type": f.kind, "value": f.value} for f in part.facets
        ]
        data["embed"] = (
            None
            if part.card is None
            else {
                "type": "external",
                "uri": part.card.url,
                "title": part.card.title,
                "description": part.card.description,
                "thumb": part.card.image,
                "thumb_alt": part.card.image_alt,
            }
        )
    if part.images:
        data["images"] = [{"source": i.source, "alt": i.alt} for i in part.images]
    return data


def _article_json(a: ArticlePreview) -> dict[str, Any]:
    data: dict[str, Any] = {"source": a.source, "headline": a.headline}
    if a.error:
        data["error"] = a.error
        return data
    assert a.analysis is not None and a.article is not None
    data.update(
        url=a.article.url,
        priority=a.article.priority.value,
        summary=a.analysis.summary,
        quotes=[{"text": q.text, "speaker": q.speaker, "role": q.role, "key": q.key} for q in a.analysis.quotes],
        posts={d.platform: [_part_json(d.platform, p) for p in d.parts] for d in a.drafts},
        scheduled_at=a.scheduled_at,
    )
    if a.schedule_notes:
        data["schedule_notes"] = a.schedule_notes
    return data


def _gather(settings: Settings, paths: Sequence[str] | None) -> list[tuple[str, Article | None, str | None]]:
    from .ingest import read_article_file, read_queue
    from .ingest.files import SUPPORTED_SUFFIXES
    from .ingest.inbox import _unexpected as unexpected_read_error

    if not paths:
        return [(str(q.path), q.article, q.error) for q in read_queue(settings)]
    items: list[tuple[str, Article | None, str | None]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                           and not p.name.startswith(".") and p.name.lower() != "readme.md"
                           and not _is_failure_note(p))
        elif path.exists():
            files = [path]
        elif (settings.queue_dir / raw).exists():
            files = [settings.queue_dir / raw]
        else:
            items.append((raw, None, f"no such file: {raw}"))
            continue
        for file in files:
            try:
                items.append((str(file), read_article_file(file, settings.max_file_bytes), None))
            except BotError as exc:
                items.append((str(file), None, str(exc)))
            except Exception as exc:  # noqa: BLE001 - as the queue's own preview: a parser bug shows on its file
                items.append((str(file), None, unexpected_read_error(exc)))
    return items


def _is_failure_note(path: Path) -> bool:
    """``broken.md.error.txt`` beside ``broken.md`` in queue/failed/: why a file failed, not an article."""
    from .ingest.inbox import ERROR_SUFFIX

    return path.name.endswith(ERROR_SUFFIX) and path.with_name(path.name[: -len(ERROR_SUFFIX)]).exists()


def store_exists(settings: Settings) -> bool:
    """Whether there is a database to read: a preview never creates one."""
    url = settings.db_url
    return not (url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists())


def posts_already_made(store: Store, article_id: int) -> dict[str, str]:
    """Per platform, why `newsbot post` would send nothing new for a stored article: its post there is
    already sent, sending, failed, expired or cancelled, and the outbox makes each post once."""
    from .models import PostState
    from .publish import SUPERSEDED
    from .store.outbox import Outbox

    notes: dict[str, str] = {}
    heads = [r for r in Outbox(store).find(article_id=article_id)
             if r.thread_index == 0 and not (r.last_error or "").startswith(SUPERSEDED)]
    for row in sorted(heads, key=lambda r: r.id):  # the newest row of a platform is the one `post` finds
        if row.state in (PostState.PLANNED.value, PostState.UNPLANNED.value):
            notes.pop(row.platform, None)  # `post` sends it now
            continue
        detail = row.remote_url or row.last_error
        notes[row.platform] = f"{row.state}: `newsbot post` sends nothing new" + (f" ({detail})" if detail else "")
    return notes


def _booked(settings: Settings, now: datetime) -> dict[str, list[datetime]]:
    """What the outbox already holds, read without creating or migrating anything."""
    from datetime import timedelta

    url = settings.db_url
    if not store_exists(settings):
        return {}
    from .store import open_store
    from .store.outbox import Outbox

    store = open_store(url)
    try:
        return Outbox(store).booked(now - timedelta(days=2))
    finally:
        store.close()


def build_preview(
    settings: Settings,
    paths: Sequence[str] | None = None,
    *,
    now: datetime,
    platforms: Sequence[str] | None = None,
    use_store: bool = True,
    articles: Sequence[tuple[str, Article]] | None = None,
    send_now: bool = False,
    ignore_embargo: bool = False,
) -> PreviewReport:
    """The preview of ``paths`` (default: the waiting queue), or of ``articles`` already read,
    given as (source label, article). ``send_now``: as `newsbot post` sends them, every post at ``now``,
    not planned into a slot."""
    chosen = list(platforms) if platforms else preview_platforms(settings)
    from .compose import load_templates

    templates = load_templates(settings.templates_dir)
    previews: list[ArticlePreview] = []
    requests: list[PostRequest] = []
    items = _gather(settings, paths) if articles is None else [(src, a, None) for src, a in articles]
    for index, (source, article, error) in enumerate(items):
        item = ArticlePreview(source, article=article, error=error)
        previews.append(item)
        if article is None:
            continue
        try:
            prepared = prepare(article, settings, chosen, templates=templates)
        except BotError as exc:
            item.error = str(exc)
            continue
        item.analysis, item.drafts = prepared.analysis, prepared.drafts
        if send_now:
            from .posting import embargo_note

            embargoed = None if ignore_embargo else embargo_note(article, settings, now)
            item.scheduled_at = {draft.platform: None if embargoed else now for draft in prepared.drafts}
            if embargoed:
                item.schedule_notes = {draft.platform: f"not sent: {embargoed}" for draft in prepared.drafts}
            continue
        # Zero-padded like the daemon's keys: the planner breaks ties by key, and "10" sorts before "2".
        requests += requests_for(f"{index:012d}", article, chosen, ingested_at=now)
    if requests:
        booked = _booked(settings, now) if use_store else {}
        for outcome in schedule_requests(requests, booked, settings, now):
            item = previews[int(outcome.request.key)]
            platform = outcome.request.platform
            item.scheduled_at[platform] = outcome.at if isinstance(outcome, Planned) else None
            if not isinstance(outcome, Planned):
                item.schedule_notes[platform] = ("expired: " if isinstance(outcome, Expired) else "") + outcome.reason
    return PreviewReport(previews, chosen, settings.timezone, now)


# --- terminal ----------------------------------------------------------------------------------------------

_NAMES = {"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon"}


def render_terminal(report: PreviewReport, console: Console) -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(report.timezone)
    if not report.articles:
        console.print("The queue is empty: drop article files into the queue folder (see queue/README.md).")
        return
    for a in report.articles:
        if a.error:
            # Text, not markup, for anything from an article or a file name: "[/]" in a title must print as is.
            title = Text.assemble((a.source, "red"), " — cannot be posted")
            console.print(Panel(Text(a.error, style="red"), title=title, title_align="left"))
            continue
        assert a.analysis is not None
        blocks: list[Any] = []
        for draft in a.drafts:
            when = a.scheduled_at.get(draft.platform)
            when_text = when.astimezone(tz).strftime("%a %d %b %H:%M %Z") if when else a.schedule_notes.get(
                draft.platform, "not planned")
            blocks.append(Text.assemble((f"{_NAMES.get(draft.platform, draft.platform)}", "bold cyan"),
                                        f"  ·  {when_text}"))
            for i, part in enumerate(draft.parts):
                over = part.length > part.limit
                counter = Text(f"{part.length}/{part.limit}", style="red" if over else "green")
                label = "post" if i == 0 else f"reply {i}"
                blocks.append(Text.assemble(f"  {label} ", counter))
                blocks.append(Text("    " + part.text.replace("\n", "\n    ")))
                if part.card:
                    blocks.append(Text(f"    [card] {part.card.title} — {part.card.url}", style="dim"))
                for image in part.images:
                    blocks.append(Text(f"    [image] {image.source} (alt: {image.alt})", style="dim"))
            blocks.append(Text(""))
        heading = Text.assemble((a.headline or "", "bold"), "  ", (a.source, "dim"))
        console.print(Panel(Group(*blocks), title=heading, title_align="left"))
    ok = sum(1 for a in report.articles if not a.error)
    console.print(f"{ok} article(s) ready, {len(report.articles) - ok} with problems — "
                  f"preview only: nothing was sent, nothing was moved.")
