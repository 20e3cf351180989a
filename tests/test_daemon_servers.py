"""The daemon end to end against the local Bluesky PDS and the X and Mastodon servers: twenty articles,
`newsbot run` stopped half-way with SIGTERM and started again, every post out exactly once, in planned order.

The daemon runs as a real process (``python -m bot run``); the X and Mastodon servers run in this pytest
process and the PDS in its own, all on loopback.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.store import open_store
from bot.store.outbox import Outbox, PostRow

pytestmark = pytest.mark.servers

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = 20
PLATFORMS = ("x", "bluesky", "mastodon")
# Breaking news ignores slots and goes at the earliest allowed moment, oldest first; 0.01 minutes of spacing
# puts consecutive posts on a platform 0.6 s apart, so a run takes seconds and can be stopped half-way.
SPACING_MINUTES = 0.01


def write_articles(queue: Path, now: datetime) -> dict[str, datetime]:
    """Twenty small distinct articles; their published times are deliberately not in file-name order."""
    queue.mkdir(parents=True, exist_ok=True)
    published: dict[str, datetime] = {}
    for i in range(ARTICLES):
        minutes_ago = 5 + (i * 7) % ARTICLES  # a permutation of 5..24 minutes ago
        when = now - timedelta(minutes=minutes_ago)
        title = f"Harbour crane {i} back in service"
        published[title] = when
        text = (
            "---\n"
            f"title: {title}\n"
            f"url: https://harbour.example/news/crane-{i}\n"
            "priority: breaking\n"
            f"published: {when.isoformat()}\n"
            "---\n\n"
            f"Crane number {i} at the harbour returned to service on Tuesday after repairs. "
            f"Dock workers unloaded {100 + i} containers by the evening. The port authority expects normal traffic.\n"
        )
        path = queue / f"crane-{i:02d}.md"
        path.write_text(text, encoding="utf-8")
        os.utime(path, (time.time() - 60, time.time() - 60))
    return published


def daemon_env(tmp_path: Path, x_server: Any, mastodon_server: Any, bluesky_pds: Any, account: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "X_", "BLUESKY_", "MASTODON_"))}
    c = x_server.credentials
    env.update(
        PYTHONPATH=str(ROOT),
        NEWSBOT_QUEUE_DIR=str(tmp_path / "queue"),
        NEWSBOT_DATA_DIR=str(tmp_path / "data"),
        NEWSBOT_FILE_SETTLE_SECONDS="0",
        NEWSBOT_PLATFORMS="x,bluesky,mastodon",
        NEWSBOT_SLOTS="* * * * *",
        NEWSBOT_QUIET_HOURS="",
        NEWSBOT_DAILY_CAP="0",
        NEWSBOT_STAGGER_MINUTES="0",
        NEWSBOT_MIN_SPACING_MINUTES="0",
        NEWSBOT_SCHEDULE_OVERRIDES=json.dumps({p: {"min_spacing_minutes": SPACING_MINUTES} for p in PLATFORMS}),
        NEWSBOT_PUBLISH_TICK_SECONDS="0.2",
        NEWSBOT_HTTP_TIMEOUT_SECONDS="10",
        X_CONSUMER_KEY=c.consumer_key,
        X_CONSUMER_SECRET=c.consumer_secret,
        X_ACCESS_TOKEN=c.access_token,
        X_ACCESS_TOKEN_SECRET=c.access_token_secret,
        X_API_BASE_URL=x_server.url,
        BLUESKY_PDS_URL=bluesky_pds.url,
        BLUESKY_HANDLE=account.handle,
        BLUESKY_APP_PASSWORD=account.password,
        MASTODON_API_BASE_URL=mastodon_server.url,
        MASTODON_ACCESS_TOKEN=mastodon_server.access_token,
    )
    return env


class Daemon:
    """`newsbot run --log-json` as a child process; its log lines are collected in a thread."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "--env-file", str(tmp_path / "none.env"), "run", "--log-json"],
            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in list(self.lines)]

    def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=60)
        self._reader.join(timeout=10)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def wait_for(condition: Callable[[], bool], what: str, daemon: Daemon, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if daemon.proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen; the daemon logged:\n{''.join(daemon.lines[-30:])}")
        time.sleep(0.05)


def server_order(platform: str, x_server: Any, mastodon_server: Any, bluesky_pds: Any, did: str) -> list[str]:
    """Remote ids of the posts in the order the server received them."""
    if platform == "x":
        return [p.id for p in x_server.posts]
    if platform == "mastodon":
        return [s.id for s in mastodon_server.posts]
    # Record keys are TIDs the adapter chose just before sending: listRecords returns them oldest first.
    return [r["uri"] for r in bluesky_pds.list_records(did)]


def remote_key(platform: str, row: PostRow) -> str:
    result = row.result
    assert result is not None, f"post {row.id} on {platform} has no remote id"
    if platform == "bluesky":
        return str(result.extra.get("uri") or result.remote_id)
    return result.remote_id


def test_twenty_articles_stopped_half_way_and_restarted_go_out_once_in_planned_order(
    tmp_path: Path, x_server: Any, mastodon_server: Any, bluesky_pds: Any, bluesky_account: Any
) -> None:
    published = write_articles(tmp_path / "queue", datetime.now(UTC))
    env = daemon_env(tmp_path, x_server, mastodon_server, bluesky_pds, bluesky_account)

    first = Daemon(tmp_path, env)
    try:
        wait_for(lambda: len(x_server.posts) >= 6, "six posts on X", first)
        assert first.terminate() == 0
    finally:
        first.kill()
    store = open_store(f"sqlite:///{tmp_path / 'data' / 'newsbot.db'}")
    try:
        outbox = Outbox(store)
        counts = outbox.counts()
        assert counts.get("sending", 0) == 0  # the send in flight was finished and recorded
        assert 0 < counts.get("planned", 0) < ARTICLES * 3  # stopped half-way, truly
        sent_before = counts.get("sent", 0)

        second = Daemon(tmp_path, env)
        try:
            wait_for(lambda: outbox.counts().get("sent", 0) == ARTICLES * 3, "every post sent", second)
            assert second.terminate() == 0
        finally:
            second.kill()

        rows = outbox.find(limit=10_000)
        assert {r.state for r in rows} == {"sent"}
        assert all(r.thread_index == 0 for r in rows)  # these articles have no quotes: one post each
        did = bluesky_account.did
        for platform in PLATFORMS:
            mine = [r for r in rows if r.platform == platform]
            planned_order = [remote_key(platform, r) for r in sorted(mine, key=lambda r: (r.scheduled_at, r.article_id))]
            on_server = server_order(platform, x_server, mastodon_server, bluesky_pds, did)
            assert len(on_server) == ARTICLES, f"{platform}: {len(on_server)} posts, expected {ARTICLES}"
            assert on_server == planned_order, f"{platform}: posts out of planned order"
        # The planned order is the newsroom's: breaking news oldest first.
        by_time = sorted(published, key=published.__getitem__)
        titles = {r.article_id: store.get_article(r.article_id).article.title for r in rows}
        x_rows = sorted((r for r in rows if r.platform == "x"), key=lambda r: (r.scheduled_at, r.article_id))
        assert [titles[r.article_id] for r in x_rows] == by_time
        # The restarted daemon sent only what was left.
        resent = [e for e in second.events() if e["event"] == "sent"]
        assert len(resent) == ARTICLES * 3 - sent_before
        first_sent = {e["post_id"] for e in first.events() if e["event"] == "sent"}
        assert first_sent.isdisjoint(e["post_id"] for e in resent)
    finally:
        store.close()
