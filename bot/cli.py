"""The command line: each command parses, calls one library function, prints.

This module is also the one error boundary: a ``BotError`` becomes a one-line message and its exit code;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import logging
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

try:  # typer ≥ 0.26 carries its own copy of click's exceptions
    from typer._click.exceptions import ClickException as UsageProblem
except ImportError:  # pragma: no cover - older typer on click
    from click import ClickException as UsageProblem  # type: ignore[assignment]

from .errors import BotError
from .output import err_console

if TYPE_CHECKING:
    from .config import Settings
    from .store import Store

app = typer.Typer(
    name="newsbot",
    help="Turn news articles into posts for X, Bluesky and Mastodon, and publish them on schedule, exactly once.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


_LOGGERS_SET_UP = ("", "newsbot", "bot", "apscheduler")  # the levels logs.setup_logging sets


class AppContext:
    """What every command may need, created on first use: settings are read once, here, at the edge."""

    def __init__(self, env_file: Path | None, debug: bool) -> None:
        self.env_file = env_file
        self.debug = debug
        self._store: Store | None = None
        self._log_handler: logging.Handler | None = None
        self._log_levels: dict[str, int] = {}

    @cached_property
    def settings(self) -> Settings:
        from .config import load_settings
        from .logs import setup_logging

        settings = load_settings(self.env_file)
        self._log_levels = {name: logging.getLogger(name).level for name in _LOGGERS_SET_UP}
        # What the library logs (a retry, a feed that failed) goes out as the daemon's lines do: one line each,
        # every credential replaced by ***. Python's last-resort handler printed it raw, with any traceback.
        # The lines a command reports itself (`post`: "will be retried …") are left out, as in the daemon.
        self._log_handler = setup_logging(settings, level=logging.DEBUG if self.debug else logging.WARNING)
        return settings

    @property
    def store(self) -> Store:
        if self._store is None:
            from .store import open_store

            self._store = open_store(self.settings.db_url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
        if self._log_handler is not None:
            from .logs import remove_logging

            remove_logging(self._log_handler)
            for name, level in self._log_levels.items():  # as they were: a program calling main() keeps its own
                logging.getLogger(name).setLevel(level)


@app.callback()
def _root(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks for errors."),
    env_file: Path = typer.Option(Path(".env"), "--env-file", help="Settings file to read (beside the environment)."),
) -> None:
    global _current
    state = AppContext(env_file if env_file.exists() else None, debug)
    ctx.obj = _current = state
    ctx.call_on_close(state.close)


_current: AppContext | None = None  # this run's context, for the error boundary in main()


def _redacted(exc: BotError) -> BotError:
    """``exc`` with every credential replaced by ***: a platform's refusal may quote the token it was sent
    (`newsbot delete` prints it straight from the platform). Only when the settings were read: a ConfigError
    comes before that, and never carries a credential."""
    settings = _current.__dict__.get("settings") if _current is not None else None
    if settings is not None:
        from .logs import redact

        exc.message = redact(exc.message, settings)
        exc.args = (exc.message, *exc.args[1:])
    return exc


def state(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext)
    return obj


# Commands live in bot/commands/, one module per noun; importing them registers them on `app`.
from .commands import register_all  # noqa: E402

register_all()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``newsbot`` console script: the one place errors become exit codes."""
    global _current
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    _current = None
    try:
        code = app(args=args, standalone_mode=False, prog_name="newsbot")
        if isinstance(code, int) and code:
            sys.exit(code)  # typer.Exit(n) comes back as a return value when not standalone
    except BotError as exc:
        _redacted(exc)
        if debug:
            raise
        # escape: messages carry file names, titles and URLs, which rich would read as markup ("[/]", "[postgres]")
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except UsageProblem as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("interrupted")
        sys.exit(130)
