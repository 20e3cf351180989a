"""Logging for the daemon: one line per event, readable text by default, one JSON object per line for machines.

An *event* is a log record with an ``event`` name in ``extra`` (``ingested``, ``planned``, ``sent``,
``failed`` …) and its fields (``post_id``, ``platform``, ``url``, ``reason`` …); ``event(...)`` makes one.
The text form is ``<time> <LEVEL> <event> <message>``; ``--log-json`` writes
``{"time", "level", "event", "message", …fields}``. Other records (warnings from libraries) come out the same
way with ``event`` set to the logger's name.

Secrets never reach the output: every credential in the settings is replaced by ``***`` in the final line,
whatever code logged it (an exception message quoting a token, a library echoing a header).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

from pydantic import SecretStr

from .config import Settings

EVENTS = logging.getLogger("newsbot.events")
REDACTED = "***"
# Lines the daemon logs itself, from the reports these functions return, with structure: theirs would be the
# same events twice. Matched by exact template, so a reworded or new line is shown (twice at worst, never lost).
REPORTED_ELSEWHERE = {
    "newsbot.publish": {
        "reconciled post %s on %s: it was sent (%s)",
        "reconciled post %s on %s: not sent, planned again",
        "sent post %s to %s: %s",
        "post %s on %s will be retried at %s: %s",
        "post %s on %s failed: %s",
    },
    "newsbot.pipeline": {
        "article %s could not be composed: %s",
        "article %s was updated before posting: its posts were composed again",
    },
}
# Secrets shorter than this are not redacted: replacing "ab" everywhere would mangle every line.
MIN_SECRET_LENGTH = 6
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def event(name: str, message: str, *, level: int = logging.INFO, **fields: Any) -> None:
    """Log one event: ``event("sent", "post 3 to bluesky: https://…", post_id=3, platform="bluesky")``."""
    EVENTS.log(level, message, extra={"event": name, "fields": fields})


def secrets_of(settings: Settings) -> list[str]:
    """The values of every credential in ``settings`` (what must never be printed)."""
    found = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            secret = value.get_secret_value()
            if len(secret) >= MIN_SECRET_LENGTH:
                found.append(secret)
    return found


def redact(text: str, settings: Settings) -> str:
    """``text`` with every credential of ``settings`` replaced by ``***`` (for messages kept or shown outside
    the log: a platform's error that echoes a token back must not carry it into the outbox or the terminal)."""
    for secret in sorted(secrets_of(settings), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


class _Formatter(logging.Formatter):
    def __init__(self, as_json: bool, secrets: Iterable[str], tracebacks: bool) -> None:
        super().__init__()
        self.as_json = as_json
        self.tracebacks = tracebacks
        # Longest first, so a secret that contains another is replaced whole.
        self.secrets = sorted(set(secrets), key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and self.tracebacks and not self.as_json:
            message += "\n" + self.formatException(record.exc_info)  # --verbose: the one multi-line case
        name = getattr(record, "event", None) or record.name
        fields: dict[str, Any] = dict(getattr(record, "fields", None) or {})
        for key, value in vars(record).items():  # plain `extra=` fields of non-event records
            if key not in _STANDARD and key not in ("event", "fields"):
                fields.setdefault(key, value)
        moment = datetime.fromtimestamp(record.created, UTC)
        if self.as_json:
            data: dict[str, Any] = {
                "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "level": record.levelname.lower(),
                "event": name,
                "message": message,
                **{k: _plain(v) for k, v in fields.items()},
            }
            if record.exc_info:
                data["traceback"] = self.formatException(record.exc_info)
            # Redact values before encoding: JSON escapes would hide a secret with a quote or a backslash.
            data = {k: self.redact(v) if isinstance(v, str) else v for k, v in data.items()}
            return self.redact(json.dumps(data, ensure_ascii=False, default=str))
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        return self.redact(f"{stamp} {record.levelname:<7} {name:<10} {message}")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


class _DropReported(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg not in REPORTED_ELSEWHERE.get(record.name, ())


def setup_logging(
    settings: Settings | None = None,
    *,
    as_json: bool = False,
    level: int = logging.INFO,
    stream: IO[str] | None = None,
    extra_secrets: Iterable[str] = (),
) -> logging.Handler:
    """Send log records to ``stream`` (stderr) one line each; returns the handler (tests remove it).

    newsbot's own loggers (``newsbot.*`` and ``bot.*``) log at ``level``; other libraries only from WARNING,
    so a publish tick is not a page of HTTP request lines.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    secrets = [*(secrets_of(settings) if settings is not None else ()), *extra_secrets]
    # Tracebacks: a field of the JSON line; in text only with --verbose (one line per event otherwise).
    handler.setFormatter(_Formatter(as_json, secrets, tracebacks=as_json or level <= logging.DEBUG))
    handler.addFilter(_DropReported())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_newsbot", False)]:
        root.removeHandler(old)
    handler._newsbot = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in ("newsbot", "bot"):
        logging.getLogger(name).setLevel(level)
    # APScheduler says "Running job …" on every tick, and warns when a tick is skipped because the last pass
    # is still sending or ran late: by design harmless here (the outbox holds the truth), so errors only.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    return handler


def remove_logging(handler: logging.Handler) -> None:
    logging.getLogger().removeHandler(handler)
    handler.close()
