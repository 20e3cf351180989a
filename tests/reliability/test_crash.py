"""SIGKILL the daemon again and again while it publishes to Bluesky (the real PDS), X and Mastodon: in the end
every planned post is on its platform exactly once — none lost, none twice.

Each round starts ``newsbot run``, waits until X or Mastodon has received a post from it (so it is in the
middle of its publish loop), lets it go on for a random moment and kills it with SIGKILL: between two posts, inside an
HTTP call, between a send and its record. Some rounds are killed at a random moment of start-up instead
(ingest, planning, reconciliation). New articles are dropped into the queue as the outbox runs low, so every
round has work. A last ``newsbot run --once`` finishes what is left; then the outbox is compared with what
each server holds.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time

import pytest
from articles import write_articles
from checks import assert_exactly_once
from world import Daemon, World, leaked

pytestmark = [pytest.mark.reliability, pytest.mark.servers]

KILLS_WHILE_PUBLISHING = 50
MAX_ROUNDS = 160


def _waiting(world: World) -> int:
    """Posts still to send, plus articles not planned yet (files and ingested articles, about 7 posts each)."""
    waiting = 7 * sum(1 for p in world.queue.glob("*.md"))
    if world.db.exists():
        db = sqlite3.connect(f"file:{world.db}?mode=ro", uri=True, timeout=30)
        try:
            waiting += db.execute("SELECT count(*) FROM posts WHERE state IN ('planned', 'sending')").fetchone()[0]
            waiting += 7 * db.execute("SELECT count(*) FROM articles WHERE state = 'ingested'").fetchone()[0]
        except sqlite3.OperationalError:  # killed before the first migration finished
            pass
        finally:
            db.close()
    return waiting


def _remote_count(world: World) -> int:
    return len(world.x.posts) + len(world.mastodon.statuses)


def _wait_for_a_new_post(world: World, daemon: Daemon, before: int, timeout: float = 60.0) -> bool:
    """Until X or Mastodon has received a post this round (the daemon logs its pass only when it ends)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and daemon.proc.poll() is None:
        if _remote_count(world) > before:
            return True
        time.sleep(0.005)
    return False


def test_sigkill_at_random_points_loses_nothing_and_sends_nothing_twice(world: World) -> None:
    seed = int(os.environ.get("NEWSBOT_RELIABILITY_SEED", time.time_ns() % 100_000))
    rng = random.Random(seed)
    print(f"seed {seed} (set NEWSBOT_RELIABILITY_SEED to replay)")
    written = len(write_articles(world.queue, 0, 10))
    kills_while_publishing = kills_at_start = rounds = 0
    log: list[str] = []
    began = time.monotonic()

    while kills_while_publishing < KILLS_WHILE_PUBLISHING:
        rounds += 1
        assert rounds <= MAX_ROUNDS, f"only {kills_while_publishing} kills while publishing in {MAX_ROUNDS} rounds"
        if _waiting(world) < 30:
            written += len(write_articles(world.queue, written, 5))
        before = _remote_count(world)
        daemon = world.start_daemon()
        try:
            if rng.random() < 0.15:
                time.sleep(rng.uniform(0.05, 1.5))  # somewhere in start-up: imports, lock, reconcile, ingest, plan
                kills_at_start += 1
            else:
                assert _wait_for_a_new_post(world, daemon, before), "nothing published:\n" + "".join(daemon.lines[-20:])
                time.sleep(rng.uniform(0.0, 0.3))
                kills_while_publishing += _waiting(world) > 0  # it still had work: the kill interrupted it
        finally:
            daemon.kill()
        assert daemon.proc.returncode == -9
        log += daemon.lines
        print(f"round {rounds}: {time.monotonic() - began:.1f} s, {len(daemon.events('sent'))} sent, "
              f"{len(daemon.events('reconciled'))} reconciled, {_waiting(world)} waiting", flush=True)

    # Finish the work: one pass sends whatever is left (reconciling the last killed send first).
    done = world.newsbot("run", "--once", "--log-json")
    log += done.stderr.splitlines()
    assert done.returncode == 0, done.stderr[-3000:]

    rows = world.rows()
    reconciled = [line for line in log if '"event": "reconciled"' in line]
    print(f"{rounds} rounds, {kills_while_publishing} kills while publishing, {kills_at_start} at start-up, "
          f"{written} articles, {len(rows)} posts, {len(reconciled)} found already sent after a kill")
    assert not list(world.queue.glob("*.md")) and not list((world.queue / "failed").glob("*")), "files left behind"
    assert len({r["article_id"] for r in rows}) == written, "an article has no posts"
    assert {(r["article_id"], r["platform"]) for r in rows} == {
        (a, p) for a in {r["article_id"] for r in rows} for p in ("x", "bluesky", "mastodon")
    }, "an article is missing a platform"
    assert_exactly_once(rows, world.remote())
    # Proof the kills hit the window that matters: a send the platform took but the outbox never recorded.
    assert reconciled, "no kill landed between a send and its record"
    assert not leaked("\n".join(log)), "a secret reached the daemon's log"
    assert not leaked(world.dump_database()), "a secret reached the database"
