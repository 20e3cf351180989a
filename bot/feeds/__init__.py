"""Feeds and URLs: RSS/Atom subscriptions polled politely, full text from article pages, canonical URLs,
and edited entries recognised as updates rather than new articles.

The public surface, for the daemon's ingest job, `newsbot ingest` and the CLI:

- ``poll_feeds(settings, store, *, now, client=None, force=False, feed_ids=None, on_update=None)``
  -> ``list[FeedResult]`` (``bot.feeds.poll``)
- ``add_feed`` / ``list_feeds`` / ``find_feed`` / ``remove_feed`` / ``set_disabled`` (``bot.feeds.registry``)
- ``add_url(settings, store, url, *, priority, client=None)`` -> ``AddResult`` (``bot.feeds.articles``)
- ``list_updates`` / ``mark_update_handled`` (``bot.feeds.articles``)

Submodules import httpx, feedparser and trafilatura; import them where they are used, not at CLI start-up.
"""
