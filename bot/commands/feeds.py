"""`newsbot feeds add|list|remove|poll|enable|disable` and `newsbot add URL`."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from ..cli import app, state
from ..models import Priority
from ..output import console, print_json

MAX_INTERVAL_MINUTES = 525_600

feeds_app = typer.Typer(help="RSS/Atom feeds: subscribe, list with their status, unsubscribe, poll now.", no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")


def _priority(value: str) -> Priority:
    try:
        return Priority(value.lower())
    except ValueError:
        raise typer.BadParameter(f"choose one of {', '.join(p.value for p in Priority)}") from None


def _when(value: datetime | None) -> str:
    return value.strftime("%m-%d %H:%M") if value else "—"


@feeds_app.command("add")
def feeds_add(
    ctx: typer.Context,
    url: str = typer.Argument(..., help="The feed's URL (RSS or Atom)."),
    name: str = typer.Option(None, "--name", "-n", help="A name to show instead of the URL."),
    priority: str = typer.Option("normal", "--priority", "-p", help="breaking, normal or evergreen."),
    backfill: int = typer.Option(0, "--backfill", "-b", min=0, help="Ingest the newest K existing entries (default: none)."),
    interval: float = typer.Option(None, "--interval", help="Minutes between polls (default: NEWSBOT_INGEST_INTERVAL_MINUTES)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Subscribe to a feed. Its existing entries are marked seen on the first poll, unless --backfill K."""
    from ..feeds.registry import add_feed

    if interval is not None and not (math.isfinite(interval) and 0 < interval <= MAX_INTERVAL_MINUTES):
        # nan, inf or 1e300 minutes are no number of seconds a database column holds
        raise typer.BadParameter(f"{interval:g} is not a number of minutes between polls; give one above 0 and at "
                                 f"most {MAX_INTERVAL_MINUTES} (a year), e.g. 15", param_hint="'--interval'")
    s = state(ctx)
    minutes = interval if interval is not None else s.settings.ingest_interval_minutes
    feed = add_feed(
        s.store, url, name=name, priority=_priority(priority), backfill=backfill,
        interval_seconds=max(60, round(minutes * 60)), now=datetime.now(UTC),
    )  # fmt: skip
    if as_json:
        print_json(_feed_json(feed, {}))
        return
    then = f"the newest {backfill} entries will be ingested" if backfill else "existing entries will be marked seen"
    console.print(f"subscribed to {escape(feed.url)} (feed {feed.id}); on the first poll {then}", soft_wrap=True)


def _feed_json(feed: Any, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": feed.id,
        "url": feed.url,
        "name": feed.name,
        "priority": feed.priority.value,
        "status": "disabled" if feed.disabled else feed.status,
        "last_status": feed.status,
        "last_error": feed.last_error,
        "error_count": feed.error_count,
        "disabled": feed.disabled,
        "interval_seconds": feed.interval_seconds,
        "next_poll_at": feed.next_poll_at,
        "last_polled_at": feed.last_polled_at,
        "last_ok_at": feed.last_ok_at,
        "entries": counts,
    }


