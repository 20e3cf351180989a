"""The queue folder: article files dropped in, claimed, ingested, and moved to processed/ or failed/.

Layout (under ``settings.queue_dir``)::

    queue/                  drop files here (README.md here documents the folder and is never taken)
    queue/.processing/      a claimed file while it is read; leftovers from a crash are taken first next run
    queue/processed/        ingested files, duplicates included
    queue/failed/           unusable files, each with <name>.error.txt giving the reason

A file is claimed by renaming it into ``.processing/`` (atomic on one filesystem), so a half-read file is
never taken twice and never lost. Nothing is ever deleted; a name already taken gets a ``-2``, ``-3`` … suffix.
One process ingests a queue folder at a time: a flock on ``.processing/`` makes a second one (`newsbot
ingest` while the daemon runs) wait.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, IngestError
from ..models import Article, ArticleState
from .files import read_article_file

if TYPE_CHECKING:
    from ..config import Settings
    from ..store import Store

log = logging.getLogger(__name__)

PROCESSING = ".processing"
PROCESSED = "processed"
FAILED = "failed"
ERROR_SUFFIX = ".error.txt"
# Names editors and download tools use while a file is still being written.
TEMP_SUFFIXES = ("~", ".tmp", ".temp", ".part", ".partial", ".swp", ".swx", ".crdownload", ".download", ".lock")
IGNORED_NAMES = frozenset({"readme.md", "readme.txt", "readme", "thumbs.db", "desktop.ini"})


class ItemStatus(StrEnum):
    INGESTED = "ingested"
    DUPLICATE = "duplicate"
    UPDATED = "updated"  # a corrected copy of a stored article (same name and link, new text): the article takes it
    FAILED = "failed"
    SKIPPED = "skipped"  # not yet stable (still being written): left where it is for the next round


@dataclass(frozen=True)
class IngestItem:
    """What happened to one file."""

    name: str  # the file's name as dropped into the queue
    status: ItemStatus
    path: Path  # where the file is now
    article_id: int | None = None  # the stored article (for a duplicate: the duplicate's own row)
    duplicate_of: int | None = None
    reason: str | None = None  # why it failed or was skipped
    title: str | None = None
    recovered: bool = False  # taken from .processing/ after an interrupted run
    stuck: bool = False  # skipped for a reason that needs a person (not a file still being written)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.value,
            "path": shown(str(self.path)),
            "article_id": self.article_id,
            "duplicate_of": self.duplicate_of,
            "reason": self.reason,
            "title": self.title,
            "recovered": self.recovered,
        }


@dataclass
class IngestReport:
    items: list[IngestItem] = field(default_factory=list)

    def _with(self, status: ItemStatus) -> list[IngestItem]:
        return [item for item in self.items if item.status is status]

    @property
    def ingested(self) -> list[IngestItem]:
        return self._with(ItemStatus.INGESTED)

    @property
    def duplicates(self) -> list[IngestItem]:
        return self._with(ItemStatus.DUPLICATE)

    @property
    def failed(self) -> list[IngestItem]:
        return self._with(ItemStatus.FAILED)

    @property
    def skipped(self) -> list[IngestItem]:
        return self._with(ItemStatus.SKIPPED)

    def counts(self) -> dict[str, int]:
        return {status.value: len(self._with(status)) for status in ItemStatus}

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts(), "items": [item.to_dict() for item in self.items]}


@dataclass(frozen=True)
class QueuedFile:
    """A waiting file as ``newsbot preview`` sees it: read, but not moved. Exactly one of article/error is set."""

    path: Path
    article: Article | None = None
    error: str | None = None


# --- the folder ---------------------------------------------------------------------------------------


def shown(name: str) -> str:
    """A file name as text that can be written anywhere. A name that is not UTF-8 (Latin-1 bytes from an old
    Windows share, say) reaches Python with lone surrogates, which no UTF-8 note, log line or JSON output
    can hold: each bad byte is shown as U+FFFD, the replacement character."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _queue_dir(settings: Settings) -> Path:
    queue = Path(settings.queue_dir)
    if not queue.is_dir():
        raise ConfigError(
            f"the queue folder {queue} does not exist; create it or point NEWSBOT_QUEUE_DIR at the right one"
        )
    return queue


def is_candidate_name(name: str) -> bool:
    """Whether a name in the queue root may be an article: not a dotfile, temp file or the folder's README."""
    low = name.lower()
    return not (name.startswith(".") or low.endswith(TEMP_SUFFIXES) or low in IGNORED_NAMES or name.startswith("~$")
                or low.endswith(ERROR_SUFFIX))  # a failed file's note, moved back with it, is no article to post


