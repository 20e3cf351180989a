"""`newsbot post`, `status`, `history`, `retry`, `cancel`, `delete`, `doctor`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from ..cli import app, state
from . import platform_list
from ..output import console, print_json

if TYPE_CHECKING:
    from ..posting import PostReport


_platform_list = platform_list


def _when(value: datetime | None, tz: Any) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z") if value else "—"


def _snippet(text: str, limit: int = 80) -> str:
    """A post's text on one line, cut at a word (not "— Anna Nowak, head o") with "…"."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:–—-") + "…"


def _posts_table(title: str, rows: list[dict[str, Any]], tz: Any, *, show: str, with_state: bool = False) -> Table:
    table = Table(title=title, title_justify="left", expand=False)
    for column in ("id", "article", "platform", "#", "when", *(("state",) if with_state else ()), show):
        table.add_column(column, overflow="fold")
    for r in rows:
        when = r["sent_at"] or r["next_attempt_at"] or r["scheduled_at"]
        detail = {"url": r["url"] or r["remote_id"] or r["error"] or "", "error": r["error"] or "",
                  "text": _snippet(r["text"])}[show]
        state_cell = (r["state"],) if with_state else ()
        # Table cells are markup: post texts, URLs and errors are escaped so "[/]" prints as is.
        table.add_row(str(r["id"]), str(r["article_id"]), r["platform"], str(r["thread_index"]), _when(when, tz),
                      *state_cell, escape(detail))
    return table


