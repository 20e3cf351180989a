"""The pipeline around one article: analyze → compose → plan, and writing the plan into the outbox.

``prepare`` and ``schedule_requests`` are pure and shared by ``newsbot preview`` (which writes nothing) and
the daemon; ``plan_pending`` is the one step that turns ingested articles into outbox rows.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .config import PLATFORMS, Settings
from .errors import BotError, TemplateError
from .models import Analysis, Article, ArticleState, Draft, PostState
from .schedule import Expired, Planned, PostRequest, Unplanned, news_since, plan, policy_for, requests_for

if TYPE_CHECKING:  # the store (SQLAlchemy, ~0.1 s to import) is not needed by `newsbot preview`
    from .store import Store
    from .store.outbox import PostRow

log = logging.getLogger("newsbot.pipeline")
WAITING = [PostState.PLANNED.value, PostState.UNPLANNED.value]
PLAN_BATCH = 100  # new articles composed and planned per pass


@dataclass(frozen=True)
class Prepared:
    """An article made ready for posting: what analysis found and the drafts per platform."""

    article: Article
    analysis: Analysis
    drafts: tuple[Draft, ...]


def preview_platforms(settings: Settings) -> list[str]:
    """Configured platforms, or every supported one when none is configured (so a newcomer sees them all)."""
    return settings.enabled_platforms or list(PLATFORMS)


def prepare(
    article: Article,
    settings: Settings,
    platforms: Sequence[str],
    limits: Mapping[str, int] | None = None,
    templates: object | None = None,
) -> Prepared:
    """Analyze and compose one article (pure; raises AnalyzeError / ComposeError)."""
    from .analyze import analyze
    from .compose import compose

    analysis = analyze(article, summary_sentences=settings.summary_sentences)
    drafts = compose(article, analysis, settings, platforms, limits, templates=templates)  # type: ignore[arg-type]
    return Prepared(article, analysis, tuple(drafts))


def schedule_requests(
    requests: Sequence[PostRequest],
    booked: Mapping[str, Sequence[datetime]],
    settings: Settings,
    now: datetime,
) -> list[Planned | Expired | Unplanned]:
    platforms = sorted({r.platform for r in requests})
    return plan(requests, booked, {p: policy_for(settings, p) for p in platforms}, now)


@dataclass
class PlanReport:
    planned: list[tuple[int, str, datetime]] = field(default_factory=list)  # (article id, platform, time)
    expired: list[tuple[int, str, str]] = field(default_factory=list)  # (article id, platform, reason)
    unplanned: list[tuple[int, str, str]] = field(default_factory=list)  # no room within the horizon yet
    failed: list[tuple[int, str]] = field(default_factory=list)  # (article id, reason)
    moved: int = 0  # queued posts given a new time (breaking news pre-empted them)
    recomposed: list[int] = field(default_factory=list)  # edited articles whose planned posts were re-composed


def _key(article_id: int) -> str:
    """The planner breaks ties by key: zero-padded, article 9 comes before article 10."""
    return f"{article_id:012d}"


PLANNING_MARGIN = timedelta(seconds=5)  # generous for composing a batch of new articles


def platform_limits(settings: Settings, store: Store, platforms: Sequence[str]) -> dict[str, int]:
    """Limits an adapter has learned and cached (Mastodon's instance limit), without a network call."""
    limits: dict[str, int] = {}
    cached = store.kv.get("mastodon.max_characters") if "mastodon" in platforms else None
    if cached and cached.isdigit():
        limits["mastodon"] = int(cached)
    return limits


def plan_pending(settings: Settings, store: Store, now: datetime, platforms: Sequence[str] | None = None) -> PlanReport:
    """Compose newly ingested articles and (re)plan every post that is not yet due.

    Planning is re-done for all future posts each time (see ``bot.schedule``): a breaking article ingested
    now takes the next moment and the queued ones move to later slots. Due, sending and sent posts are
    never moved; they count as booked for spacing and daily caps.
    """
    platforms = list(platforms if platforms is not None else settings.enabled_platforms)
    report = PlanReport()
    if not platforms:
        return report
    from .store.outbox import Outbox

    outbox = Outbox(store)
    limits = platform_limits(settings, store, platforms)
    report.recomposed = recompose_updated(settings, store, platforms, limits)

    new: list[tuple[int, Prepared]] = []
    # A bounded batch, oldest first: a pass that is interrupted (or a flood of articles) still makes progress.
    for stored in store.list_articles([ArticleState.INGESTED], limit=PLAN_BATCH, oldest_first=True):
        try:
            new.append((stored.id, prepare(stored.article, settings, platforms, limits)))
        except TemplateError:
            # A broken template (an edit half-saved while the daemon runs) is no article's fault: the articles
            # wait, untouched, and the pass fails with the template's file and line until it is fixed.
            raise
        except BotError as exc:
            store.set_article_state(stored.id, ArticleState.FAILED, str(exc))
            report.failed.append((stored.id, str(exc)))
            log.error("article %s could not be composed: %s", stored.id, exc)
    if not new and not outbox.any_in_state(PostState.UNPLANNED):
        # Planning is deterministic and time passing moves nothing, so with nothing new the plan stands:
        # an idle tick costs two queries, not a re-plan of every waiting post.
        return report

    # Future thread heads are re-planned together with the new ones; everything else is booked.
    # An article already out on one platform keeps its times on the others: re-planned alone, a staggered
    # post would get a slot of its own after ``now`` and slip a whole slot each pass that falls in its stagger.
    live = [PostState.PLANNED.value, PostState.UNPLANNED.value, PostState.SENDING.value, PostState.SENT.value]
    heads = [row for row in outbox.find(live, platforms=platforms, limit=1_000_000) if row.thread_index == 0]

    # A post due within the next publish tick (or the few seconds this planning takes) is as good as gone: the
    # publish tick, in its own thread, may send it before a new plan is written. Moved behind breaking news
    # on paper, it would still go out first; so it stays booked where it is.
    committed_until = now + timedelta(seconds=settings.publish_tick_seconds) + PLANNING_MARGIN

    def is_future(row: PostRow) -> bool:
        if row.state == PostState.UNPLANNED.value:
            return True
        return row.state == PostState.PLANNED.value and row.scheduled_at > committed_until and row.attempts == 0

    started = {row.article_id for row in heads if not is_future(row)}
    waiting: dict[tuple[int, str], PostRow] = {}
    booked: dict[str, list[datetime]] = {}
    for row in heads:
        # An unplanned post has no time to keep: it waits for room whatever its article did on other platforms
        # (kept out as "started", it stayed unplanned for good and made every pass re-plan everything).
        if (is_future(row) and row.article_id not in started) or row.state == PostState.UNPLANNED.value:
            waiting[(row.article_id, row.platform)] = row
        elif row.state != PostState.SENT.value or (row.sent_at and row.sent_at > now - timedelta(days=2)):
            booked.setdefault(row.platform, []).append(row.sent_at or row.scheduled_at)

    requests: list[PostRequest] = []
    for article_id, prepared in new:
        requests += requests_for(_key(article_id), prepared.article, platforms, ingested_at=now)
    articles_of_waiting = {aid for aid, _ in waiting}
    stored_waiting = {aid: store.get_article(aid) for aid in articles_of_waiting}
    for (article_id, platform), row in waiting.items():
        order = platforms.index(platform) if platform in platforms else 0
        article = stored_waiting[article_id].article
        published = news_since(article, stored_waiting[article_id].created_at)
        requests.append(PostRequest(_key(article_id), platform, article.priority, published, article.embargo, order))
    if not requests:
        return report
    outcomes = schedule_requests(requests, booked, settings, now)

    drafts_of = {aid: {d.platform: d for d in p.drafts} for aid, p in new}
    prepared_of = dict(new)
    for outcome in outcomes:
        req = outcome.request
        article_id = int(req.key)
        if (article_id, req.platform) in waiting:
            row = waiting[(article_id, req.platform)]
            thread = outbox.thread(article_id, req.platform, row.account)
            if isinstance(outcome, Planned):
                was_unplanned = row.state == PostState.UNPLANNED.value
                for part in thread:
                    if was_unplanned:
                        outbox.set_state(part.id, PostState.PLANNED, only_from=[PostState.UNPLANNED.value])
                    if was_unplanned or part.scheduled_at != outcome.at:  # a write (and commit) only for a change
                        outbox.reschedule(part.id, outcome.at)
                if was_unplanned:
                    report.planned.append((article_id, req.platform, outcome.at))
                elif outcome.at != row.scheduled_at:
                    report.moved += 1
            elif isinstance(outcome, Expired) or row.state == PostState.PLANNED.value:
                # Expired, or pushed out of the horizon by news that came first. The head first, the replies
                # only if it was still waiting: the publish tick may have claimed it since it was read.
                state = PostState.EXPIRED if isinstance(outcome, Expired) else PostState.UNPLANNED
                if not outbox.set_state(row.id, state, only_from=WAITING, error=outcome.reason):
                    continue
                for part in thread:
                    if part.thread_index > 0:
                        outbox.set_state(part.id, state, only_from=WAITING, error=outcome.reason)
                (report.expired if state == PostState.EXPIRED else report.unplanned).append(
                    (article_id, req.platform, outcome.reason)
                )
            continue
        draft = drafts_of[article_id][req.platform]
        content_hash = prepared_of[article_id].article.content_hash
        if isinstance(outcome, Planned):
            outbox.enqueue(article_id, content_hash, [draft], {req.platform: outcome.at})
            report.planned.append((article_id, req.platform, outcome.at))
        elif isinstance(outcome, Expired):
            # Recorded, never sent: `newsbot status` shows why. Written expired, never due for a moment.
            outbox.enqueue(article_id, content_hash, [draft], {req.platform: now},
                           state=PostState.EXPIRED, error=outcome.reason)
            report.expired.append((article_id, req.platform, outcome.reason))
        else:
            # No allowed time within the horizon yet: kept as unplanned, never due; every pass plans it again.
            outbox.enqueue(article_id, content_hash, [draft], {req.platform: now},
                           state=PostState.UNPLANNED, error=outcome.reason)
            report.unplanned.append((article_id, req.platform, outcome.reason))
    for article_id, _ in new:
        store.set_article_state(article_id, ArticleState.PLANNED)
    return report


def recompose_updated(
    settings: Settings, store: Store, platforms: Sequence[str], limits: Mapping[str, int] | None = None
) -> list[int]:
    """Edited articles (feed updates) whose posts have not gone out yet get their posts composed again.

    A platform's thread is replaced only while none of it has been sent: the old rows are cancelled and the
    new ones take their time. A thread that has started stays as it is; the update stays recorded for
    `newsbot status`. Never a second post for the same article.
    """
    from .feeds.articles import list_updates, mark_update_handled
    from .publish import SUPERSEDED
    from .store.outbox import Outbox

    outbox = Outbox(store)
    done: list[int] = []
    for update in reversed(list_updates(store, unhandled_only=True)):
        article_id = int(update["article_id"])
        heads = {r.platform: r for r in outbox.find(article_id=article_id)
                 if r.thread_index == 0 and r.state != PostState.CANCELLED.value}
        waiting = (PostState.PLANNED.value, PostState.UNPLANNED.value)  # unplanned: waiting for room
        untouched = [p for p, r in heads.items() if p in platforms and r.state in waiting
                     and all(part.state in waiting and part.prepared is None
                             for part in outbox.thread(article_id, p, r.account))]
        if untouched:
            stored = store.get_article(article_id)
            try:
                prepared = prepare(stored.article, settings, untouched, limits)
            except TemplateError:
                raise  # the update waits for the fix, as new articles do
            except BotError as exc:
                log.error("updated article %s could not be composed again: %s", article_id, exc)
                mark_update_handled(store, int(update["id"]))
                continue
            for draft in prepared.drafts:
                head = heads[draft.platform]
                reason = f"{SUPERSEDED}: the article was updated before it was posted"
                # The head first: the publish tick (another thread) may have claimed it while this article
                # was composed; a thread on its way out is kept whole, never replaced (a second post).
                if not outbox.supersede(head.id, reason):
                    continue
                for part in outbox.thread(article_id, draft.platform, head.account):
                    if part.thread_index > 0:
                        outbox.supersede(part.id, reason)
                # In the state the old thread was in: a thread waiting for room, inserted planned at its
                # placeholder time, would be due at once.
                outbox.enqueue(article_id, stored.article.content_hash, [draft], {draft.platform: head.scheduled_at},
                               {draft.platform: head.account}, state=PostState(head.state),
                               error=head.last_error if head.state == PostState.UNPLANNED.value else None)
            done.append(article_id)
            log.info("article %s was updated before posting: its posts were composed again", article_id)
        mark_update_handled(store, int(update["id"]))
    return done
