"""Fixtures of the reliability suite: X, Mastodon and Bluesky servers whose every credential is a recognisable
fake secret (see world.py), and the ``world`` that ties them to a temporary queue and data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from world import BLUESKY_PASSWORD, MASTODON_TOKEN, X_CREDENTIALS, MastodonServer, World, XServer


@pytest.fixture(scope="session")
def secret_x() -> Iterator[XServer]:
    server = XServer(X_CREDENTIALS).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def secret_mastodon() -> Iterator[MastodonServer]:
    server = MastodonServer(access_token=MASTODON_TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def x(secret_x: XServer) -> Iterator[XServer]:
    secret_x.reset()
    secret_x.user_24h_limit = 100_000  # the suite posts hundreds; X's daily cap is tested elsewhere
    yield secret_x
    secret_x.reset()


@pytest.fixture
def mastodon(secret_mastodon: MastodonServer) -> Iterator[MastodonServer]:
    secret_mastodon.reset()
    yield secret_mastodon
    secret_mastodon.reset()


@pytest.fixture
def bluesky(bluesky_pds: Any) -> Any:
    """A fresh account (an empty repo) whose app password is a recognisable fake secret."""
    return bluesky_pds.create_account(password=BLUESKY_PASSWORD)


@pytest.fixture
def world(tmp_path: Path, x: XServer, mastodon: MastodonServer, bluesky_pds: Any, bluesky: Any) -> World:
    (tmp_path / "queue").mkdir()
    return World(tmp_path, x, mastodon, bluesky_pds, bluesky)
