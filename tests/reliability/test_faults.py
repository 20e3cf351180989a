"""Injected 429s, 5xx answers, timeouts and connection resets on all three platforms: every post goes out exactly
once, the daemon stays up, and no post fails for good.

``newsbot run`` publishes to the fake X and Mastodon and, through a fault-injecting proxy, to the real PDS.
While it runs, a fault is armed on a platform's post-creating endpoint after every second post it accepts,
so faults land on first attempts, on retries and on thread replies alike. The nastiest ones are answers lost
after the platform did the work (a timeout or a reset after processing): the retry must find the post
(X: the duplicate refusal, Mastodon: the Idempotency-Key, Bluesky: the record key) instead of posting again.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from articles import write_articles
from checks import assert_exactly_once
from world import World, leaked
from proxy import PdsProxy

pytestmark = [pytest.mark.reliability, pytest.mark.servers]

TIMEOUT = 1.0  # NEWSBOT_HTTP_TIMEOUT_SECONDS for this test; a "slow" fault holds the answer longer
ARTICLES = 12


@pytest.fixture
def pds_proxy(bluesky_pds: Any) -> Iterator[PdsProxy]:
    proxy = PdsProxy(bluesky_pds.url).start()
    yield proxy  # type: ignore[misc]
    proxy.stop()


def _faults(world: World, proxy: PdsProxy) -> dict[str, tuple[Any, str, list[Callable[[], None]]]]:
    """Per platform: (server, endpoint, faults to arm one by one)."""
    x, m = world.x, world.mastodon
    x_post, m_post, b_post = "POST /2/tweets", "POST /api/v1/statuses", "POST /xrpc/com.atproto.repo.createRecord"
    slow = TIMEOUT + 1.0

    def bluesky_429() -> None:
        reset = int((datetime.now(UTC) + timedelta(seconds=1)).timestamp())
        proxy.fail_next(429, body={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                        headers={"ratelimit-limit": "100", "ratelimit-remaining": "0", "ratelimit-reset": str(reset)},
                        only=b_post)

    return {
        "x": (x, x_post, [
            lambda: x.rate_limit_next(reset_in=1, only=x_post),
            lambda: x.server_error_next(503, only=x_post),
            lambda: x.server_error_next(500, only=x_post),
            lambda: x.server_error_next(502, only=x_post),
            lambda: x.slow_next(slow, after_processing=True, only=x_post),
            lambda: x.reset_next(after_processing=False, only=x_post),
            lambda: x.reset_next(after_processing=True, only=x_post),
            lambda: x.rate_limit_next(reset_in=1, only=x_post),
        ]),
        "mastodon": (m, m_post, [
            lambda: m.rate_limit_next(reset_in=1.0, only=m_post),
            lambda: m.server_error_next(503, only=m_post),
            lambda: m.server_error_next(500, only=m_post),
            lambda: m.slow_next(slow, after_processing=True, only=m_post),
            lambda: m.reset_next(after_processing=False, only=m_post),
            lambda: m.reset_next(after_processing=True, only=m_post),
            lambda: m.server_error_next(502, only=m_post),
            lambda: m.slow_next(slow, after_processing=True, only=m_post),
        ]),
        "bluesky": (proxy, b_post, [
            lambda: proxy.fail_next(503, body={"error": "InternalServerError", "message": "busy"}, only=b_post),
            lambda: proxy.slow_next(slow, after_processing=True, only=b_post),
            lambda: proxy.reset_next(after_processing=False, only=b_post),
            lambda: proxy.reset_next(after_processing=True, only=b_post),
            bluesky_429,
            lambda: proxy.fail_next(502, body={"error": "BadGateway"}, only=b_post),
            lambda: proxy.fail_next(500, body={"error": "InternalServerError", "message": "oops"}, only=b_post),
        ]),
    }


def _accepted(server: Any, endpoint: str) -> int:
    method, path = endpoint.split(" ")
    return sum(1 for r in list(server.requests) if r.method == method and r.path == path)


def _unfinished(world: World) -> int | None:
    if not world.db.exists():
        return None
    db = sqlite3.connect(f"file:{world.db}?mode=ro", uri=True, timeout=30)
    try:
        total, done = db.execute("SELECT count(*), sum(state IN ('sent', 'failed')) FROM posts").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        db.close()
    return None if not total else total - (done or 0)


def test_429_5xx_timeouts_and_resets_on_every_platform_still_send_each_post_exactly_once(
    world: World, pds_proxy: PdsProxy
) -> None:
    rng = random.Random(8)
    write_articles(world.queue, 0, ARTICLES)
    plan = _faults(world, pds_proxy)
    for _, _, faults in plan.values():
        rng.shuffle(faults)
    armed: dict[str, int] = dict.fromkeys(plan, 0)
    next_at = {name: 1 for name in plan}  # arm the next fault once this many requests have reached the endpoint

    daemon = world.start_daemon(
        BLUESKY_PDS_URL=pds_proxy.url, NEWSBOT_HTTP_TIMEOUT_SECONDS=str(TIMEOUT),
        NEWSBOT_RETRY_BASE_SECONDS="0.05", NEWSBOT_MAX_ATTEMPTS="40",
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert daemon.proc.poll() is None, "the daemon died:\n" + "".join(daemon.lines[-30:])
            for name, (server, endpoint, faults) in plan.items():
                if armed[name] < len(faults) and _accepted(server, endpoint) >= next_at[name]:
                    faults[armed[name]]()
                    armed[name] += 1
                    next_at[name] = _accepted(server, endpoint) + 2
            if _unfinished(world) == 0:
                break
            assert time.monotonic() < deadline, (f"not finished: {_unfinished(world)} posts left, faults armed {armed}\n"
                                                 + "".join(daemon.lines[-15:]))
            time.sleep(0.02)
    finally:
        daemon.stop()

    rows = world.rows()
    retried = daemon.events("retry")
    print(f"{len(rows)} posts, {len(retried)} retries, {len(daemon.events('reconciled'))} found already sent, "
          f"faults armed {armed}")
    assert_exactly_once(rows, world.remote())
    for name, (server, _, faults) in plan.items():
        assert armed[name] == len(faults) and server._faults == [], f"{name}: not every fault was hit"
    assert len(retried) >= sum(len(f) for _, _, f in plan.values()) // 2, "the faults caused too few retries to be real"
    assert not leaked("".join(daemon.lines))
    assert not leaked(world.dump_database()), "a secret reached the database"