def _candidates(folder: Path) -> list[Path]:
    """Article-file candidates in ``folder``, oldest first (first in, first out)."""
    found = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    for entry in entries:
        if not is_candidate_name(entry.name):
            continue
        try:
            if not entry.is_file():  # directories (processed/, failed/, anything else) are not articles
                continue
            found.append((entry.stat().st_mtime, entry.name, Path(entry.path)))
        except FileNotFoundError:
            continue  # gone while we looked
    return [path for _, _, path in sorted(found)]


def scan_queue(settings: Settings) -> list[Path]:
    """The files ``ingest`` would take, without touching them: leftovers in .processing/ first, then the
    waiting files (including ones still settling, which a preview may as well show)."""
    queue = _queue_dir(settings)
    return _candidates(queue / PROCESSING) + _candidates(queue)


def read_queue(settings: Settings) -> list[QueuedFile]:
    """Every waiting file read into an Article (or the reason it cannot be), moving nothing."""
    result = []
    for path in scan_queue(settings):
        try:
            result.append(QueuedFile(path, article=read_article_file(path, settings.max_file_bytes)))
        except IngestError as exc:
            result.append(QueuedFile(path, error=exc.message))
        except Exception as exc:  # as in ingest: a parser bug shows on its file, the others are still read
            result.append(QueuedFile(path, error=_unexpected(exc)))
    return result


MAX_NAME_BYTES = 255  # the longest file name common file systems allow (NAME_MAX)


def _fitted(stem: str, suffix: str, tag: str = "") -> str:
    """``stem + tag + suffix``, the stem cut short (at a character boundary) so that the name's .error.txt
    note, and so the name itself, fits in ``MAX_NAME_BYTES``."""
    room = MAX_NAME_BYTES - len(ERROR_SUFFIX) - len((tag + suffix).encode("utf-8", "surrogateescape"))
    encoded = stem.encode("utf-8", "surrogateescape")
    if len(encoded) > room:
        cut = max(room, 1)
        while cut > 1 and (encoded[cut] & 0xC0) == 0x80:  # not inside a UTF-8 character
            cut -= 1
        stem = encoded[:cut].decode("utf-8", "surrogateescape")
    return stem + tag + suffix


def _stem_and_suffix(name: str) -> tuple[str, str]:
    stem, suffix = Path(name).stem, Path(name).suffix
    if len(suffix) > 16:  # not a file type ("report.final version of the story…"): shortened with the rest
        return name, ""
    return stem, suffix


def unique_path(folder: Path, name: str) -> Path:
    """``folder/name``, or ``folder/<stem>-2<suffix>`` … when that (or its .error.txt) is already taken.
    A name too long to have a note beside it is shortened: otherwise the note could never be written."""
    stem, suffix = _stem_and_suffix(name)
    candidate = folder / _fitted(stem, suffix)
    n = 1
    while candidate.exists() or (folder / (candidate.name + ERROR_SUFFIX)).exists():
        n += 1
        candidate = folder / _fitted(stem, suffix, f"-{n}")
    return candidate


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = unique_path(folder, path.name)
    os.replace(path, target)  # the target was checked free just above, so nothing is overwritten
    return target


def _settle_reason(path: Path, now: float, settle_seconds: float) -> str | None:
    """Why ``path`` should be left for a later round, or None when it has stopped changing."""
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return "gone before it could be taken"
    age = now - mtime
    if age < -settle_seconds:
        return "its modification time is in the future (clock skew?); it is taken once that time has passed"
    if age < settle_seconds:
        return f"still being written (changed {max(age, 0):.1f}s ago; taken once unchanged for {settle_seconds:g}s)"
    return None


def _timestamp(now: datetime | float | None) -> float:
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        return (now if now.tzinfo else now.replace(tzinfo=UTC)).timestamp()
    return float(now)


# --- ingesting ------------------------------------------------------------------------------------------


def _unexpected(exc: Exception) -> str:
    return f"unexpected error while reading ({type(exc).__name__}: {exc}); please report it"


def _fail(claimed: Path, name: str, reason: str, failed_dir: Path, *, recovered: bool) -> IngestItem:
    target = _move(claimed, failed_dir)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    note = f"{reason}\n\nfile: {name}\nfailed at: {stamp}\nFix the file and drop it into the queue folder again.\n"
    target.with_name(target.name + ERROR_SUFFIX).write_text(note, encoding="utf-8")
    return IngestItem(name, ItemStatus.FAILED, target, reason=reason, recovered=recovered)


