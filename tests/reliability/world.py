"""The reliability suite's world: the fake secrets, a daemon environment pointing at the servers, a running
daemon whose log is collected, and helpers to read back what the store and each server really hold.

Every credential value contains ``FAKESECRET``, so a secret that leaks anywhere (a log line, an error, a
preview, a database row) is found by searching for that one word.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:  # tests/ is on sys.path (rootdir-relative imports), as in fixtures_servers
    from servers.mastodon_server import MastodonServer
    from servers.x_server import XCredentials, XServer
except ImportError:  # tests/ is a package
    from tests.servers.mastodon_server import MastodonServer  # type: ignore[no-redef]
    from tests.servers.x_server import XCredentials, XServer  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[2]
MARK = "FAKESECRET"
X_CREDENTIALS = XCredentials(
    consumer_key=f"{MARK}-x-consumer-key-9f2c",
    consumer_secret=f"{MARK}-x-consumer-secret-41ab",
    access_token=f"1000000000000000001-{MARK}-x-access-token-77d0",
    access_token_secret=f"{MARK}-x-access-token-secret-c3e5",
    user_bearer_token=f"{MARK}-x-user-bearer-0b6e",
    app_bearer_token=f"{MARK}-x-app-bearer-5a18",
)
MASTODON_TOKEN = f"{MARK}-mastodon-access-token-e81f"
BLUESKY_PASSWORD = f"{MARK}-bluesky-app-password-2d94"
# Every secret value the suite configures: none may appear anywhere newsbot writes.
SECRETS = (
    X_CREDENTIALS.consumer_key, X_CREDENTIALS.consumer_secret, X_CREDENTIALS.access_token,
    X_CREDENTIALS.access_token_secret, X_CREDENTIALS.user_bearer_token, MASTODON_TOKEN, BLUESKY_PASSWORD,
)
# A fast schedule: every post is due as soon as it is planned.
FAST_SCHEDULE = {
    "NEWSBOT_SLOTS": "* * * * *",
    "NEWSBOT_MIN_SPACING_MINUTES": "0",
    "NEWSBOT_QUIET_HOURS": "",
    "NEWSBOT_STAGGER_MINUTES": "0",
    "NEWSBOT_DAILY_CAP": "0",
    "NEWSBOT_EXPIRE_HOURS": "48",
}


def leaked(text: str) -> list[str]:
    """The secrets (or the FAKESECRET mark) found in ``text``."""
    return [s for s in (*SECRETS, MARK) if s in text]


@dataclass
class World:
    """The servers, the folders, and the environment a ``newsbot`` subprocess needs to publish to all three."""

    tmp: Path
    x: XServer
    mastodon: MastodonServer
    pds: Any
    account: Any
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def queue(self) -> Path:
        return self.tmp / "queue"

    @property
    def db(self) -> Path:
        return self.tmp / "data" / "newsbot.db"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "X_", "BLUESKY_", "MASTODON_"))}
        c = self.x.credentials
        env.update(
            PYTHONPATH=str(ROOT),
            NEWSBOT_QUEUE_DIR=str(self.queue),
            NEWSBOT_DATA_DIR=str(self.tmp / "data"),
            NEWSBOT_FILE_SETTLE_SECONDS="0",
            NEWSBOT_PLATFORMS="x,bluesky,mastodon",
            NEWSBOT_PUBLISH_TICK_SECONDS="0.2",
            NEWSBOT_HTTP_TIMEOUT_SECONDS="5",
            X_CONSUMER_KEY=c.consumer_key,
            X_CONSUMER_SECRET=c.consumer_secret,
            X_ACCESS_TOKEN=c.access_token,
            X_ACCESS_TOKEN_SECRET=c.access_token_secret,
            X_API_BASE_URL=self.x.url,
            MASTODON_API_BASE_URL=self.mastodon.url,
            MASTODON_ACCESS_TOKEN=self.mastodon.access_token,
            BLUESKY_PDS_URL=self.pds.url,
            BLUESKY_HANDLE=self.account.handle,
            BLUESKY_APP_PASSWORD=self.account.password,
            **FAST_SCHEDULE,
        )
        env.update(self.extra_env)
        env.update(extra)
        return env

    def newsbot(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Run one ``newsbot`` command to completion."""
        return subprocess.run([sys.executable, "-m", "bot", *args], cwd=self.tmp, env=self.env(**env),
                              capture_output=True, text=True, timeout=240)

    def start_daemon(self, *args: str, **env: str) -> Daemon:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--log-json", *args], cwd=self.tmp,
                                env=self.env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return Daemon(proc)

    # --- what the store and the servers hold ------------------------------------------------------
    def rows(self) -> list[dict[str, Any]]:
        db = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30)
        db.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in db.execute("SELECT * FROM posts ORDER BY id")]
        finally:
            db.close()

    def remote(self) -> dict[str, list[tuple[str, str]]]:
        """(remote id, text) of every live post on each server."""
        return {
            "x": [(p.id, p.text) for p in self.x.live_posts],
            "mastodon": [(s.id, s.text) for s in self.mastodon.live_statuses],
            "bluesky": [(r["uri"], r["value"]["text"]) for r in self.pds.list_records(self.account.did)],
        }

    def dump_database(self) -> str:
        """Every table, every row, as text (what a leak check searches)."""
        db = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30)
        try:
            out = []
            for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
                for row in db.execute(f'SELECT * FROM "{table}"'):
                    out.append(f"{table}: {row!r}")
            return "\n".join(out)
        finally:
            db.close()


class Daemon:
    """A running ``newsbot run --log-json``; its log lines are collected as they come."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, *needles: str, timeout: float) -> bool:
        """Block until a log line contains one of ``needles`` (False on timeout or when the process ended)."""

        def seen() -> bool:
            return any(n in line for line in self.lines for n in needles)

        with self._changed:
            self._changed.wait_for(lambda: seen() or not self._reader.is_alive(), timeout)
            return seen()

    def events(self, name: str) -> list[str]:
        return [line for line in self.lines if f'"event": "{name}"' in line]

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=30)
        self._reader.join(timeout=30)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=30)
