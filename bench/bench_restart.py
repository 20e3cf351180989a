"""(d) Restart with 10,000 planned posts: how long until the first due-check has completed.

Setup (not timed): a SQLite store holding 2,000 articles and 10,000 planned posts (X one part, Bluesky and
Mastodon two-part threads), spread over the coming days, 50 of them already due.

Timed, in a fresh interpreter started the way ``newsbot run`` starts: import the daemon, open the store
(migration check), build the ``Daemon``, reconcile rows left ``sending`` (the daemon's first step), then
``Outbox.due`` — the publish tick's first query. Measured from the moment the process was spawned, so
interpreter start and imports count. Separately, for information: an ingest tick's ``plan_pending`` with
nothing new, and with one new article, which re-plans every future post (ingest runs beside the publish
tick, never before it).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path

from bench._common import PYTHON, Result, clean_env, run_child

TARGET_S = 1.0
POSTS = 10_000
DUE_NOW = 50

SETUP = """
from datetime import datetime, timedelta, UTC
from bot.store import open_store, schema
from bot.store.outbox import idempotency_key
store = open_store({url!r})
now = datetime.now(UTC)
articles, posts = [], []
parts = {{"x": 1, "bluesky": 2, "mastodon": 2}}
n_articles = {posts} // sum(parts.values())
for a in range(1, n_articles + 1):
    articles.append(dict(id=a, source=f"story-{{a}}.txt", canonical_url=f"https://news.example.org/{{a}}",
        content_hash=f"{{a:064x}}", title=f"Story {{a}}", body="Body text. " * 80, priority="normal", meta={{}},
        state="planned", created_at=now, updated_at=now))
i = 0
for a in range(1, n_articles + 1):
    for platform, count in parts.items():
        when = now - timedelta(minutes=5) if i < {due} else now + timedelta(minutes=15 * (a % 400) + 1)
        for t in range(count):
            posts.append(dict(article_id=a, platform=platform, account="", thread_index=t, kind="main" if t == 0 else "quote",
                text=f"Story {{a}} part {{t}} " + "x" * 200, payload={{"length": 220, "limit": 300, "kind": "main",
                "language": "en", "facets": [], "card": None, "images": []}}, scheduled_at=when, state="planned",
                idempotency_key=idempotency_key(f"{{a:064x}}", platform, "", t), attempts=0, created_at=now, updated_at=now))
        i += 1
with store.transaction() as conn:
    conn.execute(schema.articles.insert(), articles)
    conn.execute(schema.posts.insert(), posts)
_answer["posts"] = len(posts)
"""

RESTART = r"""
import time, json, sys
spawned = float(sys.argv[1])
t0 = time.time()
from datetime import datetime, UTC
from bot.config import load_settings
from bot.daemon import Daemon
from bot.store import open_store
t1 = time.time()
settings = load_settings(None)
store = open_store(settings.db_url)
t2 = time.time()
daemon = Daemon(settings, store, feed_poller=False)
daemon.reconcile()
t3 = time.time()
due = daemon.outbox.due(datetime.now(UTC), limit=50)
t4 = time.time()
print(json.dumps({"interpreter_s": t0 - spawned, "imports_s": t1 - t0, "open_store_s": t2 - t1,
                  "daemon_reconcile_s": t3 - t2, "due_query_s": t4 - t3, "total_s": t4 - spawned, "due": len(due)}))
"""

REPLAN = """
import time
from datetime import datetime, UTC
from bot.config import load_settings
from bot.models import Article
from bot.pipeline import plan_pending
from bot.store import open_store
settings = load_settings(None)
store = open_store(settings.db_url)
platforms = ["x", "bluesky", "mastodon"]
t0, c0 = time.perf_counter(), time.process_time()
plan_pending(settings, store, datetime.now(UTC), platforms=platforms)
t1, c1 = time.perf_counter(), time.process_time()
text = "The council approved the budget on Monday after a long debate. Members voted twelve to five."
store.add_article(Article(source="new.txt", title="Budget approved", text=text, url="https://news.example.org/new"))
t2, c2 = time.perf_counter(), time.process_time()
report = plan_pending(settings, store, datetime.now(UTC), platforms=platforms)
t3, c3 = time.perf_counter(), time.process_time()
_answer.update(idle_s=t1 - t0, idle_cpu=c1 - c0, seconds=t3 - t2, cpu=c3 - c2, moved=report.moved)
"""


def run(quick: bool = False) -> Result:
    res = Result("d", f"Restart with {POSTS:,} planned posts: time to the first completed due-check")
    runs = 3 if quick else 5
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as work:
        env = clean_env(NEWSBOT_DATA_DIR=f"{work}/data", NEWSBOT_QUEUE_DIR=f"{work}/queue",
                        MASTODON_API_BASE_URL="http://127.0.0.1:9", MASTODON_ACCESS_TOKEN="bench-unused-token",
                        X_BEARER_TOKEN="bench-unused-token", BLUESKY_HANDLE="bench.test",
                        BLUESKY_APP_PASSWORD="bench-unused-password")
        url = f"sqlite:///{work}/data/newsbot.db"
        Path(work, "data").mkdir()
        made = run_child(SETUP.format(url=url, posts=POSTS, due=DUE_NOW), env=env)
        res.add("posts in the outbox", made["posts"])
        timings = []
        for _ in range(runs):
            spawned = time.time()
            out = subprocess.run([PYTHON, "-c", RESTART, repr(spawned)], env=env, cwd=work, capture_output=True,
                                 text=True, timeout=120)
            if out.returncode != 0:
                raise RuntimeError(out.stderr[-2000:])
            timings.append(json.loads(out.stdout.strip().splitlines()[-1]))
        best = min(timings, key=lambda t: t["total_s"])
        median = sorted(t["total_s"] for t in timings)[len(timings) // 2]
        for key, label in (("interpreter_s", "interpreter start"), ("imports_s", "imports (bot.daemon, store, config)"),
                           ("open_store_s", "read settings + open store"), ("daemon_reconcile_s", "build daemon + reconcile"),
                           ("due_query_s", "first Outbox.due")):
            res.add(f"{label} (fastest run)", round(1000 * best[key], 1), "ms")
        res.add(f"spawn → first due-check done (median of {runs})", round(median, 3), "s")
        res.add("due posts found", best["due"])
        res.target("first due-check ≤ 1 s after restart", f"≤ {TARGET_S:g} s", f"{median:.2f} s", median <= TARGET_S)
        if not quick:
            replan = run_child(REPLAN, env=env, cwd=Path(work))
            res.add("an ingest tick with nothing new: plan_pending (wall / CPU)",
                    f"{replan['idle_s']:.2f} s / {replan['idle_cpu']:.2f} s")
            res.add("an ingest tick with one new article: plan_pending re-plans every future post (wall / CPU)",
                    f"{replan['seconds']:.1f} s / {replan['cpu']:.1f} s")
            res.add("  … posts given a new time / peak RSS", f"{replan['moved']} / {replan['peak_rss_mb']} MB")
    return res