_UPDATE_NOTE = {
    "recompose": "its posts not sent yet are composed again from the corrected text",
    "record": "its posts had already gone out: the correction is recorded (`newsbot status`), nothing is resent",
    "none": "the corrected text replaces the stored one before anything was composed",
}


def _is_correction(store: Store, original_id: int, article: Article) -> bool:
    """The same file name and link as the stored article, other text: a corrected copy, not the same article
    again. Another file with that link (a wire copy, a teaser) stays a duplicate: it must not overwrite it."""
    if not article.url:
        return False
    stored = store.get_article(original_id)
    return (stored.article.source == article.source and stored.article.url == article.url
            and stored.article.content_hash != article.content_hash)


def _already_stored(store: Store, duplicate_id: int, article: Article) -> bool:
    """Whether the duplicate found is this very file, stored just before a crash stopped the move."""
    stored = store.get_article(duplicate_id)
    return stored.article.source == article.source and stored.article.content_hash == article.content_hash


def _ingest_one(claimed: Path, name: str, queue: Path, store: Store, max_bytes: int, *, recovered: bool) -> IngestItem:
    if claimed.is_symlink():
        # A link could lead anywhere the bot can read (its .env, say) and publish it: only real files are taken.
        reason = "a symbolic link: newsbot takes only regular files from the queue; copy the article in instead"
        return _fail(claimed, name, reason, queue / FAILED, recovered=recovered)
    try:
        article = read_article_file(claimed, max_bytes, source=name, folder=queue)
    except IngestError as exc:
        return _fail(claimed, name, exc.message, queue / FAILED, recovered=recovered)
    except Exception as exc:  # a parser bug must not stop the other files: quarantine this one, say why
        return _fail(claimed, name, _unexpected(exc), queue / FAILED, recovered=recovered)
    # Store errors are not the file's fault: they propagate and the file stays in .processing/ for next run.
    duplicate_of = store.find_duplicate(article.url, article.content_hash)
    if duplicate_of is not None and recovered and _already_stored(store, duplicate_of, article):
        target = _move(claimed, queue / PROCESSED)
        return IngestItem(
            name, ItemStatus.INGESTED, target, article_id=duplicate_of, title=article.title, recovered=True
        )
    if duplicate_of is not None and _is_correction(store, duplicate_of, article):
        # The editor dropped in a corrected copy (same link, new text) before, or after, it went out: the
        # stored article takes the new text, and its posts not sent yet are composed again (as a feed edit).
        from ..feeds.articles import record_update

        stored = store.get_article(duplicate_of).article
        corrected = replace(article, source=stored.source)
        with store.transaction() as conn:
            store.update_article(duplicate_of, corrected, conn=conn)
            update = record_update(conn, duplicate_of, stored, corrected, datetime.now(UTC))
        target = _move(claimed, queue / PROCESSED)
        return IngestItem(
            name, ItemStatus.UPDATED, target, article_id=duplicate_of, title=article.title, recovered=recovered,
            reason=_UPDATE_NOTE[update.action],
        )
    if duplicate_of is not None:
        article_id = store.add_article(article, ArticleState.DUPLICATE, duplicate_of=duplicate_of)
        target = _move(claimed, queue / PROCESSED)
        return IngestItem(
            name, ItemStatus.DUPLICATE, target, article_id=article_id, duplicate_of=duplicate_of,
            title=article.title, recovered=recovered,
        )
    article_id = store.add_article(article, ArticleState.INGESTED)
    target = _move(claimed, queue / PROCESSED)
    return IngestItem(
        name, ItemStatus.INGESTED, target, article_id=article_id, title=article.title, recovered=recovered
    )


