"""pytest fixtures for the local X and Mastodon servers (loopback only, free ports).

Each server starts once per test session and is reset before every test, so a test sees empty
timelines and no pending faults. Register with ``pytest_plugins = ["fixtures_servers"]`` in the
top-level conftest. Fixtures:

- ``x_server`` / ``mastodon_server``: the server objects (``.url``, ``.posts``, ``.requests``,
  ``rate_limit_next``, ``server_error_next``, ``fail_next``, ``slow_next``, ``reset_next``, …).
- ``x_settings`` / ``x_bearer_settings`` / ``mastodon_settings``: ``Settings`` pointing at them.
- ``x_env`` / ``mastodon_env``: the same as environment variables, for a ``newsbot`` subprocess.
- ``memory_state``: a dict-backed ``KeyValue`` for adapters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.config import Settings

try:  # tests/ is on sys.path when it is not a package (pytest's default rootdir-relative import)
    from servers.mastodon_server import MastodonServer
    from servers.x_server import XServer
except ImportError:  # tests/ is a package
    from tests.servers.mastodon_server import MastodonServer  # type: ignore[no-redef]
    from tests.servers.x_server import XServer  # type: ignore[no-redef]

# Short enough that "slow response" tests finish quickly, long enough for a loaded CI machine.
TEST_HTTP_TIMEOUT = 2.0


class MemoryState:
    """KeyValue kept in a dict, for adapters under test."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.data.get(key)

    def set(self, key: str, value: str) -> None:
        self.data[key] = value


def _settings(**values: Any) -> Settings:
    values.setdefault("http_timeout_seconds", TEST_HTTP_TIMEOUT)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def _x_server_session() -> Iterator[XServer]:
    server = XServer().start()
    yield server
    server.stop()


@pytest.fixture
def x_server(_x_server_session: XServer) -> Iterator[XServer]:
    _x_server_session.reset()
    yield _x_server_session
    _x_server_session.reset()


@pytest.fixture(scope="session")
def _mastodon_server_session() -> Iterator[MastodonServer]:
    server = MastodonServer().start()
    yield server
    server.stop()


@pytest.fixture
def mastodon_server(_mastodon_server_session: MastodonServer) -> Iterator[MastodonServer]:
    _mastodon_server_session.reset()
    yield _mastodon_server_session
    _mastodon_server_session.reset()


@pytest.fixture
def x_settings(x_server: XServer) -> Settings:
    """OAuth 1.0a user-context credentials for the fake X."""
    c = x_server.credentials
    return _settings(
        x_consumer_key=c.consumer_key,
        x_consumer_secret=c.consumer_secret,
        x_access_token=c.access_token,
        x_access_token_secret=c.access_token_secret,
        x_api_base_url=x_server.url,
    )


@pytest.fixture
def x_bearer_settings(x_server: XServer) -> Settings:
    """An OAuth 2.0 user token for the fake X."""
    return _settings(x_bearer_token=x_server.credentials.user_bearer_token, x_api_base_url=x_server.url)


@pytest.fixture
def mastodon_settings(mastodon_server: MastodonServer) -> Settings:
    return _settings(mastodon_api_base_url=mastodon_server.url, mastodon_access_token=mastodon_server.access_token)


@pytest.fixture
def x_env(x_server: XServer) -> dict[str, str]:
    c = x_server.credentials
    return {
        "X_CONSUMER_KEY": c.consumer_key,
        "X_CONSUMER_SECRET": c.consumer_secret,
        "X_ACCESS_TOKEN": c.access_token,
        "X_ACCESS_TOKEN_SECRET": c.access_token_secret,
        "X_API_BASE_URL": x_server.url,
    }


@pytest.fixture
def mastodon_env(mastodon_server: MastodonServer) -> dict[str, str]:
    return {"MASTODON_API_BASE_URL": mastodon_server.url, "MASTODON_ACCESS_TOKEN": mastodon_server.access_token}


@pytest.fixture
def memory_state() -> MemoryState:
    return MemoryState()
