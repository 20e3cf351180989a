"""Terminal and JSON output: rich for people (stdout), plain JSON for machines, progress on stderr."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from rich.console import Console

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def to_json(obj: Any, *, indent: int | None = 2) -> str:
    return json.dumps(obj, default=_default, ensure_ascii=False, indent=indent)


def print_json(obj: Any, *, indent: int | None = 2) -> None:
    """Write JSON to stdout (never through rich, which would wrap and colour it)."""
    sys.stdout.write(to_json(obj, indent=indent) + "\n")
    sys.stdout.flush()
