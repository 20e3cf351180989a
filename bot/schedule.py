"""The posting schedule: when each post goes out. Pure — no I/O, no clock reads; ``now`` is passed in.

Design: ``plan`` is stateless and re-plans everything that is not yet due, every time. The daemon passes
- ``requests``: every post still waiting — new ones *and* those planned for a time after ``now`` — and
- ``booked``: per platform, the times of posts that are sent, sending or due (``scheduled_at <= now``);
  these count towards spacing and daily caps but are never moved,
then writes back the returned times. Breaking news pre-empts the queue simply by being planned first: the
queued normal posts land in later slots. No separate ``replan`` is needed, and since ``plan`` is
deterministic, re-planning with nothing new changes nothing. (Passing future posts as ``booked`` instead gives
incremental planning around them, without pre-emption.)

Rules, per platform, each platform with its own ``Policy``:
- Slots are the union of the policy's cron expressions, read as *local wall-clock* times in the newsroom's
  zone. APScheduler 3's ``CronTrigger`` with a real zone returns non-existent local times on spring-forward
  days (03:30+02:00 in Kyiv), loses a second slot in the same gap, and fires twice for a repeated local time
  on fall-back days. So the trigger runs on a zone-free calendar (UTC) and we map each matching wall time to
  an instant ourselves: a time that occurs twice is a slot once, at its first occurrence; a time that does not
  exist moves forward by the length of the gap (03:30 -> 04:30 in Kyiv, 02:30 -> 03:30 in New York); slots
  that land on the same instant merge. Weekdays must be names (mon … sun): APScheduler 3 reads 0 as Monday,
  crontab reads it as Sunday.
- A time is *allowed* when it is outside the quiet hours (local wall time; the window may cross midnight), at
  least ``min_spacing`` from every other post on the platform (booked or planned, before or after; a booked
  time counts from the start of its minute, so a send a few seconds late costs no slot), and its
  local day is under the daily cap (0 = no cap). Nothing goes before ``now``, the article's published time or
  its embargo. A slot holds one post.
- Lanes, each first-in first-out by published time: ``breaking`` first, at the earliest allowed moment — it
  ignores slots, nothing else; then ``normal``, each in the first allowed slot; then ``evergreen``, in the slots
  the normal posts left free, so an evergreen post never delays a normal one.
- Stagger: the request with platform order index i goes i x ``stagger`` after its slot (or moment), so one
  article reaches the platforms in a fixed order.
- Expiry: a breaking or normal post with no allowed time before it is ``expire_after`` old (counted from its
  published time; see ``news_since`` for an article without one) is ``Expired``, with the reason. Evergreen
  posts do not expire.
- Horizon: nothing is planned more than ``horizon`` (14 days) after ``now``; a post that finds no time within
  it is ``Unplanned`` (leave it unscheduled and try again on the next pass).
All returned times are UTC.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from .config import Settings
from .errors import ConfigError
from .models import Article, Priority

UTC = timezone.utc
DEFAULT_HORIZON = timedelta(days=14)
SCHEDULE_SETTINGS = (
    "slots",
    "min_spacing_minutes",
    "quiet_hours",
    "daily_cap",
    "stagger_minutes",
    "expire_hours",
)
_WINDOW = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")
_LANES = {Priority.BREAKING: 0, Priority.NORMAL: 1, Priority.EVERGREEN: 2}


@dataclass(frozen=True)
class Policy:
    """How one platform is scheduled. Build it with ``policy_for``, which validates the settings."""

    slots: tuple[str, ...]  # cron expressions, local wall-clock time in ``tz``
    tz: ZoneInfo
    min_spacing: timedelta = timedelta(minutes=15)
    quiet_hours: tuple[time, time] | None = None  # (start, end), local; end < start crosses midnight
    daily_cap: int = 0  # posts per local day; 0 = no cap
    stagger: timedelta = timedelta(0)
    expire_after: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class PostRequest:
    """This article needs a time on this platform."""

    key: str  # the article's key in the store
    platform: str
    priority: Priority
    published: datetime  # timezone-aware; when it was ingested if the source gave no date
    embargo: datetime | None = None  # timezone-aware; not before this
    order: int = 0  # the platform's place in the stagger order (0 goes first)


@dataclass(frozen=True)
class Planned:
    request: PostRequest
    at: datetime  # UTC


@dataclass(frozen=True)
class Expired:
    """Too old by the time it could go out: mark it expired, with ``reason``."""

    request: PostRequest
    reason: str


@dataclass(frozen=True)
class Unplanned:
    """No allowed time within the planning horizon: leave it unscheduled and try again later."""

    request: PostRequest
    reason: str


Outcome = Planned | Expired | Unplanned


# --- settings -> Policy ----------------------------------------------------------------------------


MAX_DURATION = timedelta(days=100 * 365)  # longest spacing, stagger or expiry: dates past it overflow


def policy_for(settings: Settings, platform: str) -> Policy:
    """The validated schedule policy of ``platform``: its overrides, else the global settings."""
    overrides = settings.schedule_overrides.get(platform, {})
    unknown = sorted(set(overrides) - set(SCHEDULE_SETTINGS))
    if unknown:
        raise ConfigError(
            f"NEWSBOT_SCHEDULE_OVERRIDES: {platform}.{unknown[0]} is not a schedule setting; "
            f"use one of {', '.join(SCHEDULE_SETTINGS)}"
        )

    def var(name: str) -> str:
        return f"NEWSBOT_SCHEDULE_OVERRIDES ({platform}.{name})" if name in overrides else f"NEWSBOT_{name.upper()}"

    def number(name: str, *, positive: bool = False, integer: bool = False, unit: timedelta | None = None) -> float:
        value = settings.schedule_value(platform, name)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and isinstance(value, float) and not math.isfinite(value):
            # JSON overrides may say Infinity or NaN: no timedelta holds them, and NaN fails no comparison
            raise ConfigError(f"{var(name)}: {value!r} is not a finite number")
        if ok and integer and value != int(value):
            ok = False
        if not ok or value < 0 or (positive and value == 0):
            kind = "a whole number" if integer else "a number"
            raise ConfigError(f"{var(name)}: {value!r} is not {kind} {'> 0' if positive else '>= 0'}")
        if unit is not None and value > MAX_DURATION / unit:  # compared, not multiplied: a huge int would overflow
            # Past what a date can be once added to one: every planning pass would fail with OverflowError.
            raise ConfigError(f"{var(name)}: {value!r} is more than 100 years; give a smaller number")
        return float(value)

    tz = settings.tz
    return Policy(
        slots=parse_slots(settings.schedule_value(platform, "slots"), var("slots")),
        tz=tz,
        min_spacing=timedelta(minutes=number("min_spacing_minutes", unit=timedelta(minutes=1))),
        quiet_hours=parse_quiet_hours(settings.schedule_value(platform, "quiet_hours"), var("quiet_hours")),
        daily_cap=int(number("daily_cap", integer=True)),
        stagger=timedelta(minutes=number("stagger_minutes", unit=timedelta(minutes=1))),
        expire_after=timedelta(hours=number("expire_hours", positive=True, unit=timedelta(hours=1))),
    )


def parse_slots(value: Any, variable: str = "NEWSBOT_SLOTS") -> tuple[str, ...]:
    """Cron expressions separated by ';' (or a list of them), each checked; errors name ``variable``."""
    items = value.split(";") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(e, str) for e in items):
        raise ConfigError(f"{variable}: {value!r} is not a cron expression or a list of them")
    exprs = tuple(" ".join(e.split()) for e in items if e.strip())
    if not exprs:
        raise ConfigError(f"{variable}: no posting slots; give a cron expression such as '*/15 7-22 * * *'")
    for expr in exprs:
        fields = expr.split()
        if len(fields) == 5 and any(ch.isdigit() for ch in fields[4]):
            raise ConfigError(
                f"{variable}: {expr!r}: write weekdays as names (mon,tue,…,sun or mon-fri); "
                "numbers mean different days in different cron dialects"
            )
        try:
            trigger = CronTrigger.from_crontab(expr, timezone=UTC)
        except ValueError as exc:
            raise ConfigError(
                f"{variable}: {expr!r} is not a valid cron expression ({exc}); "
                "use five fields: minute hour day month weekday, e.g. '0 8-20 * * *'"
            ) from None
        if trigger.get_next_fire_time(None, datetime(2000, 1, 1, tzinfo=UTC)) is None:
            raise ConfigError(f"{variable}: {expr!r} never matches a date")
    return exprs


def parse_quiet_hours(value: Any, variable: str = "NEWSBOT_QUIET_HOURS") -> tuple[time, time] | None:
    """'23:00-06:00' -> (23:00, 06:00); empty or None -> None (no quiet hours)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    match = _WINDOW.fullmatch(value) if isinstance(value, str) else None
    hint = "write it as HH:MM-HH:MM in local time, e.g. '23:00-06:00', or leave it empty to disable"
    if match is None:
        raise ConfigError(f"{variable}: {value!r} is not a time window; {hint}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if max(h1, h2) > 23 or max(m1, m2) > 59:
        raise ConfigError(f"{variable}: {value!r} has an impossible time; {hint}")
    if (h1, m1) == (h2, m2):
        raise ConfigError(f"{variable}: {value!r} starts and ends at the same time; {hint}")
    return time(h1, m1), time(h2, m2)


def news_since(article: Article, ingested_at: datetime) -> datetime:
    """When the article became news, for ordering and expiry: its published time; without one, when it
    was ingested - or, if embargoed, when the embargo lifts (a report queued two days ahead of its
    embargo would otherwise expire unsent)."""
    if article.published:
        return article.published
    return max(ingested_at, article.embargo) if article.embargo else ingested_at


def requests_for(
    key: str, article: Article, platforms: Sequence[str], *, ingested_at: datetime
) -> list[PostRequest]:
    """One request per platform, staggered in the order given."""
    published = news_since(article, ingested_at)
    return [
        PostRequest(key, platform, article.priority, published, article.embargo, order)
        for order, platform in enumerate(platforms)
    ]


# --- time helpers ----------------------------------------------------------------------------------


def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")
    return value.astimezone(UTC)


def local_instant(day: date, at: time, tz: ZoneInfo, *, after: datetime | None = None) -> datetime:
    """The UTC instant a local wall time names: its first occurrence (or the second, if the first is not
    after ``after``); a wall time inside a spring-forward gap moves forward by the length of the gap."""
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)  # fold=0 in a gap reads the old offset: forward
    if after is not None and first <= after:
        return wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    return first


