"""Shared test helpers, importable from any test module (``from testkit import SAMPLE``).

They live here rather than in conftest.py because a test folder's own conftest.py would shadow a
``from conftest import …``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.config import Settings

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "belarus-ties.txt"


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for a test: folders under ``tmp_path``, no .env, files taken as soon as they are seen."""
    values: dict[str, object] = {
        "queue_dir": tmp_path / "queue",
        "data_dir": tmp_path / "data",
        "file_settle_seconds": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def run_cli(capsys: Any, *args: str) -> tuple[int, str, str]:
    """``newsbot ARGS`` in this process: (exit code, stdout, stderr)."""
    from bot.cli import main

    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
