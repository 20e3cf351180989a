"""`newsbot version`, `newsbot ingest`, `newsbot queue`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from .. import __version__
from ..cli import app, state
from . import platform_list
from ..output import console, print_json


@app.command()
def version() -> None:
    """Print newsbot's version."""
    console.print(f"newsbot {__version__}")


@app.command()
def ingest(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Take the settled files in the queue folder into the store now (and poll feeds that are due)."""
    from datetime import UTC, datetime

    from ..ingest import IngestItem, ingest_queue

    app_state = state(ctx)
    colours = {"ingested": "green", "updated": "cyan", "duplicate": "yellow", "failed": "red", "skipped": "dim"}

    def show(item: IngestItem) -> None:
        if not as_json:
            detail = item.title or ""
            if item.duplicate_of:
                detail = f"duplicate of article {item.duplicate_of}"
            if item.reason:
                detail = item.reason
            colour = colours.get(item.status.value, "white")
            # escape: file names, titles and reasons are data, not markup ("[/]" would crash rich)
            console.print(f"[{colour}]{item.status.value:<9}[/] {escape(item.name)}  {escape(detail or '')}",
                          soft_wrap=True)

    from ..feeds.poll import poll_feeds

    now = datetime.now(UTC)
    report = ingest_queue(app_state.settings, app_state.store, now=now, on_item=show)
    feeds = poll_feeds(app_state.settings, app_state.store, now=now)
    if as_json:
        print_json({**report.to_dict(), "feeds": [f.to_json() for f in feeds]})
        return
    counts = report.counts()
    console.print(", ".join(f"{n} {s}" for s, n in counts.items()) if report.items else "nothing waiting in the queue")
    for feed in feeds:
        colour = "green" if feed.ok else "red"
        detail = f"{len(feed.new_article_ids)} new, {len(feed.updates)} updated" if feed.ok else feed.error
        console.print(f"feed [{colour}]{feed.status}[/] {escape(feed.name or feed.url)}: {escape(detail or '')}",
                      soft_wrap=True)


@app.command("queue")
def queue_command(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The queue folder: files waiting, processed, and failed (with the reason for each)."""
    from ..ingest import queue_listing

    listing = queue_listing(state(ctx).settings)
    if as_json:
        print_json(listing)
        return
    table = Table(title=f"Queue: {escape(str(listing['queue_dir']))}", title_justify="left")
    table.add_column("state")
    table.add_column("file", overflow="fold")
    table.add_column("detail", overflow="fold")
    for section, colour in (("waiting", "cyan"), ("processing", "magenta"), ("processed", "green"), ("failed", "red")):
        for info in listing[section]:
            table.add_row(f"[{colour}]{section}[/]", escape(info["name"]),
                          escape(info.get("reason") or f"{info['size']} bytes"))
    if table.row_count:
        console.print(table)
    else:
        console.print(f"The queue {escape(str(listing['queue_dir']))} is empty: drop article files there "
                      "(see queue/README.md).")


@app.command()
def preview(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(None, help="Article files or folders (default: the waiting queue)."),
    platform: str = typer.Option(None, "--platform", "-p", help="Comma-separated platforms (default: configured, else all)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    html_file: Path = typer.Option(None, "--html", help="Also write a self-contained HTML page to this file."),
) -> None:
    """Dry run: show exactly what would be posted, where and when. Sends nothing, moves nothing, writes nothing."""
    from datetime import UTC, datetime

    from ..preview import build_preview, render_terminal

    settings = state(ctx).settings
    platforms = platform_list(platform)
    report = build_preview(settings, paths or None, now=datetime.now(UTC), platforms=platforms)
    if html_file is not None:
        from ..preview_html import render_html

        try:
            html_file.write_text(render_html(report), encoding="utf-8")
        except OSError as exc:
            raise typer.BadParameter(f"cannot write {str(html_file)!r} ({exc.strerror}); give a file in a folder "
                                     "that exists and that you may write to", param_hint="'--html'") from None
    if as_json:
        print_json(report.as_json())
    else:
        render_terminal(report, console)
        if html_file is not None:
            console.print(f"HTML preview written to {escape(str(html_file))}")
    if any(item.error for item in report.articles):
        raise typer.Exit(1)  # a script or CI check of an edited template sees that something cannot be posted