def slot_times(policy: Policy, start: datetime, end: datetime) -> list[datetime]:
    """Every slot of ``policy`` from ``start`` to ``end`` (inclusive): sorted, distinct UTC instants."""
    start, end = _utc(start, "start"), _utc(end, "end")
    # Walk wall-clock time with a day to spare each side: a gap moves wall times forward in real time, and a
    # repeated hour maps later wall times to earlier instants.
    first_wall = start.astimezone(policy.tz).replace(tzinfo=None) - timedelta(days=1)
    last_wall = end.astimezone(policy.tz).replace(tzinfo=None) + timedelta(days=1)
    found: set[datetime] = set()
    for expr in policy.slots:
        trigger = CronTrigger.from_crontab(expr, timezone=UTC)  # UTC here is a zone-free calendar
        prev, cursor = None, first_wall.replace(tzinfo=UTC)
        while (fire := trigger.get_next_fire_time(prev, cursor)) is not None:
            wall = fire.replace(tzinfo=None)
            if wall > last_wall:
                break
            at = local_instant(wall.date(), wall.time(), policy.tz)
            if start <= at <= end:
                found.add(at)
            prev = cursor = fire
    return sorted(found)


class _Slots:
    """A calendar's slots from ``start`` to ``end``, worked out only as far as they are asked for, in spans that
    double (a day, two, four ...): the cron walk is most of a preview's planning, and one article needs the
    next day's slots, not a fortnight's."""

    def __init__(self, policy: Policy, start: datetime, end: datetime) -> None:
        self.policy, self.start, self.end = policy, start, end
        self.times: list[datetime] = []
        self._until: datetime | None = None  # slots up to here (inclusive) are in ``times``
        self._span = timedelta(days=1)

    def _extend(self) -> bool:
        if self._until is not None and self._until >= self.end:
            return False
        low = self.start if self._until is None else self._until
        high = min(self.end, low + self._span)
        found = slot_times(self.policy, low, high)
        self.times.extend(found if self._until is None else [t for t in found if t > low])
        self._until, self._span = high, self._span * 2
        return True

    def since(self, earliest: datetime) -> Iterator[datetime]:
        """The slots from ``earliest`` on, in order."""
        while (self._until is None or self._until < earliest) and self._extend():
            pass
        i = bisect_left(self.times, earliest)
        while True:
            if i < len(self.times):
                yield self.times[i]
                i += 1
            elif not self._extend():
                return


