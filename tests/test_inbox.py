"""The queue folder: claiming, ingesting, duplicates, quarantine, settling, crash recovery, listing."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ConfigError, StoreError
from bot.ingest import ItemStatus, ingest_queue, queue_listing, read_queue, scan_queue
from bot.ingest import inbox
from bot.models import ArticleState
from bot.store import open_store

DATA = Path(__file__).parent / "data"
PROJECT_QUEUE = Path(__file__).parent.parent / "queue"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SETTLE = 2.0
BODY = "The council voted on Tuesday to reopen the old bridge.\n\nCyclists welcomed the decision."


@pytest.fixture
def queue(tmp_path: Path) -> Path:
    folder = tmp_path / "queue"
    folder.mkdir()
    return folder


@pytest.fixture
def settings(queue: Path) -> Settings:
    return Settings(_env_file=None, queue_dir=queue, file_settle_seconds=SETTLE, max_file_bytes=10_000)


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(f"sqlite:///{tmp_path}/t.db")
    yield s
    s.close()


def drop(folder: Path, name: str, content: str | bytes, *, age: float = 60.0) -> Path:
    """Write a file whose last change was ``age`` seconds before NOW."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    stamp = NOW.timestamp() - age
    os.utime(path, (stamp, stamp))
    return path


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_article_is_ingested_and_moved_to_processed(queue, settings, store):
    drop(queue, "belarus-ties.txt", (DATA / "belarus-ties.txt").read_bytes())
    report = ingest_queue(settings, store, now=NOW)
    [item] = report.items
    assert item.status is ItemStatus.INGESTED
    assert item.path == queue / "processed" / "belarus-ties.txt"
    assert item.path.read_bytes() == (DATA / "belarus-ties.txt").read_bytes()
    assert not (queue / "belarus-ties.txt").exists()
    stored = store.get_article(item.article_id)
    assert stored.state == ArticleState.INGESTED
    assert stored.article.title == "Ukraine yet to sever diplomatic ties with Belarus"
    assert stored.article.source == "belarus-ties.txt"
    assert report.counts() == {"ingested": 1, "duplicate": 0, "updated": 0, "failed": 0, "skipped": 0}


def test_a_bad_file_goes_to_failed_with_its_reason_beside_it(queue, settings, store):
    drop(queue, "empty.txt", b"")
    [item] = ingest_queue(settings, store, now=NOW).items
    assert item.status is ItemStatus.FAILED
    assert item.reason == "empty file: it has 0 bytes"
    assert item.path == queue / "failed" / "empty.txt"
    note = (queue / "failed" / "empty.txt.error.txt").read_text(encoding="utf-8")
    assert note.startswith("empty file: it has 0 bytes\n")
    assert store.count_articles() == {}


def test_duplicate_by_canonical_url_is_recorded_and_never_planned(queue, settings, store):
    drop(queue, "a.txt", f"Bridge reopens\nhttps://example.com/bridge\n\n{BODY}", age=90)
    drop(queue, "b.md", "---\ntitle: Other words\nurl: https://EXAMPLE.com/bridge/?utm_source=x\n---\nDifferent text.")
    first, second = ingest_queue(settings, store, now=NOW).items
    assert first.status is ItemStatus.INGESTED
    assert second.status is ItemStatus.DUPLICATE
    assert second.duplicate_of == first.article_id
    assert second.path == queue / "processed" / "b.md"
    dup = store.get_article(second.article_id)
    assert dup.state == ArticleState.DUPLICATE and dup.duplicate_of == first.article_id
    assert [a.id for a in store.list_articles([ArticleState.INGESTED])] == [first.article_id]