@app.command()
def post(
    ctx: typer.Context,
    article: str = typer.Argument(..., help="A file (any queue format), a file name in the queue, or an article id."),
    platform: str = typer.Option(None, "--platform", "-p", help="Comma-separated: x,bluesky,mastodon (default: all configured)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be sent; send and write nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ignore_embargo: bool = typer.Option(False, "--ignore-embargo", help="Send an article under embargo now (the embargo was lifted early)."),
) -> None:
    """Publish one article now, outside the schedule — exactly once, however often you run it.

    An article under embargo is refused (exit 1) unless --ignore-embargo."""
    app_state = state(ctx)
    settings = app_state.settings
    if dry_run:
        from ..errors import BotError
        from ..posting import resolve_article
        from ..preview import build_preview, posts_already_made, render_terminal, store_exists

        stored, already = None, {}
        is_id = article.isdigit() and not Path(article).exists() and not (settings.queue_dir / article).exists()
        if is_id or store_exists(settings):  # a dry run of a file never creates a database
            try:
                article_id, found = resolve_article(settings, app_state.store, article)
            except BotError:
                if is_id:
                    raise
                article_id = None  # the preview of the file says what is wrong with it
            if article_id is not None:  # stored already (or a duplicate of one): `post` uses that article
                stored = [(f"article {article}" if is_id else article, found)]
                already = posts_already_made(app_state.store, article_id)
        report = build_preview(settings, [article], now=datetime.now(UTC), platforms=_platform_list(platform),
                               articles=stored, send_now=True, ignore_embargo=ignore_embargo)
        for item in report.articles:
            for name, note in already.items():
                if name in item.scheduled_at:
                    item.scheduled_at[name] = None
                    item.schedule_notes[name] = note
        print_json(report.as_json()) if as_json else render_terminal(report, console)
        # as `post` itself would: exit 1 for an article it cannot post, or would refuse (under embargo)
        from ..posting import embargo_note

        now = report.generated_at

        def refused(item: Any) -> bool:
            return not ignore_embargo and item.article is not None and embargo_note(item.article, settings, now) is not None

        if any(item.error or refused(item) for item in report.articles):
            raise typer.Exit(1)
        return
    from ..posting import post_now

    result = post_now(settings, app_state.store, article, platforms=_platform_list(platform), now=datetime.now(UTC),
                      ignore_embargo=ignore_embargo)
    if as_json:
        print_json(result.as_json())
    else:
        _show_posted(result, settings.tz)
    if any(row.state != "sent" for row in result.posts):
        raise typer.Exit(1)  # the same with --json: a script sees that something was not sent


def _show_posted(result: PostReport, tz: Any) -> None:
    console.print(f"[bold]{escape(result.headline or '')}[/] (article {result.article_id})", soft_wrap=True)
    for row in result.posts:
        mark = {"sent": "[green]sent[/]", "failed": "[red]failed[/]"}.get(row.state, row.state)
        where = row.remote_url or row.last_error or ""
        console.print(f"  {row.platform:<9} #{row.thread_index}  {mark}  {escape(where)}", soft_wrap=True)
    waiting = [row for row in result.posts if row.state == "planned" and row.thread_index == 0]
    if waiting:  # `post` tries once; the retries belong to the daemon or the timer
        first = min(row.next_attempt_at or row.scheduled_at for row in waiting)
        console.print(f"not sent yet: `newsbot run` (or the newsbot-once timer) retries from "
                      f"{_when(first, tz)}; `newsbot status` shows where it stands", soft_wrap=True)


@app.command()
def status(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON."),
           limit: int = typer.Option(20, min=1, help="Rows per section.")) -> None:
    """What is planned, what was sent (with links), what failed (with reasons)."""
    from ..posting import status as library_status

    app_state = state(ctx)
    data = library_status(app_state.store, limit=limit)
    if as_json:
        print_json(data)
        return
    tz = app_state.settings.tz
    counts = ", ".join(f"{n} {s}" for s, n in sorted(data["counts"].items())) or "no posts yet"
    console.print(f"[bold]Outbox:[/] {counts}")
    waiting = data["articles"].get("ingested", 0)
    if waiting:  # taken in by `newsbot ingest`, no posts yet: planning is the daemon's (or the timer's) pass
        console.print(f"{waiting} article{' waits' if waiting == 1 else 's wait'} to be planned: `newsbot run` "
                      f"plans {'it' if waiting == 1 else 'them'} (or `newsbot post ID` sends one now)", soft_wrap=True)
    for title, key, show in (("Planned", "planned", "text"), ("Sent", "sent", "url"),
                             ("Failed or expired", "failed", "error")):
        if data[key]:
            console.print(_posts_table(title, data[key], tz, show=show))
        else:
            console.print(f"[dim]{title}: none[/]")
    if data["failed_articles"]:
        table = Table(title="Articles that could not be composed — fix the cause, then `newsbot post ID` sends one now",
                      title_justify="left")
        for column in ("article", "file", "reason"):
            table.add_column(column, overflow="fold")
        for a in data["failed_articles"]:
            table.add_row(str(a["article_id"]), escape(a["source"] or ""), escape(a["error"] or ""))
        console.print(table)
    if data["updates"]:
        table = Table(title="Articles edited at the source", title_justify="left")
        for column in ("article", "when", "title now", "what newsbot did"):
            table.add_column(column, overflow="fold")
        explain = {
            "recompose": "posts not yet sent were composed again",
            "record": "already posted: consider a correction reply",
            "none": "nothing posted yet",
        }
        for u in data["updates"]:
            table.add_row(str(u["article_id"]), _when(u["detected_at"], tz), escape(u["new_title"] or ""),
                          explain.get(u["action"], u["action"]))
        console.print(table)


@app.command()
def history(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON."),
            limit: int = typer.Option(50, min=1, help="How many posts.")) -> None:
    """Finished posts, newest first: sent (with links), failed, deleted, expired, cancelled."""
    from ..posting import history as library_history

    app_state = state(ctx)
    rows = library_history(app_state.store, limit=limit)
    if as_json:
        print_json(rows)
        return
    console.print(_posts_table("History", rows, app_state.settings.tz, show="url", with_state=True))


@app.command()
def retry(
    ctx: typer.Context,
    post_id: int = typer.Argument(None, help="Post id from `newsbot status`."),
    failed: bool = typer.Option(False, "--failed", help="Every post that failed recently (after fixing what they shared, e.g. credentials)."),
    within: float = typer.Option(24.0, "--within", help="With --failed: only posts that failed in the last this many hours."),
    platform: str = typer.Option(None, "--platform", "-p", help="With --failed: comma-separated platforms (default: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Put a failed or cancelled post back in the queue, due now; --failed does it for every recent failure."""
    from ..errors import ConfigError
    from ..publish import retry_failed, retry_post

    if (post_id is None) == (not failed):
        raise ConfigError("give a post id (`newsbot retry 42`) or --failed (`newsbot retry --failed`), not both")
    if not failed and (within != 24.0 or platform):
        raise ConfigError("--within and --platform choose among failed posts: use them with --failed")
    if failed:
        import math
        from datetime import timedelta

        if not (math.isfinite(within) and 0 < within <= 24 * 365):
            raise typer.BadParameter(f"{within:g} is not a number of hours; give one above 0 and at most "
                                     f"{24 * 365} (a year), e.g. 24", param_hint="'--within'")

        report = retry_failed(state(ctx).store, since=datetime.now(UTC) - timedelta(hours=within),
                              platforms=_platform_list(platform))
        if as_json:
            print_json({"planned": report.planned, "refused": [{"id": i, "error": e} for i, e in report.refused]})
        else:
            console.print(f"{len(report.planned)} failed post(s) planned again: {', '.join(map(str, report.planned)) or '—'}"
                          + ("; the next publish pass sends them" if report.planned else ""), soft_wrap=True)
            for post, why in report.refused:
                console.print(f"post {post} not retried: {escape(why)}", soft_wrap=True)
        return
    left = retry_post(state(ctx).store, post_id)
    if as_json:
        print_json({"planned": [post_id], "still_cancelled": left})
        return
    console.print(f"post {post_id} is planned again; the next publish pass sends it")
    if left:
        how = " and ".join(f"`newsbot retry {i}`" for i in left)
        console.print(f"its thread replies {', '.join(map(str, left))} are still cancelled; {how} to send them too",
                      soft_wrap=True)


@app.command()
def cancel(
    ctx: typer.Context,
    post_id: int = typer.Argument(..., help="Post id from `newsbot status`."),
    force: bool = typer.Option(False, "--force", help="Do not look the post up first (its platform is down)."),
) -> None:
    """Cancel a planned post (and the thread replies after it).

    A post tried before (a send that timed out) is looked up first: if it went out after all, it is recorded as sent, and `newsbot delete ID` takes it down."""
    from ..publish import Publisher, cancel_post

    app_state = state(ctx)
    ids = cancel_post(app_state.store, post_id, None if force else Publisher(app_state.settings, app_state.store))
    console.print(f"cancelled post(s) {', '.join(map(str, ids))}")


@app.command()
def delete(ctx: typer.Context, post_id: int = typer.Argument(..., help="Post id from `newsbot history`.")) -> None:
    """Remove a published post from its platform."""
    from ..publish import Publisher, delete_post

    app_state = state(ctx)
    row = delete_post(Publisher(app_state.settings, app_state.store), post_id)
    console.print(f"deleted post {post_id} from {row.platform} ({escape(row.remote_url or row.remote_id or '')})")


@app.command()
def doctor(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Check each platform's credentials without posting, and say what is ready."""
    from ..posting import doctor as library_doctor

    app_state = state(ctx)
    checks = library_doctor(app_state.settings, app_state.store)
    if as_json:
        print_json([c.__dict__ for c in checks])
    else:
        for c in checks:
            mark = "[green]ready[/]" if c.ready else "[red]not ready[/]"
            console.print(f"{c.platform:<9} {mark}  {escape(c.detail)}", soft_wrap=True)
    if not any(c.ready for c in checks):
        raise typer.Exit(1)