def is_quiet(policy: Policy, at: datetime) -> bool:
    """Whether ``at`` falls in the policy's quiet hours (local wall time)."""
    if policy.quiet_hours is None:
        return False
    start, end = policy.quiet_hours
    wall = at.astimezone(policy.tz).time()
    return start <= wall < end if start < end else (wall >= start or wall < end)


def _quiet_end(policy: Policy, at: datetime) -> datetime:
    """The end of the quiet window ``at`` lies in (always after ``at``)."""
    assert policy.quiet_hours is not None
    start, end = policy.quiet_hours
    local = at.astimezone(policy.tz)
    day = local.date() + timedelta(days=1) if local.time() >= end else local.date()
    return local_instant(day, end, policy.tz, after=at)


def _fmt(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def _hours(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 3600:g} h"


# --- planning --------------------------------------------------------------------------------------


class _Book:
    """What one platform already has, during one ``plan`` call: for spacing, caps and taken slots."""

    def __init__(self, policy: Policy, times: Iterable[datetime]) -> None:
        self.policy = policy
        # A booked time counts from the start of its minute, as slots do: a post the publish tick sent a few
        # seconds after its 10:00 slot must not make the 10:15 slot "too close" under 15 minutes' spacing
        # (every post would then cost the next one a slot).
        self.times = sorted(_utc(t, "booked time").replace(second=0, microsecond=0) for t in times)
        self.taken = set(self.times)
        self.per_day = Counter(self._day(t) for t in self.times)

    def _day(self, at: datetime) -> date:
        return at.astimezone(self.policy.tz).date()

    def add(self, at: datetime) -> None:
        insort(self.times, at)
        self.taken.add(at)
        self.per_day[self._day(at)] += 1

    def full(self, at: datetime) -> bool:
        cap = self.policy.daily_cap
        return cap > 0 and self.per_day[self._day(at)] >= cap

    def too_close(self, at: datetime) -> datetime | None:
        """The latest post closer than the minimum spacing to ``at``, if any."""
        spacing = self.policy.min_spacing
        i = bisect_left(self.times, at + spacing)
        if i and self.times[i - 1] > at - spacing:
            return self.times[i - 1]
        return None

    def next_day(self, at: datetime) -> datetime:
        return local_instant(self._day(at) + timedelta(days=1), time(0), self.policy.tz, after=at)

    def first_moment(self, at: datetime, bound: datetime) -> datetime | None:
        """The earliest allowed time from ``at`` on, ignoring slots (the breaking lane)."""
        while at <= bound:  # every step moves `at` strictly later, so this ends
            if is_quiet(self.policy, at):
                at = _quiet_end(self.policy, at)
            elif self.full(at):
                at = self.next_day(at)
            elif (close := self.too_close(at)) is not None:
                at = close + self.policy.min_spacing
            else:
                return at
        return None

    def first_slot(
        self, slots: _Slots, earliest: datetime, offset: timedelta, bound: datetime
    ) -> datetime | None:
        """The first allowed slot from ``earliest`` on, shifted by the stagger ``offset``."""
        for slot in slots.since(earliest):
            at = slot + offset
            if at > bound:
                return None
            if at in self.taken or is_quiet(self.policy, at) or self.full(at) or self.too_close(at):
                continue
            return at
        return None


def plan(
    requests: Sequence[PostRequest],
    booked: Mapping[str, Iterable[datetime]],
    policies: Mapping[str, Policy],
    now: datetime,
    *,
    horizon: timedelta = DEFAULT_HORIZON,
) -> list[Outcome]:
    """A time for every request (or why not), in the order of ``requests``. See the module docstring."""
    now = _utc(now, "now")
    horizon_end = now + horizon
    missing = sorted({r.platform for r in requests} - set(policies))
    if missing:
        raise ValueError(f"no schedule policy for platform {missing[0]!r}")
    books = {p: _Book(policies[p], booked.get(p, ())) for p in {r.platform for r in requests}}
    # Platforms usually share one calendar: work its slots out once (the cron walk is most of a preview's plan).
    calendars: dict[tuple[Any, tuple[str, ...]], _Slots] = {}
    slots = {}
    for p in books:
        calendar = (policies[p].tz, policies[p].slots)
        if calendar not in calendars:
            calendars[calendar] = _Slots(policies[p], now, horizon_end)
        slots[p] = calendars[calendar]

    queue = sorted(range(len(requests)), key=lambda i: _queue_key(requests[i], i))
    outcomes: dict[int, Outcome] = {}
    for i in queue:
        req = requests[i]
        policy, book = policies[req.platform], books[req.platform]
        published = _utc(req.published, "published")
        earliest = max(now, published, _utc(req.embargo, "embargo") if req.embargo else now)
        offset = policy.stagger * req.order
        expires = req.priority is not Priority.EVERGREEN
        deadline = published + policy.expire_after if expires else horizon_end
        bound = min(horizon_end, deadline)
        if req.priority is Priority.BREAKING:
            at = book.first_moment(earliest + offset, bound)
        else:
            at = book.first_slot(slots[req.platform], earliest, offset, bound)
        if at is not None:
            book.add(at)
            outcomes[i] = Planned(req, at)
        elif expires and deadline <= horizon_end:
            outcomes[i] = Expired(req, _expired_reason(req, policy, earliest + offset, deadline))
        elif earliest > horizon_end:  # not the slots' fault: it may not go out before then
            embargoed = req.embargo is not None and earliest == _utc(req.embargo, "embargo")
            when = "its embargo lifts" if embargoed else "its publication time"
            outcomes[i] = Unplanned(
                req,
                f"not before {when}, {_fmt(earliest, policy.tz)}, which is beyond the "
                f"{horizon.total_seconds() / 86400:g}-day planning horizon (until {_fmt(horizon_end, policy.tz)}); "
                "it is planned once that time comes within it",
            )
        else:
            outcomes[i] = Unplanned(
                req,
                f"no allowed time on {req.platform} within the {horizon.total_seconds() / 86400:g}-day "
                f"planning horizon "
                f"(until {_fmt(horizon_end, policy.tz)}); check the slots, quiet hours and daily cap",
            )
    return [outcomes[i] for i in range(len(requests))]


def _queue_key(req: PostRequest, index: int) -> tuple[int, datetime, str, int]:
    return (_LANES[Priority(req.priority)], _utc(req.published, "published"), req.key, index)


def _expired_reason(req: PostRequest, policy: Policy, earliest: datetime, deadline: datetime) -> str:
    age = _hours(policy.expire_after)
    if deadline < earliest:
        why = f"by the earliest time it may go out ({_fmt(earliest, policy.tz)}) it is older than {age}"
    else:
        why = (
            f"slots, quiet hours, spacing and the daily cap leave no time on {req.platform} "
            f"before it turns {age} old at {_fmt(deadline, policy.tz)}"
        )
    return f"not posted: published {_fmt(req.published, policy.tz)}; {why} (NEWSBOT_EXPIRE_HOURS)"
