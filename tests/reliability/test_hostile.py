"""Hostile files in the queue (hostile.py: empty, binary, invalid UTF-8, 50 MB, deeply nested or script-only
HTML, broken front matter, JSON with wrong types, control characters, RTL overrides, a 10,000-character line, a
quotation never closed, a symlink out of the queue, …) beside three good articles, taken by a running daemon:
each hostile file is quarantined with a reason a person can act on, or handled (published, or its article
refused with a reason); the daemon stays up; the good articles are published, exactly once."""

from __future__ import annotations

import sqlite3
import time
import unicodedata

import pytest
from articles import write_articles
from checks import assert_exactly_once
from world import World, leaked
from hostile import write_hostile

pytestmark = [pytest.mark.reliability, pytest.mark.servers]

# What must never reach a platform: C0/C1 controls (a newline aside) and the invisible bidi controls that
# make a post read differently from what it says (U+202A-U+202E, U+2066-U+2069).
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _clear(reason: str | None) -> bool:
    """One short line that says what is wrong (no traceback, no repr of an exception object)."""
    return reason is not None and bool(reason.strip()) and "Traceback" not in reason and "\n" not in reason.strip() \
        and len(reason) <= 400


def _settled(world: World) -> bool:
    """Every file taken and every article composed, and the breaking (good) articles' posts all sent.

    The hostile articles that can be posted are normal news: they wait for their slots (one a minute here),
    so they are checked as planned, in the outbox, with exactly the text that will be sent.
    """
    left = [p for p in world.queue.iterdir() if p.is_file() or p.is_symlink()]
    if left or any((world.queue / ".processing").glob("*")) or not world.db.exists():
        return False
    db = sqlite3.connect(f"file:{world.db}?mode=ro", uri=True, timeout=30)
    try:
        waiting = db.execute("SELECT count(*) FROM articles WHERE state = 'ingested'").fetchone()[0]
        waiting += db.execute(
            "SELECT count(*) FROM posts JOIN articles ON articles.id = posts.article_id "
            "WHERE posts.state IN ('planned', 'sending') AND articles.priority = 'breaking'"
        ).fetchone()[0]
    except sqlite3.OperationalError:
        return False
    finally:
        db.close()
    return waiting == 0


def test_hostile_queue_files_are_quarantined_or_handled_and_the_good_articles_still_go_out(world: World) -> None:
    hostile = write_hostile(world.queue)
    assert len(hostile) >= 30
    good = [p.name for p in write_articles(world.queue, 0, 3)]

    daemon = world.start_daemon()
    try:
        deadline = time.monotonic() + 180
        while not _settled(world):
            assert daemon.proc.poll() is None, "the daemon died:\n" + "".join(daemon.lines[-30:])
            assert time.monotonic() < deadline, "the queue never settled:\n" + "".join(daemon.lines[-30:])
            time.sleep(0.2)
        time.sleep(1.0)  # a tick more: still alive after everything was taken
        assert daemon.proc.poll() is None, "the daemon died:\n" + "".join(daemon.lines[-30:])
    finally:
        daemon.stop()
    assert daemon.proc.returncode == 0, "".join(daemon.lines[-20:])
    assert not daemon.events("job_failed"), "a job crashed on hostile input:\n" + "".join(daemon.events("job_failed"))

    db = sqlite3.connect(f"file:{world.db}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    articles = {r["source"]: dict(r) for r in db.execute("SELECT id, source, state, error FROM articles")}
    db.close()
    rows = world.rows()
    outcome: dict[str, str] = {}
    for name in hostile:
        failed = world.queue / "failed" / name
        if name == "folder.txt":  # a folder is not an article: left where it is, untouched
            assert (world.queue / name).is_dir()
            outcome[name] = "left alone (a folder)"
        elif failed.exists() or failed.is_symlink():
            note = (world.queue / "failed" / f"{name}.error.txt").read_text(encoding="utf-8")
            reason = note.splitlines()[0]
            assert _clear(reason), f"{name}: unclear reason {reason!r}"
            outcome[name] = f"quarantined: {reason}"
        else:
            assert (world.queue / "processed" / name).exists(), f"{name} is neither processed nor failed"
            article = articles[name]
            if article["state"] == "failed":
                assert _clear(article["error"]), f"{name}: unclear reason {article['error']!r}"
                outcome[name] = f"refused at composition: {article['error']}"
            else:
                posts = [r for r in rows if r["article_id"] == article["id"]]
                assert posts, f"{name}: ingested but nothing planned"
                for r in posts:
                    if r["state"] not in ("sent", "planned", "unplanned"):
                        assert _clear(r["last_error"]), f"{name}: post {r['id']}: unclear {r['last_error']!r}"
                outcome[name] = "planned: " + ", ".join(sorted({r["state"] for r in posts}))
    print("\n".join(f"{name:32} {what}" for name, what in outcome.items()))

    good_ids = {articles[name]["id"] for name in good}
    good_rows = [r for r in rows if r["article_id"] in good_ids]
    assert {(r["article_id"], r["platform"]) for r in good_rows} == {(a, p) for a in good_ids for p in ("x", "bluesky", "mastodon")}
    assert all(r["state"] == "sent" for r in good_rows), [(r["id"], r["state"], r["last_error"]) for r in good_rows]
    assert_exactly_once([r for r in rows if r["state"] == "sent"], world.remote())

    for row in rows:  # what was sent, and what will be
        text = row["text"]
        bad = [hex(ord(c)) for c in text if (unicodedata.category(c) == "Cc" and c != "\n") or c in BIDI]
        assert not bad, f"{row['platform']}: post {row['id']} carries control characters {bad[:5]}: {text[:80]!r}"
        assert "must never be published" not in text, "a file outside the queue was published through a symlink"
    assert not leaked("".join(daemon.lines))