def test_a_corrected_copy_dropped_in_under_the_same_name_and_link_replaces_the_text_not_yet_posted(
    queue, settings, store
):
    from bot.pipeline import plan_pending
    from bot.store.outbox import Outbox

    front = "---\ntitle: {}\nurl: https://example.com/mayor\n---\n\n{}"
    drop(queue, "mayor.md", front.format("Mayor resigns after budget vote", BODY), age=90)
    [first] = ingest_queue(settings, store, now=NOW).items
    plan_pending(settings, store, NOW, platforms=["x"])
    drop(queue, "mayor.md", front.format("Deputy mayor resigns after budget vote", BODY), age=90)

    [again] = ingest_queue(settings, store, now=NOW).items

    assert again.status is ItemStatus.UPDATED and again.article_id == first.article_id
    assert "composed again" in (again.reason or "")
    assert store.get_article(first.article_id).article.title == "Deputy mayor resigns after budget vote"
    report = plan_pending(settings, store, NOW, platforms=["x"])
    assert report.recomposed == [first.article_id]
    [head] = [r for r in Outbox(store).find(["planned"]) if r.thread_index == 0]
    assert head.text.startswith("Deputy mayor resigns")
    assert store.count_articles().get("duplicate", 0) == 0


def test_duplicate_by_content_hash_ignores_case_and_spacing(queue, settings, store):
    drop(queue, "one.txt", f"Bridge reopens\n\n{BODY}", age=90)
    drop(queue, "two.txt", f"BRIDGE   reopens\n\n\n{BODY.upper()}  \n")
    first, second = ingest_queue(settings, store, now=NOW).items
    assert (first.status, second.status) == (ItemStatus.INGESTED, ItemStatus.DUPLICATE)
    assert second.duplicate_of == first.article_id
    assert (queue / "processed" / "two.txt").exists()


def test_a_duplicate_of_an_earlier_run_is_caught_too(queue, settings, store):
    drop(queue, "one.txt", f"Bridge reopens\n\n{BODY}")
    ingest_queue(settings, store, now=NOW)
    drop(queue, "one.txt", f"Bridge reopens\n\n{BODY}")
    [item] = ingest_queue(settings, store, now=NOW).items
    assert item.status is ItemStatus.DUPLICATE
    assert item.path == queue / "processed" / "one-2.txt"  # the first one.txt is still there, untouched
    assert (queue / "processed" / "one.txt").exists()


def test_an_article_that_failed_to_compose_can_be_dropped_in_again(queue, settings, store):
    # An article that could not be composed (a broken template, say) has no posts. Once the cause is fixed,
    # dropping its file in again must bring it back, not record it as a duplicate of the failure for good.
    drop(queue, "one.txt", f"Bridge reopens\nhttps://example.com/bridge\n\n{BODY}")
    [first] = ingest_queue(settings, store, now=NOW).items
    store.set_article_state(first.article_id, ArticleState.FAILED, "template error")  # as plan_pending does
    drop(queue, "one.txt", f"Bridge reopens\nhttps://example.com/bridge\n\n{BODY}")
    [again] = ingest_queue(settings, store, now=NOW).items
    assert again.status is ItemStatus.INGESTED and again.duplicate_of is None
    assert [a.id for a in store.list_articles([ArticleState.INGESTED])] == [again.article_id]
    drop(queue, "one.txt", f"Bridge reopens\nhttps://example.com/bridge\n\n{BODY}")
    [third] = ingest_queue(settings, store, now=NOW).items
    assert third.status is ItemStatus.DUPLICATE and third.duplicate_of == again.article_id


def test_a_file_still_changing_is_left_for_the_next_round(queue, settings, store):
    drop(queue, "fresh.txt", f"Bridge reopens\n\n{BODY}", age=0.5)
    [item] = ingest_queue(settings, store, now=NOW).items
    assert item.status is ItemStatus.SKIPPED
    assert "still being written" in item.reason
    assert (queue / "fresh.txt").exists()
    assert store.count_articles() == {}
    later = datetime.fromtimestamp(NOW.timestamp() + SETTLE, UTC)
    [item] = ingest_queue(settings, store, now=later).items
    assert item.status is ItemStatus.INGESTED


def test_a_file_dated_in_the_future_waits(queue, settings, store):
    drop(queue, "future.txt", f"Bridge reopens\n\n{BODY}", age=-3600)
    [item] = ingest_queue(settings, store, now=NOW).items
    assert item.status is ItemStatus.SKIPPED
    assert "future" in item.reason
    assert (queue / "future.txt").exists()