def ingest_queue(
    settings: Settings,
    store: Store,
    *,
    now: datetime | float | None = None,
    on_item: Callable[[IngestItem], None] | None = None,
) -> IngestReport:
    """Ingest every settled file in the queue folder into ``store``.

    Leftovers in ``.processing/`` (an interrupted run) are taken first. Each waiting file unchanged for
    ``settings.file_settle_seconds`` before ``now`` is claimed, read, recorded (as ingested, or as a
    duplicate of an earlier article) and moved to ``processed/``; an unusable one goes to ``failed/`` with
    its reason beside it. Files changed more recently are reported as skipped and left for the next round.
    """
    queue = _queue_dir(settings)
    processing = queue / PROCESSING
    try:
        processing.mkdir(exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot write in the queue folder {queue} ({exc.strerror or exc}); "
            "newsbot needs write access there to move files to processed/ and failed/"
        ) from None
    moment = _timestamp(now)
    report = IngestReport()

    def record(item: IngestItem) -> None:
        report.items.append(item)
        if on_item is not None:
            on_item(item)

    with _one_ingest_at_a_time(processing):
        _ingest_files(queue, processing, settings, store, moment, record)
    return report


@contextmanager
def _one_ingest_at_a_time(processing: Path) -> Iterator[None]:
    """An exclusive flock on the ``.processing/`` folder itself while the queue is ingested; a second ingest
    (`newsbot ingest` beside the daemon) waits for it. Otherwise it would take the file the first one has just
    claimed for a crash's leftover: both would read and store it, and the second move would fail."""
    try:
        import fcntl
    except ImportError:  # no flock on this system: one ingest at a time is then up to the operator
        yield
        return
    fd = os.open(processing, os.O_RDONLY)  # a folder can be flocked too: no lock file in the queue
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:  # a network share without locks (ENOLCK, EOPNOTSUPP): ingest unlocked, as before
            log.debug("no lock on %s (%s); ingesting without it", processing, exc.strerror or exc)
        yield
    finally:
        os.close(fd)  # closing drops the lock


def _ingest_files(
    queue: Path, processing: Path, settings: Settings, store: Store, moment: float,
    record: Callable[[IngestItem], None],
) -> None:
    for claimed in _candidates(processing):
        record(_ingest_one(claimed, shown(claimed.name), queue, store, settings.max_file_bytes, recovered=True))

    for path in _candidates(queue):
        reason = _settle_reason(path, moment, settings.file_settle_seconds)
        if reason is not None:
            if path.exists():
                record(IngestItem(shown(path.name), ItemStatus.SKIPPED, path, reason=reason))
            continue
        claimed = unique_path(processing, path.name)
        try:
            os.rename(path, claimed)
        except FileNotFoundError:
            continue  # taken or removed by someone else in the meantime
        except OSError as exc:  # another user's file in a sticky folder, say: left where it is, with the reason
            reason = (
                f"cannot be moved out of the queue folder ({exc.strerror or exc}); check the file's owner "
                "and the folder's permissions: newsbot must be able to rename it"
            )
            record(IngestItem(shown(path.name), ItemStatus.SKIPPED, path, reason=reason, stuck=True))
            continue
        record(_ingest_one(claimed, shown(path.name), queue, store, settings.max_file_bytes, recovered=False))


# --- listing ---------------------------------------------------------------------------------------------


def _file_info(path: Path) -> dict[str, Any]:
    stat = path.stat()
    return {
        "name": shown(path.name),
        "size": stat.st_size,
        "modified": datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds"),
    }


def read_failure_reason(path: Path) -> str | None:
    """The reason recorded beside a failed file (the first paragraph of its .error.txt)."""
    note = path.with_name(path.name + ERROR_SUFFIX)
    try:
        text = note.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return text.strip().split("\n\n", 1)[0].strip() or None


def _files(folder: Path, *, skip_error_notes: bool = False) -> list[Path]:
    if not folder.is_dir():
        return []
    names = {p.name for p in folder.iterdir()}
    paths = []
    for path in folder.iterdir():
        if path.name.startswith(".") or not path.is_file():
            continue
        if skip_error_notes and path.name.endswith(ERROR_SUFFIX) and path.name[: -len(ERROR_SUFFIX)] in names:
            continue
        paths.append(path)
    return sorted(paths, key=lambda p: (p.stat().st_mtime, p.name))


def queue_listing(settings: Settings) -> dict[str, Any]:
    """What is in the queue folder, for ``newsbot queue`` (plain data, ready for ``--json``)."""
    queue = _queue_dir(settings)
    failed = []
    for path in _files(queue / FAILED, skip_error_notes=True):
        failed.append({**_file_info(path), "reason": read_failure_reason(path) or "(no reason recorded)"})
    return {
        "queue_dir": str(queue),
        "waiting": [_file_info(p) for p in _candidates(queue)],
        "processing": [_file_info(p) for p in _candidates(queue / PROCESSING)],
        "processed": [_file_info(p) for p in _files(queue / PROCESSED)],
        "failed": failed,
    }
