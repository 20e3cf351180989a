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