@pytest.mark.parametrize(
    "name",
    [".hidden.txt", "draft.txt~", "draft.txt.tmp", "draft.txt.part", ".draft.md.swp", "draft.md.swp",
     "page.html.crdownload", "README.md", "~$draft.txt"],
)
def test_dotfiles_temp_files_and_the_readme_are_not_taken(queue, settings, store, name):
    drop(queue, name, f"Bridge reopens\n\n{BODY}")
    before = tree(queue)
    assert ingest_queue(settings, store, now=NOW).items == []
    assert (queue / name).exists()
    assert tree(queue) == before
    assert scan_queue(settings) == []


def test_directories_in_the_queue_are_not_taken(queue, settings, store):
    (queue / "photos").mkdir()
    drop(queue / "photos", "inner.txt", f"Bridge reopens\n\n{BODY}")
    assert ingest_queue(settings, store, now=NOW).items == []
    assert (queue / "photos" / "inner.txt").exists()


def test_leftovers_of_a_crash_in_processing_are_taken_first(queue, settings, store):
    drop(queue / ".processing", "interrupted.txt", f"Bridge reopens\n\n{BODY}", age=0)  # settle does not apply
    drop(queue, "new.txt", f"Another story\n\nSomething else happened in the town today.")
    first, second = ingest_queue(settings, store, now=NOW).items
    assert (first.name, first.status, first.recovered) == ("interrupted.txt", ItemStatus.INGESTED, True)
    assert (second.name, second.status, second.recovered) == ("new.txt", ItemStatus.INGESTED, False)
    assert list((queue / ".processing").iterdir()) == []
    assert sorted(p.name for p in (queue / "processed").iterdir()) == ["interrupted.txt", "new.txt"]


def test_a_crash_after_storing_but_before_moving_does_not_make_a_duplicate(queue, settings, store):
    """The article was written to the store, then the process died before the file left .processing/."""
    from bot.ingest.files import read_article_file

    path = drop(queue / ".processing", "story.txt", f"Bridge reopens\n\n{BODY}")
    article_id = store.add_article(read_article_file(path, 10_000))
    [item] = ingest_queue(settings, store, now=NOW).items
    assert (item.status, item.article_id, item.recovered) == (ItemStatus.INGESTED, article_id, True)
    assert store.count_articles() == {"ingested": 1}
    assert (queue / "processed" / "story.txt").exists()


class BrokenStore:
    """A store whose database has gone away."""

    def find_duplicate(self, url, content_hash):
        raise StoreError("cannot open the database: disk I/O error")


def test_a_store_failure_stops_the_run_and_leaves_the_file_claimed_for_next_time(queue, settings, store):
    drop(queue, "story.txt", f"Bridge reopens\n\n{BODY}")
    with pytest.raises(StoreError):
        ingest_queue(settings, BrokenStore(), now=NOW)  # type: ignore[arg-type]
    assert (queue / ".processing" / "story.txt").exists()  # not quarantined: the file was fine
    assert not (queue / "failed").exists()
    [item] = ingest_queue(settings, store, now=NOW).items
    assert (item.status, item.recovered) == (ItemStatus.INGESTED, True)


def test_name_collisions_get_a_suffix_and_nothing_is_overwritten(queue, settings, store):
    drop(queue / "processed", "story.txt", b"an older story.txt")
    drop(queue / "failed", "bad.txt", b"")
    drop(queue / "failed", "bad.txt.error.txt", b"empty file: it has 0 bytes\n")
    drop(queue / "failed", "bad-2.txt.error.txt", b"a stray note\n")  # a note alone also blocks its name
    drop(queue, "story.txt", f"Bridge reopens\n\n{BODY}")
    drop(queue, "bad.txt", b"\x00\x00binary")
    items = {item.name: item for item in ingest_queue(settings, store, now=NOW).items}
    assert items["story.txt"].path == queue / "processed" / "story-2.txt"
    assert (queue / "processed" / "story.txt").read_bytes() == b"an older story.txt"
    assert items["bad.txt"].path == queue / "failed" / "bad-3.txt"
    assert (queue / "failed" / "bad-3.txt.error.txt").read_text().startswith("binary file")
    assert (queue / "failed" / "bad.txt.error.txt").read_text() == "empty file: it has 0 bytes\n"


