"""`newsbot run`: the daemon (see bot.daemon)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import typer

from ..cli import app, state

if TYPE_CHECKING:
    from ..config import Settings


@app.command()
def run(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="One ingest + plan + publish pass, then exit (for cron or a systemd timer)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Send nothing: ingest and plan as usual, log each due post as would_send."),
    log_json: bool = typer.Option(False, "--log-json", help="Log one JSON object per line (for journald, Loki, jq)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug detail and tracebacks."),
) -> None:
    """Run the bot: ingest the queue and feeds, plan posting times, publish on schedule, exactly once.

    One `newsbot run` per SQLite database: a second one refuses to start. Ctrl-C or SIGTERM stops it after the post being sent is recorded.

    With --once the exit code is 0 when nothing needs a person, 1 when a file, article or post failed for good or a job crashed (`newsbot status` says why).
    """
    from ..daemon import Daemon, InstanceLock
    from ..logs import remove_logging, setup_logging
    from ..store.backend import parse_url

    app_state = state(ctx)
    settings = app_state.settings
    parse_url(settings.db_url)  # a URL that does not parse is one line naming the setting, before the lock reads it
    _check_before_start(settings)
    handler = setup_logging(settings, as_json=log_json, level=logging.DEBUG if verbose else logging.INFO)
    try:
        # The lock comes before the store is opened: a refused second daemon touches nothing.
        with InstanceLock(settings.db_url):
            daemon = Daemon(settings, app_state.store, dry_run=dry_run)
            if once:
                tally = daemon.run_once()
                if tally.needs_attention:
                    raise typer.Exit(1)
                return
            daemon.run_forever()
    finally:
        remove_logging(handler)


def _check_before_start(settings: Settings) -> None:
    """A schedule setting or a template that no article could pass stops `run` here, with one line (exit 2 or 4).

    Found by the first planning pass instead, it would mark every article taken in meanwhile failed for good
    (each then needing `newsbot post ID`) and fail again on every pass of a daemon that never exits.
    """
    from ..compose import load_templates
    from ..schedule import policy_for

    platforms = settings.enabled_platforms
    for platform in platforms:
        policy_for(settings, platform)
    load_templates(settings.templates_dir).check(tuple(platforms))
