"""The outbox executor: publish due posts exactly once.

For each due row: commit it as ``sending`` with what the adapter prepared (Bluesky's record key, the
Idempotency-Key), call the platform, commit ``sent`` with the remote id. A crash between the two commits
leaves ``sending``; ``reconcile`` asks the platform whether the post exists before anything else is sent.
Transient failures go back to ``planned`` with a backoff that honours the platform's reset time; permanent
ones fail the row with the platform's actionable message and are never retried by themselves.
A thread resumes at the first part not sent: ``Outbox.due`` only offers a reply once its parent is sent.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .config import Settings
from .errors import BotError, DuplicateContentError, PlatformError
from .models import PostState, PublishResult
from .platforms import get_platform
from .platforms.base import Platform
from .store import Store
from .store.outbox import Outbox, PostRow

log = logging.getLogger("newsbot.publish")

Clock = Callable[[], datetime]
MAX_BACKOFF = timedelta(hours=1)
SUPERSEDED = "superseded"  # the reason on rows replaced by a re-composed article


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class PostOutcome:
    """What happened to one row in one pass."""

    post_id: int
    platform: str
    article_id: int
    thread_index: int
    status: str  # sent | reconciled | retry | failed | skipped
    url: str | None = None
    error: str | None = None
    retry_at: datetime | None = None
    in_flight: bool = False  # skipped because another live process on this machine is sending it


@dataclass
class PassReport:
    outcomes: list[PostOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


# A `sending` row untouched this long is a leftover, never a send in flight (every request times out long
# before): a PostgreSQL worker or a `newsbot post` that died.
STALE_SENDING = timedelta(minutes=10)


def backoff(attempts: int, base_seconds: float, now: datetime, reset_at: datetime | None) -> datetime:
    """When to try again: exponential from ``base_seconds``, capped at an hour, never before ``reset_at``."""
    # in seconds first: a timedelta of 2**60 attempts' worth would overflow before the cap applies
    delay = timedelta(seconds=min(base_seconds * 2.0 ** min(max(attempts - 1, 0), 64), MAX_BACKOFF.total_seconds()))
    when = now + delay
    if reset_at is not None and reset_at > when:
        when = reset_at
    return when


def _host() -> str:
    """This machine's name as a claim records it: cut to fit ``posts.claimed_by`` (64) with a pid after it
    (a Kubernetes pod name alone may be 63 characters)."""
    return socket.gethostname()[:50]


SETTLED_MEANWHILE = "settled by its own sender while it was being checked"


class Publisher:
    """Drives platform adapters over the outbox. Adapters are built on first use unless injected."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        platforms: Mapping[str, Platform] | None = None,
        clock: Clock = _utcnow,
        worker: str | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.outbox = Outbox(store)
        self.clock = clock
        self.worker = worker or f"{_host()}:{os.getpid()}"
        self._platforms: dict[str, Platform] = dict(platforms or {})

    def _say(self, exc: BaseException) -> str:
        """An error's message for the outbox and the logs, with any credential a platform echoed back in its
        answer (some do, and so do misconfigured proxies) replaced by ***."""
        from .logs import redact

        return redact(str(exc), self.settings)

    def _unexpected(self, exc: Exception, doing: str) -> str:
        from .logs import redact

        return redact(
            f"unexpected error while {doing} ({type(exc).__name__}: {exc}); this is a bug, please report it — "
            "check the platform for the post before `newsbot retry`",
            self.settings,
        )

    def platform(self, name: str) -> Platform:
        if name not in self._platforms:
            self._platforms[name] = get_platform(name, self.settings, self.store.kv)
        return self._platforms[name]

    # --- the thread context of a row -----------------------------------------------------------------
    def _thread_refs(self, row: PostRow) -> tuple[PublishResult | None, PublishResult | None]:
        """(reply_to, root) for a thread part: the part before it and the first part, both already sent."""
        if row.thread_index == 0:
            return None, None
        thread = self.outbox.thread(row.article_id, row.platform, row.account)
        by_index = {r.thread_index: r for r in thread}
        parent, root = by_index.get(row.thread_index - 1), by_index.get(0)
        if parent is None or root is None or parent.result is None or root.result is None:
            raise BotError(f"post {row.id}: its thread parent has not been published yet")
        return parent.result, root.result

    # --- reconciliation -------------------------------------------------------------------------------
    def reconcile(self, *, stale_before: datetime | None = None) -> PassReport:
        """Settle rows left ``sending`` by a crash: sent if the platform has them, else planned again."""
        report = PassReport()
        for row in self.outbox.sending(stale_before):
            now = self.clock()
            # Settling every leftover (start-up, `newsbot post` alone) must not take a send in flight for
            # a crash's leftover: `newsbot post` (or a daemon) may be sending it right now, and asking the
            # platform before that send lands would find nothing and plan it again - a duplicate. Only a
            # recent claim can be in flight: a pid reused by an unrelated process delays a crash's leftover
            # by STALE_SENDING at most, never strands it.
            recent = row.updated_at is not None and now - row.updated_at < STALE_SENDING
            owner = self._live_owner(row) if stale_before is None and recent else None
            if owner is not None:
                report.outcomes.append(
                    self._outcome(row, "skipped", error=f"being sent right now by process {owner}", in_flight=True)
                )
                continue
            try:
                reply_to, root = self._thread_refs(row)
                adapter = self.platform(row.platform)
                result = adapter.reconcile(row.part, prepared=row.prepared or {}, reply_to=reply_to, root=root)
            except PlatformError as exc:
                if exc.retryable:
                    # Unknown either way: leave it `sending` and ask again next pass; never resend blindly.
                    report.outcomes.append(self._outcome(row, "skipped", error=self._say(exc)))
                    continue
                if self.outbox.mark_failed(row.id, f"could not check whether it was sent: {self._say(exc)}", now,
                                           claimed_by=row.claimed_by):
                    report.outcomes.append(self._outcome(row, "failed", error=self._say(exc)))
                else:
                    report.outcomes.append(self._outcome(row, "skipped", error=SETTLED_MEANWHILE, in_flight=True))
                continue
            except BotError as exc:
                report.outcomes.append(self._outcome(row, "skipped", error=self._say(exc)))
                continue
            except Exception as exc:  # noqa: BLE001 - a bug must not stop every pass; unknown, so leave it
                log.exception("reconciling post %s on %s failed unexpectedly", row.id, row.platform)
                report.outcomes.append(self._outcome(row, "skipped", error=self._unexpected(exc, "checking it")))
                continue
            # Each transition holds only while the row is still `sending` under the claim we looked at: its
            # own sender may have finished in the meantime (the platform's search can lag behind a send).
            claim = row.claimed_by
            if result is not None:
                if not self.outbox.mark_sent(row.id, result, now, outcome="reconciled", claimed_by=claim):
                    report.outcomes.append(self._outcome(row, "skipped", error=SETTLED_MEANWHILE, in_flight=True))
                    continue
                log.info("reconciled post %s on %s: it was sent (%s)", row.id, row.platform, result.url)
                report.outcomes.append(self._outcome(row, "reconciled", url=result.url))
            else:
                if not self.outbox.mark_retry(row.id, "interrupted before it reached the platform", now, now,
                                              claimed_by=claim):
                    report.outcomes.append(self._outcome(row, "skipped", error=SETTLED_MEANWHILE, in_flight=True))
                    continue
                log.info("reconciled post %s on %s: not sent, planned again", row.id, row.platform)
                report.outcomes.append(self._outcome(row, "retry"))
        return report

    def find_sent(self, row: PostRow) -> PublishResult | None:
        """Is a post that was tried on the platform after all? Looks only, never sends; raises ``BotError``
        (a ``PlatformError`` when the platform cannot tell)."""
        reply_to, _root = self._thread_refs(row)
        return self.platform(row.platform).find(row.part, prepared=row.prepared or {}, reply_to=reply_to)

    def _live_owner(self, row: PostRow) -> int | None:
        """The pid of another process on this machine that claimed ``row`` and is still alive, else None.

        Only a worker name of this machine's "host:pid" form says anything; any other (another host's, a
        test's) is judged by age alone, as before."""
        host, _, pid_text = (row.claimed_by or "").rpartition(":")
        if not pid_text.isdigit() or host != _host() or row.claimed_by == self.worker:
            return None
        pid = int(pid_text)
        if pid == os.getpid():
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid  # alive, only not ours to signal
        except OSError:
            return None
        return pid

    # --- sending --------------------------------------------------------------------------------------
    def publish_row(self, row: PostRow) -> PostOutcome:
        """Send one planned row (its thread parent must be sent). Never raises for platform failures."""
        now = self.clock()
        try:
            adapter = self.platform(row.platform)
            reply_to, root = self._thread_refs(row)
            prepared = adapter.prepare(row.idempotency_key)
        except BotError as exc:
            # Nothing was sent: the row fails with the fix in its message, and `newsbot retry` brings it back.
            self.outbox.mark_failed(row.id, self._say(exc), now)
            return self._outcome(row, "failed", error=self._say(exc))
        except Exception as exc:  # noqa: BLE001 - nothing was sent; a bug fails this row, not the pass
            log.exception("preparing post %s on %s failed unexpectedly", row.id, row.platform)
            message = self._unexpected(exc, "preparing it")
            self.outbox.mark_failed(row.id, message, now)
            return self._outcome(row, "failed", error=message)
        if row.language:
            prepared.setdefault("language", row.language)  # Bluesky langs, Mastodon language
        claimed = self.outbox.claim(row.id, prepared, self.worker, now)
        if claimed is None:
            return self._outcome(row, "skipped", error="taken by another worker")
        try:
            result = adapter.publish(claimed.part, prepared=claimed.prepared or {}, reply_to=reply_to, root=root)
        except DuplicateContentError as exc:
            # X's only idempotency: the identical text is already there, so this post went out before.
            try:
                found = adapter.reconcile(claimed.part, prepared=claimed.prepared or {}, reply_to=reply_to, root=root)
            except PlatformError as lookup_error:
                return self._failure(claimed, lookup_error)
            except Exception as lookup_bug:  # noqa: BLE001 - as below: fail the row, keep the pass going
                log.exception("looking up post %s on %s failed unexpectedly", row.id, row.platform)
                message = self._unexpected(lookup_bug, "looking for the post it duplicates")
                self.outbox.mark_failed(row.id, message, self.clock())
                return self._outcome(row, "failed", error=message)
            if found is not None:
                self.outbox.mark_sent(row.id, found, self.clock(), outcome="reconciled")
                return self._outcome(row, "reconciled", url=found.url)
            self.outbox.mark_failed(row.id, self._say(exc), self.clock())
            return self._outcome(row, "failed", error=self._say(exc))
        except PlatformError as exc:
            return self._failure(claimed, exc)
        except Exception as exc:  # noqa: BLE001
            # A bug or an unmapped SDK error. Escaping would abort the pass and leave the row `sending`, to be
            # reconciled, resent and blow up again at the head of every pass. Failed, it waits for a person;
            # `newsbot retry` reuses the row's key (Bluesky record key, Idempotency-Key), so no double post.
            log.exception("sending post %s to %s failed unexpectedly", row.id, row.platform)
            message = self._unexpected(exc, "sending it")
            self.outbox.mark_failed(row.id, message, self.clock())
            return self._outcome(row, "failed", error=message)
        self.outbox.mark_sent(row.id, result, self.clock())
        log.info("sent post %s to %s: %s", row.id, row.platform, result.url or result.remote_id)
        return self._outcome(row, "sent", url=result.url)

    def _failure(self, row: PostRow, exc: PlatformError) -> PostOutcome:
        now = self.clock()
        message = self._say(exc)
        if exc.retryable and row.attempts < self.settings.max_attempts:
            retry_at = backoff(row.attempts, self.settings.retry_base_seconds, now, exc.reset_at)
            self.outbox.mark_retry(row.id, message, retry_at, now)
            log.warning("post %s on %s will be retried at %s: %s", row.id, row.platform, retry_at.isoformat(), message)
            return self._outcome(row, "retry", error=message, retry_at=retry_at)
        if exc.retryable:
            # Whether to try again is the executor's call, not the platform's: its messages promise nothing.
            message = f"gave up after {row.attempts} attempts (`newsbot retry {row.id}` tries again): {message}"
        self.outbox.mark_failed(row.id, message, now)
        log.error("post %s on %s failed: %s", row.id, row.platform, message)
        return self._outcome(row, "failed", error=message)

    def publish_due(
        self,
        *,
        limit: int = 50,
        only: Iterable[int] | None = None,
        stale_before: datetime | None = None,
        should_stop: Callable[[], bool] | None = None,
        platforms: Iterable[str] | None = None,
    ) -> PassReport:
        """One pass: reconcile leftovers, then send what is due (threads in order, part by part).

        ``platforms`` (None: all) are the ones to send to: a platform taken out of NEWSBOT_PLATFORMS gets
        nothing more, though its posts planned earlier wait in the outbox and its credentials are still set.
        ``stale_before`` limits reconciliation to rows left ``sending`` before then (several workers on
        PostgreSQL must not reconcile each other's sends in flight); ``should_stop`` is asked before each
        send, so a daemon that is shutting down finishes the send in flight and starts no other.
        """
        report = self.reconcile(stale_before=stale_before)
        wanted = set(only) if only is not None else None
        # A platform whose leftovers could not be checked sends nothing more this pass (it is down or
        # refusing); a row another process is sending right now blocks nothing.
        blocked: set[str] = {o.platform for o in report.outcomes if o.status == "skipped" and not o.in_flight}
        # Sending a part makes its reply due: keep passing until nothing new becomes due.
        while True:
            rows = self.outbox.due(self.clock(), limit=limit, only=wanted, exclude_platforms=blocked, platforms=platforms)
            if not rows:
                return report
            progressed = False
            blocked_before = len(blocked)
            for row in rows:
                if should_stop is not None and should_stop():
                    return report
                if row.platform in blocked:
                    continue
                outcome = self.publish_row(row)
                report.outcomes.append(outcome)
                if outcome.status in ("sent", "reconciled"):
                    progressed = True
                elif outcome.status == "retry":
                    # Rate limits and outages are per platform: don't hammer it with the rest of the queue.
                    blocked.add(row.platform)
            if not progressed and len(blocked) == blocked_before:
                return report  # (a newly blocked platform may have filled the page: look again without it)

    @staticmethod
    def _outcome(row: PostRow, status: str, **kw: object) -> PostOutcome:
        return PostOutcome(
            post_id=row.id,
            platform=row.platform,
            article_id=row.article_id,
            thread_index=row.thread_index,
            status=status,
            **kw,  # type: ignore[arg-type]
        )