def test_a_name_too_long_for_its_error_note_is_shortened_not_stuck(queue, settings, store):
    # 252 bytes is a legal name (a saved page titled in Cyrillic), but "<name>.error.txt" is not: looking
    # for that note raised ENAMETOOLONG when the file was claimed, and every run stopped at this file.
    name = "Мост" * 31 + ".txt"
    assert len(name.encode()) == 252
    try:
        drop(queue, name, b"", age=90)
    except OSError:
        pytest.skip("this file system refuses 252-byte names")
    drop(queue, "fine.txt", f"Bridge reopens\n\n{BODY}")
    long, fine = ingest_queue(settings, store, now=NOW).items
    assert (long.name, long.status, fine.status) == (name, ItemStatus.FAILED, ItemStatus.INGESTED)
    assert long.path.parent == queue / "failed" and long.path.suffix == ".txt"
    assert long.path.read_bytes() == b""
    note = long.path.with_name(long.path.name + ".error.txt").read_text(encoding="utf-8")
    assert note.startswith("empty file") and f"file: {name}" in note
    drop(queue, name, b"", age=90)  # the same name again: the shortened name is taken, so it gets -2
    [again] = ingest_queue(settings, store, now=NOW).items
    assert again.status is ItemStatus.FAILED and again.path != long.path and again.path.exists()


def test_a_file_that_cannot_be_claimed_is_skipped_with_the_reason_and_the_rest_go_on(
    queue, settings, store, monkeypatch
):
    # In a shared folder with the sticky bit, another user's file cannot be renamed by the bot (EPERM):
    # it must not stop every run at that file.
    real = os.rename

    def rename(src, dst):
        if Path(src).name == "theirs.txt":
            raise PermissionError(1, "Operation not permitted")
        return real(src, dst)

    monkeypatch.setattr(inbox.os, "rename", rename)
    drop(queue, "theirs.txt", f"Bridge reopens\n\n{BODY}", age=90)
    drop(queue, "mine.txt", "Another story\n\nSomething else happened in the town today.")
    theirs, mine = ingest_queue(settings, store, now=NOW).items
    assert theirs.status is ItemStatus.SKIPPED and theirs.path == queue / "theirs.txt"
    assert "Operation not permitted" in theirs.reason and "permission" in theirs.reason
    assert (queue / "theirs.txt").exists()
    assert mine.status is ItemStatus.INGESTED


def crashing_on_boom(real):  # type: ignore[no-untyped-def]
    """``read_article_file`` as a parser with a bug that only boom.txt hits."""

    def flaky(path, max_bytes, **kw):  # type: ignore[no-untyped-def]
        if path.name == "boom.txt":
            raise RuntimeError("parser bug")
        return real(path, max_bytes, **kw)

    return flaky


def test_one_file_crashing_the_reader_does_not_stop_the_others(queue, settings, store, monkeypatch):
    monkeypatch.setattr(inbox, "read_article_file", crashing_on_boom(inbox.read_article_file))
    drop(queue, "boom.txt", f"Bridge reopens\n\n{BODY}", age=90)
    drop(queue, "fine.txt", f"Another story\n\nSomething else happened in the town today.")
    boom, fine = ingest_queue(settings, store, now=NOW).items
    assert boom.status is ItemStatus.FAILED
    assert boom.reason.startswith("unexpected error while reading (RuntimeError: parser bug)")
    assert fine.status is ItemStatus.INGESTED


