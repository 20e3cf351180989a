"""`newsbot version`, `newsbot ingest`, `newsbot queue`."""

from __future__ import annotations

import typer
from rich.table import Table

from .. import __version__
from ..cli import app, state
from ..output import console, print_json


@app.command()
def version() -> None:
    """Print newsbot's version."""
    console.print(f"newsbot {__version__}")