def retry_post(store: Store, post_id: int) -> list[int]:
    """A failed (or cancelled) post goes back to planned, due now. Returns the thread replies after it that
    are still cancelled: `cancel` took them with it, and `retry` brings back only the post asked for."""
    from .errors import NotFoundError

    outbox = Outbox(store)
    row = outbox.get(post_id)
    if row.last_error and row.last_error.startswith(SUPERSEDED):
        raise NotFoundError(f"post {post_id} was replaced by the posts of the updated article; retry those instead")
    if row.thread_index > 0:
        parent = {r.thread_index: r for r in outbox.thread(row.article_id, row.platform, row.account)}.get(
            row.thread_index - 1
        )
        if parent is not None and parent.state in (PostState.DELETED.value, PostState.EXPIRED.value):
            # A reply is due only once its parent is sent: planned again, it would wait for ever.
            raise NotFoundError(
                f"post {post_id} replies to post {parent.id}, which is {parent.state}; it can never be sent"
            )
        if parent is None:
            # `thread` leaves cancelled rows out: the parent may be cancelled still (`cancel` and `delete`
            # take the replies after a post with it). Planned before it, this reply would never be due.
            cancelled = [
                r for r in outbox.find([PostState.CANCELLED.value], article_id=row.article_id, platforms=[row.platform])
                if r.account == row.account and r.thread_index == row.thread_index - 1
                and not (r.last_error or "").startswith(SUPERSEDED)
            ]
            if cancelled:
                raise NotFoundError(
                    f"post {post_id} replies to post {cancelled[0].id}, which is cancelled; "
                    f"`newsbot retry {cancelled[0].id}` first, then this one"
                )
    if not outbox.set_state(post_id, PostState.PLANNED, only_from=[PostState.FAILED.value, PostState.CANCELLED.value]):
        raise NotFoundError(f"post {post_id} is {row.state}; only failed or cancelled posts can be retried")
    return [
        r.id
        for r in outbox.find([PostState.CANCELLED.value], article_id=row.article_id, platforms=[row.platform])
        if r.account == row.account
        and r.thread_index > row.thread_index
        and not (r.last_error or "").startswith(SUPERSEDED)
    ]