def test_a_file_name_that_is_not_utf8_is_handled_and_shown_with_a_replacement_character(queue, settings, store):
    # A name in Latin-1 bytes (copied from an old Windows share or zip) on a UTF-8 system: Python spells the
    # bad byte as a lone surrogate, which no UTF-8 note, log line or JSON output can hold.
    try:
        drop(queue, os.fsdecode(b"Caf\xe9 broken.txt"), b"", age=90)
        drop(queue, os.fsdecode(b"Caf\xe9 story.txt"), f"Bridge reopens\n\n{BODY}")
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    report = ingest_queue(settings, store, now=NOW)
    assert [(i.name, i.status) for i in report.items] == [
        ("Caf\ufffd broken.txt", ItemStatus.FAILED),
        ("Caf\ufffd story.txt", ItemStatus.INGESTED),
    ]
    failed = report.items[0].path
    assert failed.name == os.fsdecode(b"Caf\xe9 broken.txt")  # the file itself keeps its name
    note = failed.with_name(failed.name + ".error.txt").read_text(encoding="utf-8")
    assert note.startswith("empty file: it has 0 bytes") and "file: Caf\ufffd broken.txt" in note
    json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8")  # printable as UTF-8 (`--json`)
    listing = queue_listing(settings)
    json.dumps(listing, ensure_ascii=False).encode("utf-8")
    assert listing["failed"][0]["reason"].startswith("empty file")


def test_a_second_ingest_at_the_same_time_waits_instead_of_taking_the_claimed_file(
    queue, settings, store, tmp_path, monkeypatch
):
    # `newsbot ingest` run while the daemon ingests: the second run must not take the first one's claimed
    # file in .processing/ for a crash leftover (both read it; one of the moves then fails, the run crashes).
    import threading

    real = inbox.read_article_file
    other_store = open_store(f"sqlite:///{tmp_path}/t.db")
    second: dict[str, object] = {}

    def second_run() -> None:
        try:
            second["report"] = ingest_queue(settings, other_store, now=NOW)
        except Exception as exc:  # reported below, not lost in the thread
            second["error"] = exc

    def reading(path, max_bytes, **kw):
        if path.name == "a.txt" and "thread" not in second:
            second["thread"] = thread = threading.Thread(target=second_run)
            thread.start()
            thread.join(timeout=2)  # time enough to take the file, if it is not kept waiting
        return real(path, max_bytes, **kw)

    monkeypatch.setattr(inbox, "read_article_file", reading)
    drop(queue, "a.txt", f"Bridge reopens\n\n{BODY}")
    [first] = ingest_queue(settings, store, now=NOW).items
    second["thread"].join()  # type: ignore[attr-defined]
    other_store.close()
    assert "error" not in second
    assert first.status is ItemStatus.INGESTED
    assert second["report"].items == []  # type: ignore[attr-defined]
    assert store.count_articles() == {"ingested": 1}


def test_a_queue_on_a_share_without_file_locks_is_still_ingested(queue, settings, store, monkeypatch):
    # SMB/NFS mounts may refuse flock (ENOLCK, EOPNOTSUPP): the queue is then taken without the lock.
    import errno
    import fcntl

    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    drop(queue, "a.txt", f"Bridge reopens\n\n{BODY}")
    [item] = ingest_queue(settings, store, now=NOW).items
    assert item.status is ItemStatus.INGESTED


def test_files_are_taken_oldest_first_and_reported_as_they_go(queue, settings, store):
    drop(queue, "b.txt", f"Second story\n\n{BODY}", age=100)
    drop(queue, "a.txt", f"First story\n\nA different body for the first story.", age=200)
    drop(queue, "c.txt", "", age=50)
    seen = []
    report = ingest_queue(settings, store, now=NOW, on_item=seen.append)
    assert [i.name for i in seen] == ["a.txt", "b.txt", "c.txt"]
    assert seen == report.items
    assert [i.status for i in report.items] == [ItemStatus.INGESTED, ItemStatus.INGESTED, ItemStatus.FAILED]
    assert json.loads(json.dumps(report.to_dict()))["counts"] == {
        "ingested": 2, "duplicate": 0, "updated": 0, "failed": 1, "skipped": 0
    }


