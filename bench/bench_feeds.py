"""Feed polling speed against the local HTTP server (tests/fixtures_http.py), in this process.

Three rounds over the same feeds: the first poll (every entry backfilled into an article), a poll where every
feed answers 304 Not Modified (what a daemon does almost every time), and a teaser feed whose entries each need
their article page fetched and extracted with trafilatura. The per-host rate limit is lifted here (all feeds are
on 127.0.0.1); in production it caps requests at two per second per host, which dominates these numbers.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench._common import ROOT, Result


def _item(base: str, feed: int, i: int, teaser: bool) -> str:
    text = f"Story {i} of feed {feed}." if teaser else " ".join(
        f"Sentence {n} of story {i} in feed {feed} tells readers a little more." for n in range(30)
    )
    return (f"<item><guid>f{feed}-{i}</guid><title>Story {i} from feed {feed}</title>"
            f"<link>{base}/page/{feed}/{i}?utm_source=rss</link>"
            f"<pubDate>Tue, 05 Mar 2024 {i % 24:02d}:00:00 +0000</pubDate>"
            f"<description><![CDATA[<p>{text}</p>]]></description></item>")


def _page(feed: int, i: int) -> str:
    paragraphs = "".join(
        f"<p>Paragraph {n} of story {i} in feed {feed}: the council met, the residents spoke, and the plan "
        f"was changed again after a long debate about money, time and the river.</p>" for n in range(12)
    )
    return (f"<html><head><title>Story {i}</title><link rel=canonical href='/news/{feed}/{i}/'>"
            f"<meta property='og:image' content='/img/{i}.jpg'></head><body><nav>Home News</nav>"
            f"<article><h1>Story {i}</h1>{paragraphs}</article><footer>Contact</footer></body></html>")


def run(quick: bool) -> Result:
    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures_http import LocalServer

    from bot.config import Settings
    from bot.feeds.fetch import Fetcher
    from bot.feeds.poll import poll_feeds
    from bot.feeds.registry import add_feed
    from bot.store import open_store

    feeds, entries, teasers = (10, 20, 20) if quick else (50, 20, 100)
    res = Result("feeds", "Feed polling")
    server = LocalServer()
    server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(_env_file=None, data_dir=Path(tmp))  # type: ignore[call-arg]
            store = open_store(settings.db_url)
            now = datetime(2024, 3, 7, 12, tzinfo=UTC)
            for f in range(feeds):
                items = "".join(_item(server.base, f, i, teaser=False) for i in range(entries))
                server.put(f"/feed{f}.xml", f'<rss version="2.0"><channel><title>F{f}</title>{items}</channel></rss>')
                add_feed(store, server.url(f"/feed{f}.xml"), backfill=entries, now=now)
            with Fetcher(user_agent="newsbot-bench", per_host_per_second=0) as fetcher:
                t0 = time.perf_counter()
                results = poll_feeds(settings, store, now=now, client=fetcher)
                first = time.perf_counter() - t0
                made = sum(len(r.new_article_ids) for r in results)
                t0 = time.perf_counter()
                again = poll_feeds(settings, store, now=now + timedelta(hours=1), client=fetcher)
                unchanged = time.perf_counter() - t0
                assert all(r.status == "not_modified" for r in again)

                items = "".join(_item(server.base, 999, i, teaser=True) for i in range(teasers))
                server.put("/teasers.xml", f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>')
                for i in range(teasers):
                    server.put(f"/page/999/{i}", _page(999, i), content_type="text/html")
                add_feed(store, server.url("/teasers.xml"), backfill=teasers, now=now)
                t0 = time.perf_counter()
                (teaser_result,) = poll_feeds(settings, store, now=now + timedelta(hours=1), client=fetcher)
                teaser_time = time.perf_counter() - t0
                assert len(teaser_result.new_article_ids) == teasers, teaser_result
            store.close()
    finally:
        server.stop()
    res.add(f"first poll: {feeds} feeds x {entries} full-text entries -> articles", round(first, 2), "s")
    res.add("per new article (parse, dedup, store)", round(1000 * first / made, 2), "ms")
    res.add(f"poll of {feeds} unchanged feeds (304)", round(1000 * unchanged / feeds, 2), "ms per feed")
    res.add(f"teaser feed: {teasers} entries, each page fetched and extracted", round(teaser_time, 2), "s")
    res.add("per teaser entry (fetch + trafilatura + store)", round(1000 * teaser_time / teasers, 1), "ms")
    return res


if __name__ == "__main__":
    import json

    print(json.dumps(run(quick="--full" not in sys.argv).as_json(), ensure_ascii=False, indent=2))
