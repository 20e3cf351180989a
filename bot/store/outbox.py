"""The outbox: every post is a row before anything is sent.

States: planned → sending → sent | failed (| cancelled | expired | deleted). A row is committed as
``sending`` *before* the platform is called and as ``sent`` with its remote id *after*; a crash in between
leaves ``sending``, which ``bot.publish`` reconciles before sending anything else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import NotFoundError
from ..models import Draft, Facet, Image, LinkCard, Part, PostState, PublishResult
from . import Store, inserted_id, schema, utcnow
from .backend import lock_rows

ACTIVE = (PostState.PLANNED.value, PostState.SENDING.value)


def idempotency_key(content_hash: str, platform: str, account: str, thread_index: int) -> str:
    """Deterministic per (article content, platform, account, thread position): the same post, the same key."""
    digest = hashlib.sha256(f"{content_hash}|{platform}|{account}|{thread_index}".encode()).hexdigest()
    return f"newsbot-{digest[:40]}"


def part_to_payload(part: Part, language: str | None) -> dict[str, Any]:
    return {
        "length": part.length,
        "limit": part.limit,
        "kind": part.kind,
        "language": language,
        "facets": [
            {"byte_start": f.byte_start, "byte_end": f.byte_end, "kind": f.kind, "value": f.value} for f in part.facets
        ],
        "card": None
        if part.card is None
        else {
            "url": part.card.url,
            "title": part.card.title,
            "description": part.card.description,
            "image": part.card.image,
            "image_alt": part.card.image_alt,
        },
        "images": [{"source": i.source, "alt": i.alt} for i in part.images],
    }


def payload_to_part(text: str, payload: Mapping[str, Any]) -> Part:
    card = payload.get("card")
    return Part(
        text=text,
        length=int(payload.get("length", 0)),
        limit=int(payload.get("limit", 0)),
        facets=tuple(Facet(**f) for f in payload.get("facets", ())),
        card=LinkCard(**card) if card else None,
        images=tuple(Image(**i) for i in payload.get("images", ())),
        kind=payload.get("kind", "main"),
    )


@dataclass(frozen=True)
class PostRow:
    id: int
    article_id: int
    platform: str
    account: str
    thread_index: int
    text: str
    payload: dict[str, Any]
    scheduled_at: datetime
    state: str
    idempotency_key: str
    prepared: dict[str, Any] | None
    remote_id: str | None
    remote_url: str | None
    remote_extra: dict[str, Any] | None
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None
    claimed_by: str | None = None  # "host:pid" of the worker that last claimed it
    updated_at: datetime | None = None

    @property
    def part(self) -> Part:
        return payload_to_part(self.text, self.payload)

    @property
    def language(self) -> str | None:
        return self.payload.get("language")

    @property
    def result(self) -> PublishResult | None:
        if self.remote_id is None:
            return None
        return PublishResult(remote_id=self.remote_id, url=self.remote_url, extra=dict(self.remote_extra or {}))


class _Unguarded:
    """The default of the ``mark_*`` transitions: by id alone (the sender recording its own send)."""


UNGUARDED = _Unguarded()


def _row(mapping: RowMapping) -> PostRow:
    return PostRow(**{name: mapping[name] for name in PostRow.__dataclass_fields__})


class Outbox:
    """Queries and state transitions of the posts table. Every transition is its own short transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.t = schema.posts

    # --- writing plans ---------------------------------------------------------------------------
    def enqueue(
        self,
        article_id: int,
        content_hash: str,
        drafts: Sequence[Draft],
        times: Mapping[str, datetime],
        accounts: Mapping[str, str] | None = None,
        *,
        state: PostState = PostState.PLANNED,
        error: str | None = None,
    ) -> list[int]:
        """Add a row per thread part; a part whose idempotency key exists already is left as it is.

        ``state`` other than planned (expired, unplanned) is written with the row: a row inserted as planned
        and changed after would be due in between, and the publish tick runs beside planning."""
        ids: list[int] = []
        now = utcnow()
        for draft in drafts:
            if draft.platform not in times:
                continue
            account = (accounts or {}).get(draft.platform, "")
            for index, part in enumerate(draft.parts):
                key = idempotency_key(content_hash, draft.platform, account, index)
                values = dict(
                    article_id=article_id,
                    platform=draft.platform,
                    account=account,
                    thread_index=index,
                    kind=part.kind,
                    text=part.text,
                    payload=part_to_payload(part, draft.language),
                    scheduled_at=times[draft.platform],
                    state=state.value,
                    last_error=error,
                    idempotency_key=key,
                    attempts=0,
                    created_at=now,
                    updated_at=now,
                )
                try:
                    with self.store.transaction() as conn:
                        ids.append(inserted_id(conn.execute(self.t.insert().values(**values))))
                except IntegrityError:
                    existing = self.by_key(key)
                    if existing is not None:
                        ids.append(existing.id)
        return ids

    def reschedule(self, post_id: int, when: datetime) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                update(self.t)
                .where(self.t.c.id == post_id, self.t.c.state == PostState.PLANNED.value)
                .values(scheduled_at=when, updated_at=utcnow())
            )

    # --- reading -----------------------------------------------------------------------------------
    def get(self, post_id: int) -> PostRow:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(self.t).where(self.t.c.id == post_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no post with id {post_id}; `newsbot status` lists them")
        return _row(row)

    def by_key(self, key: str) -> PostRow | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(self.t).where(self.t.c.idempotency_key == key)).mappings().first()
        return None if row is None else _row(row)

    def thread(self, article_id: int, platform: str, account: str = "") -> list[PostRow]:
        t = self.t
        query = (
            select(t)
            .where(
                t.c.article_id == article_id,
                t.c.platform == platform,
                t.c.account == account,
                t.c.state != PostState.CANCELLED.value,  # a superseded thread is not part of the live one
            )
            .order_by(t.c.thread_index)
        )
        with self.store.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query).mappings()]

    def find(
        self,
        states: Iterable[str] | None = None,
        *,
        article_id: int | None = None,
        platforms: Iterable[str] | None = None,
        limit: int = 500,
        newest_first: bool = False,
    ) -> list[PostRow]:
        t = self.t
        query = select(t)
        if states is not None:
            query = query.where(t.c.state.in_(list(states)))
        if article_id is not None:
            query = query.where(t.c.article_id == article_id)
        if platforms is not None:
            query = query.where(t.c.platform.in_(list(platforms)))
        order = [t.c.scheduled_at.desc(), t.c.id.desc()] if newest_first else [t.c.scheduled_at, t.c.id]
        with self.store.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query.order_by(*order).limit(limit)).mappings()]

    def counts(self) -> dict[str, int]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(self.t.c.state, func.count()).group_by(self.t.c.state)).all()
        return {state: int(n) for state, n in rows}

    def waiting_by_platform(self) -> dict[str, int]:
        """Posts not sent yet (planned or waiting for room), per platform."""
        t = self.t
        query = select(t.c.platform, func.count()).where(
            t.c.state.in_([PostState.PLANNED.value, PostState.UNPLANNED.value])
        ).group_by(t.c.platform)
        with self.store.engine.connect() as conn:
            return {platform: int(n) for platform, n in conn.execute(query).all()}

    def booked(self, since: datetime) -> dict[str, list[datetime]]:
        """Times already taken per platform (planned, sending or sent since ``since``): for spacing and caps."""
        t = self.t
        query = select(t.c.platform, t.c.scheduled_at, t.c.sent_at, t.c.state).where(
            t.c.thread_index == 0,
            or_(t.c.state.in_(ACTIVE), and_(t.c.state == PostState.SENT.value, t.c.sent_at >= since)),
        )
        out: dict[str, list[datetime]] = {}
        with self.store.engine.connect() as conn:
            for platform, scheduled, sent, state in conn.execute(query):
                out.setdefault(platform, []).append(sent if state == PostState.SENT.value and sent else scheduled)
        return {p: sorted(v) for p, v in out.items()}

    def due(
        self,
        now: datetime,
        limit: int = 50,
        *,
        only: Iterable[int] | None = None,
        exclude_platforms: Iterable[str] = (),
        platforms: Iterable[str] | None = None,
    ) -> list[PostRow]:
        """Planned rows whose time has come and whose thread predecessor (if any) has been sent.

        ``only``, ``exclude_platforms`` and ``platforms`` (None: all) filter in the query, before ``limit``:
        filtered afterwards, a backlog of a page of earlier rows would hide the rows asked for (or those of a
        platform not blocked).
        """
        t = self.t
        prev = schema.posts.alias("prev")
        predecessor_sent = (
            select(prev.c.id)
            .where(
                prev.c.article_id == t.c.article_id,
                prev.c.platform == t.c.platform,
                prev.c.account == t.c.account,
                prev.c.thread_index == t.c.thread_index - 1,
                prev.c.state == PostState.SENT.value,
            )
            .exists()
        )
        query = (
            select(t)
            .where(
                t.c.state == PostState.PLANNED.value,
                t.c.scheduled_at <= now,
                or_(t.c.next_attempt_at.is_(None), t.c.next_attempt_at <= now),
                or_(t.c.thread_index == 0, predecessor_sent),
            )
            .order_by(t.c.scheduled_at, t.c.article_id, t.c.thread_index, t.c.id)
            .limit(limit)
        )
        if only is not None:
            query = query.where(t.c.id.in_(list(only)))
        excluded = list(exclude_platforms)
        if excluded:
            query = query.where(t.c.platform.not_in(excluded))
        if platforms is not None:
            query = query.where(t.c.platform.in_(list(platforms)))
        with self.store.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query).mappings()]

    def any_in_state(self, state: PostState) -> bool:
        query = select(self.t.c.id).where(self.t.c.state == state.value).limit(1)
        with self.store.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def next_due_at(self) -> datetime | None:
        t = self.t
        query = select(func.min(func.coalesce(t.c.next_attempt_at, t.c.scheduled_at))).where(
            t.c.state == PostState.PLANNED.value
        )
        with self.store.engine.connect() as conn:
            value = conn.execute(query).scalar()
        return schema.UTCDateTime().process_result_value(value, self.store.engine.dialect) if value else None

    # --- transitions -------------------------------------------------------------------------------
    def claim(self, post_id: int, prepared: dict[str, Any], worker: str, now: datetime) -> PostRow | None:
        """planned → sending, with what reconciliation will need. None if someone else got it first."""
        t = self.t
        with self.store.transaction() as conn:
            locked = conn.execute(
                lock_rows(select(t.c.id, t.c.prepared).where(t.c.id == post_id, t.c.state == "planned"), self.store.engine)
            ).first()
            if locked is None:
                return None
            # A resend after reconciliation keeps what was prepared before (the same Bluesky record key).
            keep = locked.prepared or prepared
            conn.execute(
                update(t)
                .where(t.c.id == post_id)
                .values(
                    state=PostState.SENDING.value,
                    prepared=keep,
                    claimed_by=worker,
                    attempts=t.c.attempts + 1,
                    updated_at=now,
                )
            )
            conn.execute(schema.attempts.insert().values(post_id=post_id, started_at=now))
        return self.get(post_id)

    def _finish_attempt(self, conn: Any, post_id: int, now: datetime, outcome: str, error: str | None) -> None:
        a = schema.attempts
        last = conn.execute(
            select(a.c.id).where(a.c.post_id == post_id, a.c.finished_at.is_(None)).order_by(a.c.id.desc()).limit(1)
        ).scalar()
        if last is not None:
            conn.execute(update(a).where(a.c.id == last).values(finished_at=now, outcome=outcome, error=error))

    def _finish(
        self, post_id: int, values: dict[str, Any], now: datetime, outcome: str, error: str | None,
        claimed_by: str | None | _Unguarded,
    ) -> bool:
        """End a send: the row gets ``values`` and its open attempt ``outcome``. With ``claimed_by`` given,
        only while the row is still ``sending`` under that claim (None: no claim recorded) - what
        reconciliation settles must not be a row its own sender settled meanwhile. False if nothing changed."""
        where = self.t.c.id == post_id
        if not isinstance(claimed_by, _Unguarded):
            claim = self.t.c.claimed_by.is_(None) if claimed_by is None else self.t.c.claimed_by == claimed_by
            where = where & (self.t.c.state == PostState.SENDING.value) & claim
        with self.store.transaction() as conn:
            if conn.execute(update(self.t).where(where).values(**values, updated_at=now)).rowcount != 1:
                return False
            self._finish_attempt(conn, post_id, now, outcome, error)
        return True

    def mark_sent(
        self, post_id: int, result: PublishResult, now: datetime, outcome: str = "sent", *,
        claimed_by: str | None | _Unguarded = UNGUARDED,
    ) -> bool:
        values = dict(state=PostState.SENT.value, remote_id=result.remote_id, remote_url=result.url,
                      remote_extra=result.extra, last_error=None, next_attempt_at=None, sent_at=now)
        return self._finish(post_id, values, now, outcome, None, claimed_by)

    def mark_retry(
        self, post_id: int, error: str, retry_at: datetime, now: datetime, *,
        claimed_by: str | None | _Unguarded = UNGUARDED,
    ) -> bool:
        """sending → planned again, not before ``retry_at``."""
        values = dict(state=PostState.PLANNED.value, last_error=error, next_attempt_at=retry_at)
        return self._finish(post_id, values, now, "retry", error, claimed_by)

    def mark_failed(
        self, post_id: int, error: str, now: datetime, *, claimed_by: str | None | _Unguarded = UNGUARDED
    ) -> bool:
        values = dict(state=PostState.FAILED.value, last_error=error, next_attempt_at=None)
        return self._finish(post_id, values, now, "failed", error, claimed_by)

    def mark_found(self, post_id: int, result: PublishResult, now: datetime) -> bool:
        """planned → sent for a post found on the platform although its send was answered with an error (a
        timeout after the post landed). False if the row was no longer planned (a publish tick took it)."""
        t = self.t
        values = dict(state=PostState.SENT.value, remote_id=result.remote_id, remote_url=result.url,
                      remote_extra=result.extra, last_error=None, next_attempt_at=None, sent_at=now, updated_at=now)
        with self.store.transaction() as conn:
            done = conn.execute(update(t).where(t.c.id == post_id, t.c.state == PostState.PLANNED.value).values(**values))
            if done.rowcount != 1:
                return False
            conn.execute(schema.attempts.insert().values(post_id=post_id, started_at=now, finished_at=now,
                                                         outcome="reconciled"))
        return True

    def set_state(self, post_id: int, state: PostState, *, only_from: Iterable[str], error: str | None = None) -> bool:
        """A guarded transition (cancel, retry, expire, delete). False if the row was not in ``only_from``."""
        values: dict[str, Any] = {"state": state.value, "updated_at": utcnow()}
        if state == PostState.PLANNED:
            values.update(next_attempt_at=None, attempts=0, last_error=None)
        if error is not None:
            values["last_error"] = error
        with self.store.transaction() as conn:
            done = conn.execute(
                update(self.t).where(self.t.c.id == post_id, self.t.c.state.in_(list(only_from))).values(**values)
            )
        return done.rowcount == 1

    def supersede(self, post_id: int, error: str) -> bool:
        """planned (or unplanned) → cancelled for a post replaced by a re-composed one, freeing its idempotency key.

        The replacement may well have the same key (an article that moved to a new URL keeps its content
        hash; an edit reverted at the source gets its old hash back): were the key kept here, the new row
        would collide with this cancelled one and never be planned. Only never-claimed rows are superseded,
        so no platform has seen the key yet.
        """
        t = self.t
        with self.store.transaction() as conn:
            done = conn.execute(
                update(t)
                # never claimed: `prepared` is written by the first claim and kept through retries
                .where(t.c.id == post_id, t.c.state.in_([PostState.PLANNED.value, PostState.UNPLANNED.value]),
                       t.c.prepared.is_(None))
                .values(
                    state=PostState.CANCELLED.value,
                    last_error=error,
                    idempotency_key=t.c.idempotency_key + f"~superseded-{post_id}",
                    updated_at=utcnow(),
                )
            )
        return done.rowcount == 1

    def sending(self, stale_before: datetime | None = None) -> list[PostRow]:
        """Rows left in ``sending`` (by a crash, when ``stale_before`` is given: by a worker that went quiet)."""
        t = self.t
        query = select(t).where(t.c.state == PostState.SENDING.value)
        if stale_before is not None:
            query = query.where(t.c.updated_at < stale_before)
        with self.store.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query.order_by(t.c.id)).mappings()]

    def prune(self, before: datetime) -> int:
        """Forget attempts of posts finished before ``before`` (the posts themselves are kept as history)."""
        a = schema.attempts
        with self.store.transaction() as conn:
            done = conn.execute(a.delete().where(a.c.finished_at.is_not(None), a.c.finished_at < before))
        return int(done.rowcount or 0)