def test_preview_reads_the_queue_without_moving_anything(queue, settings, store):
    drop(queue, "good.txt", f"Bridge reopens\n\n{BODY}", age=100)
    drop(queue, "bad.json", "{broken")
    drop(queue, "README.md", "# The queue")
    before = tree(queue)
    entries = read_queue(settings)
    assert tree(queue) == before
    assert [e.path.name for e in entries] == ["good.txt", "bad.json"]
    assert entries[0].article is not None and entries[0].article.title == "Bridge reopens"
    assert entries[0].error is None
    assert entries[1].article is None and entries[1].error.startswith("broken JSON")
    assert store.count_articles() == {}


def test_preview_shows_a_file_crashing_the_reader_as_an_error_like_ingest_does(queue, settings, monkeypatch):
    monkeypatch.setattr(inbox, "read_article_file", crashing_on_boom(inbox.read_article_file))
    drop(queue, "boom.txt", f"Bridge reopens\n\n{BODY}", age=90)
    drop(queue, "fine.txt", "Another story\n\nSomething else happened in the town today.")
    boom, fine = read_queue(settings)
    assert boom.article is None and boom.error.startswith("unexpected error while reading (RuntimeError: parser bug)")
    assert fine.article is not None


def test_preview_of_files_named_shows_a_file_crashing_the_reader_as_its_error_too(queue, settings, monkeypatch):
    # `newsbot preview queue/failed` (where ingest put it, "unexpected error") or `post FILE --dry-run`
    import bot.ingest
    from bot.preview import build_preview

    monkeypatch.setattr(bot.ingest, "read_article_file", crashing_on_boom(bot.ingest.read_article_file))
    drop(queue, "boom.txt", f"Bridge reopens\n\n{BODY}", age=90)
    drop(queue, "fine.txt", "Another story\n\nSomething else happened in the town today.")
    for paths in ([str(queue)], [str(queue / "boom.txt"), str(queue / "fine.txt")]):
        boom, fine = build_preview(settings, paths, now=NOW, platforms=["x"], use_store=False).articles
        assert boom.error is not None and boom.error.startswith("unexpected error while reading (RuntimeError: parser bug)")
        assert fine.error is None


def test_queue_listing_shows_waiting_processed_and_failed_with_reasons(queue, settings, store):
    drop(queue, "good.txt", f"Bridge reopens\n\n{BODY}")
    drop(queue, "bad.json", "{broken")
    ingest_queue(settings, store, now=NOW)
    drop(queue, "later.md", f"# Later\n\n{BODY} More.")
    listing = queue_listing(settings)
    assert json.loads(json.dumps(listing)) == listing
    assert [f["name"] for f in listing["waiting"]] == ["later.md"]
    assert listing["processing"] == []
    assert [f["name"] for f in listing["processed"]] == ["good.txt"]
    [failed] = listing["failed"]
    assert failed["name"] == "bad.json"
    assert failed["reason"].startswith("broken JSON at line 1")


def test_a_missing_queue_folder_is_a_config_error(tmp_path, store):
    settings = Settings(_env_file=None, queue_dir=tmp_path / "nope")
    with pytest.raises(ConfigError, match="NEWSBOT_QUEUE_DIR"):
        ingest_queue(settings, store, now=NOW)


def test_the_projects_queue_folder_holds_no_python_and_its_readme_is_not_an_article(tmp_path):
    assert PROJECT_QUEUE.is_dir()
    assert not list(PROJECT_QUEUE.rglob("*.py"))
    assert (PROJECT_QUEUE / "README.md").is_file()
    copy = tmp_path / "queue"
    shutil.copytree(PROJECT_QUEUE, copy, ignore=shutil.ignore_patterns("processed", "failed", ".processing"))
    names = [p.name for p in scan_queue(Settings(_env_file=None, queue_dir=copy))]
    assert "README.md" not in names
    assert "belarus-ties.txt" in names  # the shipped example article


BROKEN = {
    "empty.txt": b"",
    "binary.txt": b"\x00\x01\x02\x03 not text \x00",
    "latin.txt": b"Headline\n\nPlain words, then \x81\x8d\x9d bytes that no encoding accepts, then words.",
    "huge.txt": b"Huge story\n\n" + b"Many words here. " * 1000,
    "front-matter.md": b"---\ntitle: Bridge reopens\n\nThe closing line is missing.\n",
    "broken.json": b'{"title": "Bridge", "text": ',
    "types.json": b'{"title": ["Bridge"], "text": "The council voted."}',
    "menu.html": b"<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>",
    "headline-only.txt": b"Bridge reopens to cyclists\n",
    "story.docx": b"PK\x03\x04\x14\x00\x06\x00",
}