@dataclass
class RetryReport:
    """What ``retry_failed`` did: the posts planned again, and those it left with why."""

    planned: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def retry_failed(store: Store, *, since: datetime, platforms: Iterable[str] | None = None) -> RetryReport:
    """Every post that failed since ``since`` (on ``platforms``) goes back to planned, due now: after the fix
    for a cause they shared (expired credentials fail every due post of a platform, one by one). Thread
    parts in order, so a reply is planned after its parent; one that cannot be retried is reported, not fatal."""
    outbox = Outbox(store)
    rows = [r for r in outbox.find([PostState.FAILED.value], platforms=platforms, limit=1_000_000)
            if r.updated_at is None or r.updated_at >= since]
    report = RetryReport()
    for row in sorted(rows, key=lambda r: (r.article_id, r.platform, r.account, r.thread_index)):
        try:
            retry_post(store, row.id)
        except BotError as exc:
            report.refused.append((row.id, str(exc)))
        else:
            report.planned.append(row.id)
    return report


def cancel_post(store: Store, post_id: int, publisher: Publisher | None = None) -> list[int]:
    """Cancel a planned post and the thread parts after it (they could never be sent without it).

    A post that was tried before (a send that timed out, then waited to be retried) may be live: with a
    ``publisher`` whose platform is configured it is looked up first, and one that is there is recorded as
    sent instead - cancelled, the record would say it never went out, and its thread would stay half-told.
    """
    from .errors import ConfigError, NotFoundError

    outbox = Outbox(store)
    row = outbox.get(post_id)
    waiting = [PostState.PLANNED.value, PostState.UNPLANNED.value]
    if row.state not in waiting:
        raise NotFoundError(f"post {post_id} is {row.state}; only planned posts can be cancelled")
    if row.prepared is not None and publisher is not None:
        try:
            found = publisher.find_sent(row)
        except ConfigError:
            found = None  # the platform is not configured any more: nothing can send the post either
        except BotError as exc:
            raise BotError(
                f"post {post_id} was tried before and may be live on {row.platform}, and checking failed ({exc}); "
                f"nothing was cancelled: try again when {row.platform} answers, or `newsbot cancel --force "
                f"{post_id}` to cancel it unchecked (if it went out, it stays up)"
            ) from None
        if found is not None and outbox.mark_found(row.id, found, publisher.clock()):
            raise BotError(
                f"post {post_id} is already live on {row.platform} ({found.url or found.remote_id}): an earlier "
                f"attempt went out, so it is recorded as sent, not cancelled; `newsbot delete {post_id}` takes it "
                "down (the rest of its thread still goes out unless you cancel the next part)"
            )
    cancelled = []
    for part in outbox.thread(row.article_id, row.platform, row.account):
        if part.thread_index >= row.thread_index and outbox.set_state(part.id, PostState.CANCELLED, only_from=waiting):
            cancelled.append(part.id)
    return cancelled


def delete_post(publisher: Publisher, post_id: int) -> PostRow:
    """Remove a published post from its platform and mark it deleted."""
    from .errors import NotFoundError

    row = publisher.outbox.get(post_id)
    result = row.result
    if row.state != PostState.SENT.value or result is None:
        raise NotFoundError(f"post {post_id} is {row.state}; only sent posts can be deleted from their platform")
    publisher.platform(row.platform).delete(result)
    publisher.outbox.set_state(post_id, PostState.DELETED, only_from=[PostState.SENT.value])
    # Replies still waiting for it could never be sent (a reply is due only once its parent is sent):
    # cancelled, rather than shown as queued for ever.
    waiting = [PostState.PLANNED.value, PostState.UNPLANNED.value]
    for part in publisher.outbox.thread(row.article_id, row.platform, row.account):
        if part.thread_index > row.thread_index:
            publisher.outbox.set_state(part.id, PostState.CANCELLED, only_from=waiting,
                                       error=f"its thread parent, post {post_id}, was deleted")
    return publisher.outbox.get(post_id)
