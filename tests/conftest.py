"""Shared fixtures: settings that never read the developer's environment, a fresh store per test.

Fixtures for the local servers live in their own modules, listed in ``pytest_plugins``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit import SAMPLE, make_settings

from bot.config import Settings
from bot.store import Store, open_store

pytest_plugins = ["fixtures_bluesky", "fixtures_servers", "fixtures_postgres"]

# Credentials in the developer's shell must never leak into a test run.
_SCRUB = ("NEWSBOT_", "X_", "BLUESKY_", "MASTODON_")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(_SCRUB):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    (tmp_path / "queue").mkdir(exist_ok=True)
    return make_settings(tmp_path)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    s = open_store(settings.db_url)
    yield s
    s.close()


@pytest.fixture
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")