def test_done_when_the_sample_plus_ten_broken_files(queue, settings, store):
    """Issue 2's acceptance: one ingested, ten failed each with its own reason; a second run changes nothing."""
    drop(queue, "belarus-ties.txt", (DATA / "belarus-ties.txt").read_bytes())
    for name, data in BROKEN.items():
        drop(queue, name, data)
    drop(queue, "README.md", "# The queue\n")
    report = ingest_queue(settings, store, now=NOW)
    assert [i.name for i in report.ingested] == ["belarus-ties.txt"]
    assert sorted(i.name for i in report.failed) == sorted(BROKEN)
    reasons = {i.name: i.reason for i in report.failed}
    assert len(set(reasons.values())) == 10
    prefixes = {
        "empty.txt": "empty file",
        "binary.txt": "binary file",
        "latin.txt": "undecodable text",
        "huge.txt": "too large",
        "front-matter.md": "broken front matter",
        "broken.json": "broken JSON",
        "types.json": "title: expected text",
        "menu.html": "no article found in the HTML",
        "headline-only.txt": "no body",
        "story.docx": "unsupported file type '.docx'",
    }
    assert {name: reasons[name][: len(prefix)] for name, prefix in prefixes.items()} == prefixes
    for name in BROKEN:
        assert (queue / "failed" / name).read_bytes() == BROKEN[name]  # quarantined untouched
        assert (queue / "failed" / f"{name}.error.txt").read_text(encoding="utf-8").startswith(reasons[name])
    assert sorted(p.name for p in queue.iterdir()) == [".processing", "README.md", "failed", "processed"]
    assert store.count_articles() == {"ingested": 1}

    before = tree(queue)
    again = ingest_queue(settings, store, now=datetime(2026, 3, 2, tzinfo=UTC))
    assert again.items == []
    assert tree(queue) == before
    assert store.count_articles() == {"ingested": 1}


def test_a_failed_file_dropped_in_again_with_its_error_note_never_posts_the_note(queue, settings, store):
    # README: "Fix the file and drop it into the queue folder again". Moved back together with its note
    # (mv failed/story.md* .), the note saying why it failed must not become an article and go out as a post.
    drop(queue, "story.txt", b"")
    ingest_queue(settings, store, now=NOW)
    for name in ("story.txt", "story.txt.error.txt"):
        shutil.move(queue / "failed" / name, queue / name)
    drop(queue, "story.txt", f"Bridge reopens\n\n{BODY}")  # fixed
    os.utime(queue / "story.txt.error.txt", (NOW.timestamp() - 60, NOW.timestamp() - 60))
    items = ingest_queue(settings, store, now=NOW).items
    assert [(i.name, i.status) for i in items] == [("story.txt", ItemStatus.INGESTED)]
    assert [a.article.title for a in store.list_articles([ArticleState.INGESTED])] == ["Bridge reopens"]
    assert [q.path.name for q in read_queue(settings)] == []  # nothing else waiting to preview


def test_an_article_naming_an_image_beside_it_in_the_queue_is_posted_with_that_image(queue, settings, store):
    # Claimed into .processing/ before it is read, and moved to processed/ after: the image path must still
    # lead to the image the editor meant, under the queue folder.
    (queue / "images").mkdir(parents=True)
    (queue / "images" / "bridge.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    drop(queue, "story.md", f"---\ntitle: Bridge reopens\nimage: images/bridge.png\n---\n\n{BODY}\n", age=90)
    [item] = ingest_queue(settings, store, now=NOW).items
    assert item.status is ItemStatus.INGESTED
    [stored] = store.list_articles()
    assert stored.article.image == str((queue / "images" / "bridge.png").resolve())
    assert (queue / "images" / "bridge.png").exists()  # a folder in the queue is not scanned for articles
