"""A newsroom's day, end to end: `newsbot run` as a real process publishing to the local X and Mastodon servers and
the reference Bluesky PDS, with the editor's commands used beside it, then checked against what the servers hold.

The day, compressed into seconds: two normal stories (planned for the next free posting slot, hours away, outside the
quiet hours), a broken file, a breaking story under embargo for a few seconds, breaking stories that go out at once
(spaced), Mastodon failing until its posts fail for good and `newsbot retry --failed` after it recovers, the daemon
killed with SIGKILL while X holds a post it has accepted and restarted, an edited copy of a story dropped in again,
`newsbot preview`, `post` (twice), `cancel` and `status` run while the daemon works, and SIGTERM at the end.

Settings come from a scratch `.env` in the working directory, as a newsroom would run it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.servers

ROOT = Path(__file__).resolve().parent.parent
PLATFORMS = ("x", "bluesky", "mastodon")
SPACING_MINUTES = 0.02  # 1.2 s between two posts on a platform: breaking news goes out in seconds, spaced
X_POST, M_POST = "POST /2/tweets", "POST /api/v1/statuses"


def story(slug: str, title: str, *, priority: str = "normal", embargo: datetime | None = None, extra: str = "") -> str:
    """A short article with two quoted speakers: a three-post thread on Bluesky and Mastodon, one post on X."""
    front = f"title: {title}\nurl: https://desk.example/news/{slug}\npriority: {priority}\n"
    if embargo is not None:
        front += f"embargo: {embargo.isoformat()}\n"
    return (
        f"---\n{front}---\n\n"
        f"The {slug} story broke on Tuesday morning, when crews said the {slug} works were finished early.{extra} "
        "Residents had waited for months.\n\n"
        f"\u201cWe finished the {slug} works two weeks early,\u201d said Anna Kovalenko, the site manager.\n\n"
        "The council will review the costs in May.\n\n"
        f"Jonas Petraitis, the mayor, said: \u201cThe {slug} crews worked in all weathers.\u201d\n"
    )


def drop(queue: Path, name: str, text: str | bytes) -> None:
    """Write beside the queue and rename in, so the daemon never sees half a file."""
    tmp = queue.parent / f".{name}.tmp"
    tmp.write_bytes(text) if isinstance(text, bytes) else tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, queue / name)


class Desk:
    """The newsroom's machine: a scratch folder with `.env`, the daemon, and the editor's `newsbot` commands."""

    def __init__(self, tmp: Path, env_file: dict[str, str], secrets: list[str]) -> None:
        self.tmp = tmp
        self.queue = tmp / "queue"
        self.queue.mkdir()
        (tmp / ".env").write_text("".join(f"{k}={v}\n" for k, v in env_file.items()), encoding="utf-8")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "X_", "BLUESKY_", "MASTODON_"))}
        self.env["PYTHONPATH"] = str(ROOT)
        self.secrets = secrets
        self.outputs: list[str] = []
        self.lines: list[str] = []
        self.proc: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    def newsbot(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "bot", *args], cwd=self.tmp, env=self.env, capture_output=True,
                              text=True, timeout=120)
        self.outputs.append(f"$ newsbot {' '.join(args)}\n{done.stdout}{done.stderr}")
        return done

    def status(self) -> dict[str, Any]:
        done = self.newsbot("status", "--json", "--limit", "500")
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--log-json"], cwd=self.tmp, env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self._reader = threading.Thread(target=self._read, args=(self.proc,), daemon=True)
        self._reader.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self.lines.append(line)

    def events(self, name: str) -> list[dict[str, Any]]:
        return [e for e in (json.loads(line) for line in list(self.lines) if line.startswith("{")) if e["event"] == name]

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.proc is not None and self.proc.poll() is None, "the daemon died:\n" + "".join(self.lines[-30:])
            assert time.monotonic() < deadline, f"{what} did not happen; the daemon logged:\n" + "".join(self.lines[-30:])
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=30)
        assert self._reader is not None
        self._reader.join(timeout=30)

    def stop(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=60)
        assert self._reader is not None
        self._reader.join(timeout=30)
        return code


def test_a_newsroom_day_every_story_goes_out_once_per_platform_on_its_rules(
    tmp_path: Path, x_server: Any, mastodon_server: Any, bluesky_pds: Any, bluesky_account: Any
) -> None:
    x, m = x_server, mastodon_server
    now = datetime.now(UTC)
    # Quiet hours hours away from now, with a slot inside them and one just after: normal posts take the later one.
    quiet_start = (now + timedelta(hours=6)).replace(minute=0, second=0, microsecond=0)
    quiet_end = quiet_start + timedelta(hours=1)
    allowed_slot = quiet_end + timedelta(minutes=15)
    c = x.credentials
    desk = Desk(tmp_path, {
        "NEWSBOT_QUEUE_DIR": str(tmp_path / "queue"), "NEWSBOT_DATA_DIR": str(tmp_path / "data"),
        "NEWSBOT_TIMEZONE": "UTC", "NEWSBOT_FILE_SETTLE_SECONDS": "0", "NEWSBOT_PLATFORMS": ",".join(PLATFORMS),
        "NEWSBOT_SLOTS": f"30 {quiet_start.hour} * * *;15,16 {allowed_slot.hour} * * *",
        "NEWSBOT_QUIET_HOURS": f"{quiet_start:%H:%M}-{quiet_end:%H:%M}",
        "NEWSBOT_MIN_SPACING_MINUTES": "0",
        "NEWSBOT_SCHEDULE_OVERRIDES": json.dumps({p: {"min_spacing_minutes": SPACING_MINUTES} for p in PLATFORMS}),
        "NEWSBOT_STAGGER_MINUTES": "0", "NEWSBOT_DAILY_CAP": "0",
        "NEWSBOT_INGEST_INTERVAL_MINUTES": "0.02", "NEWSBOT_PUBLISH_TICK_SECONDS": "0.2",
        "NEWSBOT_RETRY_BASE_SECONDS": "0.2", "NEWSBOT_MAX_ATTEMPTS": "2", "NEWSBOT_HTTP_TIMEOUT_SECONDS": "10",
        "X_CONSUMER_KEY": c.consumer_key, "X_CONSUMER_SECRET": c.consumer_secret, "X_ACCESS_TOKEN": c.access_token,
        "X_ACCESS_TOKEN_SECRET": c.access_token_secret, "X_API_BASE_URL": x.url,
        "MASTODON_API_BASE_URL": m.url, "MASTODON_ACCESS_TOKEN": m.access_token,
        "BLUESKY_PDS_URL": bluesky_pds.url, "BLUESKY_HANDLE": bluesky_account.handle,
        "BLUESKY_APP_PASSWORD": bluesky_account.password,
    }, secrets=[c.consumer_key, c.consumer_secret, c.access_token, c.access_token_secret, m.access_token,
                bluesky_account.password])
    queue = desk.queue

    # Morning: the editor previews the first stories before the daemon runs. Nothing is sent or moved.
    drop(queue, "harbour.md", story("harbour", "Harbour works finished early"))
    drop(queue, "school.md", story("school", "School roof repaired before winter"))
    preview = desk.newsbot("preview")
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "Harbour works finished early" in preview.stdout
    assert sorted(p.name for p in queue.iterdir()) == ["harbour.md", "school.md"]

    embargo = (datetime.now(UTC) + timedelta(seconds=8)).replace(microsecond=0)
    drop(queue, "report.md", story("report", "Audit report on the bridge published", priority="breaking",
                                   embargo=embargo))
    drop(queue, "broken.json", b'{"title": "half a file", "body": ')
    desk.start()
    try:
        desk.wait(lambda: len(desk.events("ingested")) == 3 and bool(desk.events("ingest_failed")), "the first ingest")
        assert (queue / "failed" / "broken.json.error.txt").read_text(encoding="utf-8").startswith("broken JSON")

        # Two breaking stories at once go out at once, spaced, while the normal ones wait for their slot.
        drop(queue, "fire.md", story("fire", "Fire at the old mill under control", priority="breaking"))
        drop(queue, "flood.md", story("flood", "Flood warning lifted for the valley", priority="breaking"))
        desk.wait(lambda: sum(1 for s in m.live_statuses if "fire" in s.text or "flood" in s.text) == 6,
                  "the breaking threads on Mastodon")
        assert not [p.text for p in x.posts if "harbour" in p.text or "school" in p.text]

        # The embargoed story goes out once its embargo lifts (checked against the send times at the end).
        desk.wait(lambda: sum(1 for s in m.live_statuses if "report" in s.text) == 3, "the embargoed story sent")

        # Mastodon goes down: the next breaking story reaches X and Bluesky; on Mastodon it fails, with the reason.
        m.server_error_next(503, times=100_000, only=M_POST)
        drop(queue, "storm.md", story("storm", "Storm closes the ferry line", priority="breaking"))
        desk.wait(lambda: any(e["platform"] == "mastodon" for e in desk.events("failed")), "the Mastodon failure")
        failed = [r for r in desk.status()["failed"] if r["platform"] == "mastodon"]
        # Only the thread's head fails; its replies wait for it.
        assert [r["thread_index"] for r in failed] == [0]
        assert all("503" in r["error"] and f"newsbot retry {r['id']}" in r["error"] for r in failed)
        waiting = {(r["article_id"], r["thread_index"]) for r in desk.status()["planned"] if r["platform"] == "mastodon"}
        assert all((r["article_id"], 1) in waiting and (r["article_id"], 2) in waiting for r in failed)
        text_status = desk.newsbot("status")
        assert f"{failed[0]['id']}" in text_status.stdout and "503" in text_status.stdout

        # Mastodon recovers; the editor retries everything that failed: the whole thread goes out, once.
        m.clear_faults()
        retried = desk.newsbot("retry", "--failed")
        assert retried.returncode == 0, retried.stderr
        assert f"{len(failed)} failed post(s) planned again" in retried.stdout
        assert all(str(r["id"]) in retried.stdout for r in failed), retried.stdout
        desk.wait(lambda: sum(1 for s in m.live_statuses if "storm" in s.text) == 3, "the storm thread on Mastodon")

        # SIGKILL while X holds a post it accepted but has not answered yet; the restart finds it, sends no copy.
        before = len(x.posts)
        x.slow_next(5, after_processing=True, only=X_POST)
        drop(queue, "dam.md", story("dam", "Dam inspection finds no cracks", priority="breaking"))
        assert x.wait_until(lambda: len(x.posts) > before, timeout=60), "".join(desk.lines[-30:])
        desk.kill()
        desk.start()
        desk.wait(lambda: bool(desk.events("reconciled")), "the interrupted X post found")

        # An edited copy of a story dropped in again is a duplicate: recorded, never posted twice.
        drop(queue, "fire-corrected.md", story("fire", "Fire at the old mill under control", priority="breaking",
                                               extra=" Two engines stayed overnight."))
        desk.wait(lambda: bool(desk.events("duplicate")), "the edited copy recorded as a duplicate")

        # The editor sends the school story now (twice: the second run sends nothing) and cancels the harbour one.
        # (The daemon's own tick may take a part that `post` made due: `post` waits for it and reports it sent.)
        posted = desk.newsbot("post", "school.md")
        assert posted.returncode == 0, posted.stdout + posted.stderr
        assert "School roof repaired before winter (article " in posted.stdout
        assert posted.stdout.count(" sent ") == 7, posted.stdout
        sent_before = len(x.posts) + len(m.posts)
        again = desk.newsbot("post", "school.md")
        assert again.returncode == 0, again.stdout + again.stderr
        assert again.stdout.count(" sent ") == 7 and len(x.posts) + len(m.posts) == sent_before
        planned = desk.status()["planned"]
        harbour = [r for r in planned if "Harbour" in r["text"] or "harbour" in r["text"]]
        assert harbour and all(r["scheduled_at"] is not None for r in harbour)
        for head in (r for r in harbour if r["thread_index"] == 0):
            cancelled = desk.newsbot("cancel", str(head["id"]))
            assert cancelled.returncode == 0, cancelled.stderr
            thread = sorted(r["id"] for r in harbour if r["platform"] == head["platform"])
            assert cancelled.stdout.strip() == f"cancelled post(s) {', '.join(map(str, thread))}"

        # Nothing is left but what the daemon sends at once; then stop it as systemd would.
        def settled() -> bool:
            return not desk.status()["planned"]

        desk.wait(settled, "every post sent or cancelled")
        assert desk.stop() == 0
    finally:
        if desk.proc is not None and desk.proc.poll() is None:
            desk.kill()

    # --- what the servers hold --------------------------------------------------------------------------------
    history = json.loads(desk.newsbot("history", "--json", "--limit", "500").stdout)
    rows = {r["id"]: r for r in history}
    assert Counter(r["state"] for r in rows.values()) == Counter(sent=6 * 7, cancelled=7), Counter(
        (r["state"], r["error"]) for r in rows.values())
    sent = [r for r in rows.values() if r["state"] == "sent"]
    remote = {
        "x": {p.id: p for p in x.live_posts},
        "mastodon": {s.id: s for s in m.live_statuses},
        "bluesky": {r["uri"].rsplit("/", 1)[1]: r for r in bluesky_pds.list_records(bluesky_account.did)},
    }
    for platform in PLATFORMS:
        mine = [r for r in sent if r["platform"] == platform]
        ids = [r["remote_id"].rsplit("/", 1)[-1] for r in mine]
        assert sorted(ids) == sorted(remote[platform]), f"{platform}: the outbox and the server disagree"
        assert len(set(ids)) == len(ids) == len(remote[platform])
    for platform, texts in (("x", [p.text for p in x.posts]), ("mastodon", [s.text for s in m.posts]),
                            ("bluesky", [r["value"]["text"] for r in remote["bluesky"].values()])):
        assert len(texts) == len(set(texts)) == 6 * (1 if platform == "x" else 3), f"{platform}: {texts}"
        assert not any("harbour" in t.lower() for t in texts), "a cancelled story went out"

    # Threads are whole and in order: every reply answers the post before it in its article's thread.
    by_article: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for r in sent:
        by_article.setdefault((r["article_id"], r["platform"]), []).append(r)
    for (article_id, platform), thread in by_article.items():
        thread.sort(key=lambda r: r["thread_index"])
        assert [r["thread_index"] for r in thread] == list(range(1 if platform == "x" else 3)), (article_id, platform)
        keys = [r["remote_id"].rsplit("/", 1)[-1] for r in thread]
        for parent, child in zip(keys, keys[1:], strict=False):
            if platform == "mastodon":
                assert remote["mastodon"][child].in_reply_to_id == parent
            else:
                reply = remote["bluesky"][child]["value"]["reply"]
                assert reply["parent"]["uri"].endswith("/" + parent)
                assert reply["root"]["uri"].endswith("/" + keys[0])
        if platform == "x":
            assert remote["x"][keys[0]].in_reply_to_tweet_id is None

    # The schedule held: the embargo, the spacing between stories, and the normal story's slot outside quiet hours.
    def when(value: str) -> datetime:
        return datetime.fromisoformat(value)

    def article(slug: str) -> int:
        (found,) = {r["article_id"] for r in rows.values() if slug in r["text"].lower()}
        return int(found)

    report = article("report")
    assert {r["state"] for r in rows.values() if r["article_id"] == report} == {"sent"}
    for r in (r for r in sent if r["article_id"] == report):
        assert when(r["sent_at"]) >= embargo
        if r["platform"] == "x":
            assert x.post(r["remote_id"]).created_at >= embargo
    harbour_rows = [r for r in rows.values() if r["state"] == "cancelled"]
    assert {r["article_id"] for r in harbour_rows} == {article("harbour")}
    slots_after_quiet = {allowed_slot.time(), (allowed_slot + timedelta(minutes=1)).time()}
    assert len({r["scheduled_at"] for r in harbour_rows}) == 1
    assert when(harbour_rows[0]["scheduled_at"]).astimezone(UTC).time() in slots_after_quiet
    # Stories planned together are spaced. (A time already booked counts from the start of its minute, by
    # design, so spacing below a minute is exact only between stories planned in the same pass.)
    fire, flood = article("fire"), article("flood")
    for platform in PLATFORMS:
        heads = {r["article_id"]: when(r["scheduled_at"]) for r in sent
                 if r["platform"] == platform and r["thread_index"] == 0 and r["article_id"] in (fire, flood)}
        assert abs(heads[fire] - heads[flood]) >= timedelta(minutes=SPACING_MINUTES), (platform, heads)

    # The log told what happened, and no secret reached it or any command's output.
    assert desk.events("sent") and desk.events("retry") and desk.events("reconciled")
    everything = "".join(desk.lines) + "".join(desk.outputs)
    assert not [s for s in desk.secrets if s in everything]
