"""CLI commands, one module per noun. Keep imports here light: heavy libraries load inside commands."""

from __future__ import annotations

import importlib

COMMAND_MODULES = [
    "bot.commands.feeds",
    "bot.commands.basics",
    "bot.commands.outbox",
    "bot.commands.analyze",
    "bot.commands.run",
]


def register_all() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name)


def platform_list(value: str | None) -> list[str] | None:
    """A ``--platform`` value as a list; a name that is no platform is a usage error naming the choices."""
    if not value:
        return None
    import typer

    from ..config import PLATFORMS

    # Each once: a platform named twice would be planned twice, and the preview show the second one's time.
    names = list(dict.fromkeys(p.strip().lower() for p in value.split(",") if p.strip()))
    unknown = [p for p in names if p not in PLATFORMS]
    if unknown or not names:
        raise typer.BadParameter(
            f"unknown platform {', '.join(map(repr, unknown)) or repr(value)}; choose from {', '.join(PLATFORMS)}",
            param_hint="'--platform'",
        )
    return names
