"""One exception tree for the whole bot.

Every error a person can act on is a ``BotError``; its message says how to fix the problem.
The CLI (``bot.cli``) is the one place these become messages and exit codes.
"""

from __future__ import annotations

from datetime import datetime


class BotError(Exception):
    """Base of every error newsbot raises on purpose. ``exit_code`` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(BotError):
    """A setting is missing or invalid ("set BLUESKY_APP_PASSWORD in .env")."""

    exit_code = 2


class IngestError(BotError):
    """An article could not be read; the file is quarantined with this reason."""

    exit_code = 3


class AnalyzeError(BotError):
    """An article could not be analysed (no body, no sentences)."""

    exit_code = 3


class ComposeError(BotError):
    """A template is broken or a post cannot be made to fit."""

    exit_code = 4


class TemplateError(ComposeError):
    """A template file itself is broken (missing, not UTF-8, bad syntax, an unknown variable): no article's
    fault, so the articles waiting to be composed wait for the fix instead of failing."""


class StoreError(BotError):
    """The database cannot be opened, migrated or locked."""

    exit_code = 5


class AlreadyRunningError(StoreError):
    """Another ``newsbot run`` holds the database."""


class NotFoundError(BotError):
    """An id given on the command line does not exist."""

    exit_code = 6


class PlatformError(BotError):
    """A platform refused or failed a request.

    ``retryable`` says whether trying again later may succeed (timeouts, 5xx, 429);
    ``reset_at`` is when the platform says it will accept requests again, if it said.
    """

    exit_code = 7

    def __init__(
        self,
        platform: str,
        message: str,
        *,
        retryable: bool = False,
        reset_at: datetime | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.platform = platform
        self.retryable = retryable
        self.reset_at = reset_at
        self.status = status


class DuplicateContentError(PlatformError):
    """The platform says this exact text was already posted (X's 403 duplicate content)."""