@feeds_app.command("list")
def feeds_list(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every feed with its status: ok, not modified, or the error and why."""
    from ..feeds.registry import entry_counts, list_feeds

    s = state(ctx)
    feeds = list_feeds(s.store)
    counts = entry_counts(s.store)
    if as_json:
        print_json([_feed_json(f, counts.get(f.id, {})) for f in feeds])
        return
    if not feeds:
        console.print("no feeds; add one with `newsbot feeds add URL`")
        return
    table = Table(title="Feeds (times in UTC)", title_justify="left")
    for column in ("id", "feed", "status", "articles", "pending", "last poll", "next poll"):
        table.add_column(column, overflow="fold")
    problems = []
    for f in feeds:
        c = counts.get(f.id, {})
        label = f.status.replace("_", " ")
        healthy = f.status in ("ok", "not_modified", "new")
        status = "[red]disabled[/]" if f.disabled else label if healthy else f"[yellow]{label}[/]"
        table.add_row(
            str(f.id), escape(f.label), status, str(c.get("article", 0)), str(c.get("pending", 0)),
            _when(f.last_polled_at), "—" if f.disabled else _when(f.next_poll_at),
        )  # fmt: skip
        if f.last_error:
            streak = f" ({f.error_count} failed poll{'s' if f.error_count != 1 else ''} in a row)" if f.error_count else ""
            problems.append(f"feed {f.id} ({f.label}): {label} — {f.last_error}{streak}")
    console.print(table)
    for line in problems:
        console.print(line, soft_wrap=True, markup=False)  # feed names and errors are data, not markup


@feeds_app.command("remove")
def feeds_remove(ctx: typer.Context, feed: str = typer.Argument(..., help="The feed's id or URL.")) -> None:
    """Unsubscribe from a feed (the articles it brought stay)."""
    from ..feeds.registry import find_feed, remove_feed

    s = state(ctx)
    removed = remove_feed(s.store, find_feed(s.store, feed).id)
    console.print(f"unsubscribed from {escape(removed.label)} (feed {removed.id})", soft_wrap=True)


@feeds_app.command("disable")
def feeds_disable(ctx: typer.Context, feed: str = typer.Argument(..., help="The feed's id or URL.")) -> None:
    """Stop polling a feed without forgetting it."""
    from ..feeds.registry import find_feed, set_disabled

    s = state(ctx)
    f = set_disabled(s.store, find_feed(s.store, feed).id, True)
    console.print(f"feed {f.id} ({escape(f.label)}) disabled", soft_wrap=True)


@feeds_app.command("enable")
def feeds_enable(ctx: typer.Context, feed: str = typer.Argument(..., help="The feed's id or URL.")) -> None:
    """Poll a disabled feed again (its error counts start over)."""
    from ..feeds.registry import find_feed, set_disabled

    s = state(ctx)
    f = set_disabled(s.store, find_feed(s.store, feed).id, False, now=datetime.now(UTC))
    console.print(f"feed {f.id} ({escape(f.label)}) enabled; it is polled next time", soft_wrap=True)


@feeds_app.command("poll")
def feeds_poll(
    ctx: typer.Context,
    feed: list[str] = typer.Argument(None, help="Feed ids or URLs (default: every feed that is due)."),
    all_feeds: bool = typer.Option(False, "--all", help="Poll every enabled feed now, due or not."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Poll feeds now and print what each brought."""
    from ..feeds.poll import poll_feeds
    from ..feeds.registry import find_feed

    s = state(ctx)
    ids = [find_feed(s.store, f).id for f in feed] if feed else None
    results = poll_feeds(s.settings, s.store, now=datetime.now(UTC), force=all_feeds, feed_ids=ids)
    if as_json:
        print_json([r.to_json() for r in results])
        return
    if not results:
        console.print("no feed is due; `--all` polls them anyway")
    for r in results:
        label = escape(r.name or r.url)
        if r.ok:
            bits = [f"{len(r.new_article_ids)} new"]
            if r.updates:
                bits.append(f"{len(r.updates)} updated")
            if r.duplicate_article_ids:
                bits.append(f"{len(r.duplicate_article_ids)} duplicate")
            if r.marked_seen:
                bits.append(f"{r.marked_seen} existing marked seen")
            if r.pending:
                bits.append(f"{r.pending} waiting for their page")
            console.print(f"{label}: {r.status} — {', '.join(bits)}" + (f" ({escape(r.error)})" if r.error else ""),
                          soft_wrap=True)
        else:
            console.print(f"[yellow]{label}: {r.status}[/] — {escape(r.error or '')}", soft_wrap=True)


@app.command("add")
def add(
    ctx: typer.Context,
    url: str = typer.Argument(..., help="An article's URL: fetched, extracted and ingested as an article."),
    priority: str = typer.Option("normal", "--priority", "-p", help="breaking, normal or evergreen."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Queue one web page: fetch it, extract the article, ingest it."""
    from ..feeds.articles import add_url

    s = state(ctx)
    result = add_url(s.settings, s.store, url, priority=_priority(priority))
    if as_json:
        print_json(result.__dict__)
        return
    if result.duplicate_of is not None:
        console.print(f"duplicate of article {result.duplicate_of}: {escape(result.title or result.url or '')} "
                      f"(recorded as {result.article_id})", soft_wrap=True)
    else:
        console.print(f"ingested article {result.article_id}: {escape(result.title or '(no title)')} — "
                      f"{escape(result.url or '')}", soft_wrap=True)


@feeds_app.command("updates")
def feeds_updates(
    ctx: typer.Context,
    article: int = typer.Option(None, "--article", "-a", help="Only this article's updates."),
    open_only: bool = typer.Option(False, "--open", help="Only updates not yet handled (re-composed)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Articles whose feed entry was edited after ingest, and what that means for their posts."""
    from ..feeds.articles import list_updates

    rows = list_updates(state(ctx).store, article_id=article, unhandled_only=open_only)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("no article was updated by its feed")
        return
    meaning = {
        "recompose": "posts still planned: to be composed again",
        "record": "already posted: consider a correction",
        "none": "nothing composed yet",
    }
    for r in rows:
        title = r["new_title"] if r["new_title"] == r["old_title"] else f"{r['old_title']!r} → {r['new_title']!r}"
        handled = " (handled)" if r["handled_at"] else ""
        console.print(
            f"{_when(r['detected_at'])}  article {r['article_id']}: {title} — {meaning.get(str(r['action']), r['action'])}{handled}",
            soft_wrap=True,
            markup=False,  # titles are data, not markup
        )
