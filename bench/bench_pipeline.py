"""(b) End to end for 1,000 articles: ingest → analyze → compose → plan, in a fresh process.

The child writes the synthetic corpus into a queue folder (txt, md, json and html in turn), then times
``ingest_queue`` (read, parse, dedup, store, move) and ``plan_pending`` for X, Bluesky and Mastodon
(analysis, composition, slot planning, outbox rows). Its peak RSS is its own ``ru_maxrss``.

The schedule is the default one (15-minute slots 07-22, 24 posts a day per platform, 24-hour expiry), so of
1,000 articles dropped at once most are recorded as expired, exactly as they would be: the rows are written
either way, and planning has to consider every one of them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench._common import Result, clean_env, run_child

CHILD = """
import time, sys
from datetime import datetime, UTC
from pathlib import Path
t_import = time.perf_counter()
from bench.corpus import generate, write_queue
from bot.config import Settings
from bot.store import open_store
from bot.ingest import ingest_queue
from bot.pipeline import plan_pending
from bot.store.outbox import Outbox
_answer["import_s"] = time.perf_counter() - t_import
work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path({work!r})
settings = Settings(_env_file=None, queue_dir=work / "queue", data_dir=work / "data", file_settle_seconds=0)
settings.data_dir.mkdir(parents=True, exist_ok=True)
write_queue(settings.queue_dir, generate({n}, seed=3))
store = open_store(settings.db_url)
now = datetime.now(UTC)
t0, c0 = time.perf_counter(), time.process_time()
report = ingest_queue(settings, store, now=now)
t1, c1 = time.perf_counter(), time.process_time()
plan = plan_pending(settings, store, now, platforms=["x", "bluesky", "mastodon"])
t2, c2 = time.perf_counter(), time.process_time()
_answer.update(
    ingest_s=t1 - t0, plan_s=t2 - t1, ingest_cpu=c1 - c0, plan_cpu=c2 - c1, ingested=len(report.ingested), failed=len(report.failed),
    planned=len(plan.planned), expired=len(plan.expired), compose_failed=len(plan.failed),
    rows=sum(Outbox(store).counts().values()),
)
"""


def run(quick: bool = False) -> Result:
    n = 200 if quick else 1000
    res = Result("b", f"End to end: ingest → analyze → compose → plan, {n} articles, 3 platforms")
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as work:
        out = run_child(CHILD.format(work=work, n=n), env=clean_env())
    total = out["ingest_s"] + out["plan_s"]
    res.add("articles ingested", out["ingested"])
    res.add("ingest (read, parse, dedup, store, move)", round(out["ingest_s"], 2), "s")
    res.add("analyze + compose + plan (plan_pending)", round(out["plan_s"], 2), "s")
    res.add("throughput, ingest → plan", round(out["ingested"] / total, 1), "articles/s")
    res.add("throughput, ingest only", round(out["ingested"] / out["ingest_s"], 1), "articles/s")
    res.add("throughput, analyze + compose + plan", round(out["ingested"] / out["plan_s"], 1), "articles/s")
    cpu = out["ingest_cpu"] + out["plan_cpu"]
    res.add("CPU time per article, ingest → plan (steadier than wall time on a busy machine)",
            round(1000 * cpu / out["ingested"], 1), "ms")
    res.add("throughput by CPU time (one core)", round(out["ingested"] / cpu, 1), "articles/s")
    res.add("peak RSS of the process", out["peak_rss_mb"], "MB")
    res.add("outbox rows written", out["rows"])
    res.add("posts planned / expired (default schedule, all dropped at once)", f"{out['planned']} / {out['expired']}")
    if out["failed"] or out["compose_failed"]:
        res.notes.append(f"{out['failed']} file(s) failed to ingest, {out['compose_failed']} article(s) failed to compose")
    return res
