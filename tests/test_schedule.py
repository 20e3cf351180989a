"""The posting schedule (bot.schedule): every test passes an explicit ``now``; nothing sleeps or reads a clock."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from bot.config import Settings
from bot.errors import ConfigError
from bot.models import Article, Priority
from bot.schedule import (
    Expired,
    Planned,
    Policy,
    PostRequest,
    Unplanned,
    is_quiet,
    local_instant,
    parse_quiet_hours,
    plan,
    policy_for,
    requests_for,
    slot_times,
)

UTC = timezone.utc
KYIV = ZoneInfo("Europe/Kyiv")
NEW_YORK = ZoneInfo("America/New_York")
BREAKING, NORMAL, EVERGREEN = Priority.BREAKING, Priority.NORMAL, Priority.EVERGREEN
MIN = timedelta(minutes=1)


def at(tz: ZoneInfo, y: int, mo: int, d: int, h: int = 0, mi: int = 0, fold: int = 0) -> datetime:
    """A local wall time (first occurrence unless fold=1), as a UTC instant."""
    return datetime(y, mo, d, h, mi, tzinfo=tz, fold=fold).astimezone(UTC)


def policy(**changes: Any) -> Policy:
    values: dict[str, Any] = {
        "slots": ("*/15 * * * *",),
        "tz": UTC,
        "min_spacing": timedelta(0),
        "quiet_hours": None,
        "daily_cap": 0,
        "stagger": timedelta(0),
        "expire_after": timedelta(hours=24),
    }
    values.update(changes)
    return Policy(**values)


def req(key: str, published: datetime, priority: Priority = NORMAL, **changes: Any) -> PostRequest:
    platform = changes.pop("platform", "x")
    return PostRequest(key=key, platform=platform, priority=priority, published=published, **changes)


def planned(outcomes: list[Any]) -> dict[str, datetime]:
    """key (plus platform when several) -> planned time; fails if anything was not planned."""
    assert all(isinstance(o, Planned) for o in outcomes), outcomes
    return {o.request.key: o.at for o in outcomes}


def make_settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def local_day(tz: ZoneInfo, y: int, mo: int, d: int) -> tuple[datetime, datetime]:
    """The first and last instant of a local calendar day."""
    start = local_instant(date(y, mo, d), time(0), tz)
    return start, local_instant(date(y, mo, d) + timedelta(days=1), time(0), tz) - timedelta(microseconds=1)


# --- slots across daylight saving time --------------------------------------------------------------

DST_DAYS = [  # zone, local day, slots of "*/15 * * * *" that day
    pytest.param(KYIV, (2026, 3, 29), 23 * 4, id="Kyiv spring forward 03:00->04:00"),
    pytest.param(KYIV, (2026, 10, 25), 24 * 4, id="Kyiv fall back 04:00->03:00"),
    pytest.param(NEW_YORK, (2026, 3, 8), 23 * 4, id="New York spring forward 02:00->03:00"),
    pytest.param(NEW_YORK, (2026, 11, 1), 24 * 4, id="New York fall back 02:00->01:00"),
]


@pytest.mark.parametrize(("tz", "day", "expected"), DST_DAYS)
def test_every_existing_local_quarter_hour_is_one_slot_on_dst_days(
    tz: ZoneInfo, day: tuple[int, int, int], expected: int
) -> None:
    slots = slot_times(policy(slots=("*/15 * * * *",), tz=tz), *local_day(tz, *day))
    walls = [s.astimezone(tz).replace(tzinfo=None) for s in slots]
    assert len(slots) == expected
    assert len(set(walls)) == len(walls)  # no local time twice, not even in the repeated hour
    for slot, wall in zip(slots, walls, strict=True):
        assert wall.minute % 15 == 0 and wall.second == 0
        assert wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall  # it exists


def test_spring_forward_slots_stay_a_quarter_hour_apart_in_real_time() -> None:
    slots = slot_times(policy(tz=KYIV), *local_day(KYIV, 2026, 3, 29))
    assert {b - a for a, b in zip(slots, slots[1:])} == {15 * MIN}
    assert not any(time(3) <= s.astimezone(KYIV).time() < time(4) for s in slots)


def test_repeated_hour_on_fall_back_is_served_once_at_its_first_occurrence() -> None:
    slots = slot_times(policy(tz=KYIV), *local_day(KYIV, 2026, 10, 25))
    three_oclock = [s for s in slots if s.astimezone(KYIV).hour == 3]
    assert [s.astimezone(KYIV).utcoffset() for s in three_oclock] == [timedelta(hours=3)] * 4  # summer time
    assert at(KYIV, 2026, 10, 25, 4) - at(KYIV, 2026, 10, 25, 3, 45) == 75 * MIN  # the hour repeats, unused


@pytest.mark.parametrize(
    ("tz", "expr", "days", "dst_day", "expected_local"),
    [
        (KYIV, "30 3 * * *", (2026, 3, 28), 29, "04:30+0300"),  # 03:30 does not exist: one gap later
        (KYIV, "30 3 * * *", (2026, 10, 24), 25, "03:30+0300"),  # 03:30 happens twice: the first
        (NEW_YORK, "30 2 * * *", (2026, 3, 7), 8, "03:30-0400"),
        (NEW_YORK, "30 1 * * *", (2026, 10, 31), 1, "01:30-0400"),
    ],
)
def test_a_daily_slot_fires_exactly_once_per_local_day_across_dst(
    tz: ZoneInfo, expr: str, days: tuple[int, int, int], dst_day: int, expected_local: str
) -> None:
    start = local_day(tz, *days)[0]
    slots = slot_times(policy(slots=(expr,), tz=tz), start, start + timedelta(days=3) - MIN)
    local = [s.astimezone(tz) for s in slots]
    assert len(slots) == 3
    assert len({d.date() for d in local}) == 3
    (on_dst_day,) = [d for d in local if d.day == dst_day]
    assert on_dst_day.strftime("%H:%M%z") == expected_local


def test_no_slot_is_lost_when_two_fall_in_the_spring_forward_gap() -> None:
    # Raw CronTrigger with the zone loses 03:45 here; the wall-clock walk keeps both, shifted by the gap.
    slots = slot_times(policy(slots=("30,45 3 * * *",), tz=KYIV), *local_day(KYIV, 2026, 3, 29))
    assert [s.astimezone(KYIV).strftime("%H:%M") for s in slots] == ["04:30", "04:45"]


def test_several_expressions_merge_and_coinciding_slots_count_once() -> None:
    slots = slot_times(policy(slots=("0 9 * * *", "0,30 9 * * mon-fri"), tz=KYIV), *local_day(KYIV, 2026, 1, 12))
    assert [s.astimezone(KYIV).strftime("%H:%M") for s in slots] == ["09:00", "09:30"]


def test_a_post_queued_in_the_gap_goes_at_the_first_slot_after_it() -> None:
    now = at(KYIV, 2026, 3, 29, 2, 50)
    (outcome,) = plan([req("a", now)], {}, {"x": policy(tz=KYIV)}, now)
    assert outcome == Planned(outcome.request, at(KYIV, 2026, 3, 29, 4, 0))
    assert outcome.at - now == 10 * MIN


# --- quiet hours --------------------------------------------------------------------------------------


def test_quiet_hours_cross_midnight() -> None:
    p = policy(tz=KYIV, quiet_hours=(time(23), time(6)))
    assert not is_quiet(p, at(KYIV, 2026, 5, 4, 22, 59))
    assert is_quiet(p, at(KYIV, 2026, 5, 4, 23, 0))
    assert is_quiet(p, at(KYIV, 2026, 5, 5, 0, 30))
    assert is_quiet(p, at(KYIV, 2026, 5, 5, 5, 59))
    assert not is_quiet(p, at(KYIV, 2026, 5, 5, 6, 0))
    lunch = policy(tz=KYIV, quiet_hours=(time(12), time(13)))
    assert is_quiet(lunch, at(KYIV, 2026, 5, 4, 12, 30)) and not is_quiet(lunch, at(KYIV, 2026, 5, 4, 23, 30))


@pytest.mark.parametrize("priority", [NORMAL, BREAKING])
@pytest.mark.parametrize("local_now", [(4, 23, 10), (5, 1, 0), (5, 5, 59)])
def test_posts_during_quiet_hours_wait_for_six_in_the_morning(
    priority: Priority, local_now: tuple[int, int, int]
) -> None:
    now = at(KYIV, 2026, 5, local_now[0], local_now[1], local_now[2])
    p = policy(tz=KYIV, quiet_hours=(time(23), time(6)))
    (outcome,) = plan([req("a", now, priority)], {}, {"x": p}, now)
    assert outcome == Planned(outcome.request, at(KYIV, 2026, 5, 5, 6, 0))


def test_quiet_hours_that_end_inside_the_spring_forward_gap_end_one_gap_later() -> None:
    now = at(KYIV, 2026, 3, 29, 2, 0)
    p = policy(tz=KYIV, quiet_hours=(time(1), time(3, 30)))
    (outcome,) = plan([req("a", now, BREAKING)], {}, {"x": p}, now)
    assert outcome.at.astimezone(KYIV).strftime("%H:%M%z") == "04:30+0300"


# --- daily caps, spacing -------------------------------------------------------------------------------


def test_the_daily_cap_counts_posts_per_local_day() -> None:
    # Kyiv is UTC+2 in January: local midnight is 22:00 UTC of the day before, so a UTC-day cap would wait.
    now = at(KYIV, 2026, 1, 10, 20, 30)
    p = policy(tz=KYIV, slots=("0 * * * *",), daily_cap=2)
    times = planned(plan([req(k, now - MIN * i) for i, k in enumerate("dcba")], {}, {"x": p}, now))
    local = [times[k].astimezone(KYIV).strftime("%d %H:%M") for k in "abcd"]
    assert local == ["10 21:00", "10 22:00", "11 00:00", "11 01:00"]


def test_booked_posts_count_towards_the_cap() -> None:
    now = at(KYIV, 2026, 1, 10, 12, 0)
    p = policy(tz=KYIV, slots=("0 * * * *",), daily_cap=2)
    booked = {"x": [at(KYIV, 2026, 1, 10, 8), at(KYIV, 2026, 1, 10, 9)], "bluesky": [at(KYIV, 2026, 1, 10, 10)]}
    (outcome,) = plan([req("a", now)], booked, {"x": p}, now)
    assert outcome.at == at(KYIV, 2026, 1, 11, 0)


def test_a_cap_of_zero_means_no_cap() -> None:
    now = datetime(2026, 1, 10, 12, tzinfo=UTC)
    p = policy(daily_cap=0, expire_after=timedelta(hours=48))
    times = planned(plan([req(str(i), now) for i in range(100)], {}, {"x": p}, now))
    assert Counter(t.day for t in times.values()) == {10: 48, 11: 52}  # every quarter-hour left today, then on


def test_posts_keep_the_minimum_spacing() -> None:
    now = datetime(2026, 1, 10, 10, tzinfo=UTC)
    p = policy(slots=("*/5 * * * *",), min_spacing=15 * MIN)
    times = planned(plan([req("a", now), req("b", now + MIN), req("c", now + 2 * MIN)], {}, {"x": p}, now + 2 * MIN))
    assert [times[k] - now for k in "abc"] == [5 * MIN, 20 * MIN, 35 * MIN]


def test_spacing_counts_booked_posts_before_and_after() -> None:
    now = datetime(2026, 1, 10, 10, tzinfo=UTC)
    p = policy(slots=("*/5 * * * *",), min_spacing=15 * MIN)
    (outcome,) = plan([req("a", now)], {"x": [now - 5 * MIN, now + 10 * MIN]}, {"x": p}, now)
    assert outcome.at == now + 25 * MIN  # exactly 15 minutes after the booked 10:10


def test_a_post_sent_seconds_after_its_slot_does_not_cost_the_next_slot() -> None:
    # Default settings: a slot every quarter-hour and 15 minutes' spacing. The publish tick sends the 10:00
    # post a few seconds late; the 10:15 slot is still 15 minutes after it as the schedule counts (in minutes).
    now = datetime(2026, 1, 10, 10, 5, tzinfo=UTC)
    p = policy(min_spacing=15 * MIN)
    sent = datetime(2026, 1, 10, 10, 0, 7, tzinfo=UTC)
    times = planned(plan([req("a", now), req("b", now)], {"x": [sent]}, {"x": p}, now))
    assert times == {"a": datetime(2026, 1, 10, 10, 15, tzinfo=UTC), "b": datetime(2026, 1, 10, 10, 30, tzinfo=UTC)}
    # Sent a minute or more late (a retry, a rate limit), the real time counts.
    late = datetime(2026, 1, 10, 10, 1, 30, tzinfo=UTC)
    (outcome,) = plan([req("a", now)], {"x": [late]}, {"x": p}, now)
    assert outcome.at == datetime(2026, 1, 10, 10, 30, tzinfo=UTC)


# --- priority lanes -------------------------------------------------------------------------------------


def test_normal_posts_fill_slots_first_in_first_out() -> None:
    now = datetime(2026, 1, 10, 10, 1, tzinfo=UTC)
    requests = [req("late", now - MIN), req("early", now - 3 * MIN), req("middle", now - 2 * MIN)]
    times = planned(plan(requests, {}, {"x": policy()}, now))
    assert times["early"] < times["middle"] < times["late"]
    assert times["early"] == datetime(2026, 1, 10, 10, 15, tzinfo=UTC)


def test_breaking_news_goes_now_and_pushes_the_queue_back() -> None:
    now = datetime(2026, 1, 10, 10, 7, tzinfo=UTC)
    p = policy(min_spacing=10 * MIN)
    queue = [req("n1", now - 30 * MIN), req("n2", now - 20 * MIN)]
    before = planned(plan(queue, {}, {"x": p}, now))
    after = planned(plan([*queue, req("flash", now, BREAKING)], {}, {"x": p}, now))
    assert after["flash"] == now  # no waiting for a slot
    assert [before[k].strftime("%H:%M") for k in ("n1", "n2")] == ["10:15", "10:30"]
    assert [after[k].strftime("%H:%M") for k in ("n1", "n2")] == ["10:30", "10:45"]  # 10:15 is too close


def test_breaking_news_still_keeps_the_spacing_after_the_last_post() -> None:
    now = datetime(2026, 1, 10, 10, 7, tzinfo=UTC)
    (outcome,) = plan([req("flash", now, BREAKING)], {"x": [now - 6 * MIN]}, {"x": policy(min_spacing=15 * MIN)}, now)
    assert outcome.at == now + 9 * MIN


def test_evergreen_only_takes_slots_the_news_left_free() -> None:
    now = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)
    p = policy(slots=("0 * * * *",), min_spacing=30 * MIN)
    requests = [req("old-feature", now - timedelta(days=30), EVERGREEN), req("n1", now), req("n2", now)]
    times = planned(plan(requests, {}, {"x": p}, now))
    assert [times[k].strftime("%H:%M") for k in ("n1", "n2", "old-feature")] == ["10:00", "11:00", "12:00"]


def test_re_planning_as_time_passes_moves_nothing() -> None:
    now = datetime(2026, 1, 10, 10, 1, tzinfo=UTC)
    p = policy(min_spacing=15 * MIN, daily_cap=20)
    requests = [req(f"n{i}", now - i * MIN) for i in range(6)] + [req("e", now, EVERGREEN)]
    first = plan(requests, {}, {"x": p}, now)
    assert plan(requests, {}, {"x": p}, now + 13 * MIN) == first  # before the first one is due


# --- embargo, expiry, horizon ---------------------------------------------------------------------------


def test_nothing_goes_before_its_embargo_or_publication_time() -> None:
    now = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)
    embargo = datetime(2026, 1, 10, 12, 5, tzinfo=UTC)
    requests = [
        req("embargoed", now, embargo=embargo),
        req("embargoed-flash", now, BREAKING, embargo=embargo),
        req("future", now + 3 * timedelta(hours=1)),
    ]
    times = planned(plan(requests, {}, {"x": policy()}, now))
    assert times["embargoed"] == datetime(2026, 1, 10, 12, 15, tzinfo=UTC)
    assert times["embargoed-flash"] == embargo
    assert times["future"] == datetime(2026, 1, 10, 13, 0, tzinfo=UTC)


def test_an_undated_article_queued_days_before_its_embargo_is_news_when_the_embargo_lifts() -> None:
    now = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)
    embargo = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)  # 46 h away: beyond a 24 h expiry counted from ingest
    p = policy(expire_after=timedelta(hours=24))
    for priority, first in ((NORMAL, embargo), (BREAKING, embargo)):
        article = Article(source="report.md", text="…", embargo=embargo, priority=priority)
        [outcome] = plan(requests_for("r", article, ["x"], ingested_at=now), {}, {"x": p}, now)
        assert outcome == Planned(outcome.request, first)
    # An article that gives its own publication time still ages from it.
    dated = Article(source="old.md", text="…", embargo=embargo, published=now - timedelta(hours=1))
    [outcome] = plan(requests_for("d", dated, ["x"], ingested_at=now), {}, {"x": p}, now)
    assert isinstance(outcome, Expired)


def test_news_too_old_to_post_expires_with_a_reason() -> None:
    now = at(KYIV, 2026, 5, 4, 23, 30)
    p = policy(tz=KYIV, quiet_hours=(time(23), time(6)), expire_after=timedelta(hours=24))
    stale, ok, old, feature = plan(
        [
            req("stale", now - timedelta(hours=20)),  # would go at 06:00, 26.5 h after publication
            req("fresh", now - timedelta(hours=1)),
            req("ancient", now - timedelta(hours=30)),
            req("feature", now - timedelta(hours=30), EVERGREEN),  # evergreen does not expire
        ],
        {},
        {"x": p},
        now,
    )
    assert isinstance(stale, Expired) and isinstance(old, Expired)
    assert "24 h" in stale.reason and "2026-05-04 03:30 EEST" in stale.reason and "NEWSBOT_EXPIRE_HOURS" in stale.reason
    assert "older than 24 h" in old.reason
    assert ok == Planned(ok.request, at(KYIV, 2026, 5, 5, 6))
    assert isinstance(feature, Planned) and feature.at == at(KYIV, 2026, 5, 5, 6, 15)


def test_beyond_the_planning_horizon_a_post_is_left_unplanned() -> None:
    now = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)
    p = policy(slots=("0 9 1 6 *",), expire_after=timedelta(days=365))  # once a year
    outcomes = plan([req("n", now), req("e", now, EVERGREEN)], {}, {"x": p}, now, horizon=timedelta(days=14))
    assert all(isinstance(o, Unplanned) and "14-day planning horizon" in o.reason for o in outcomes)


def test_an_embargo_beyond_the_horizon_says_so_instead_of_blaming_the_slots() -> None:
    now = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)
    embargo = datetime(2026, 2, 20, 6, 0, tzinfo=UTC)  # six weeks ahead, an undated article: news from then
    for priority in (NORMAL, EVERGREEN):
        article = Article(source="report.md", text="…", embargo=embargo, priority=priority)
        [outcome] = plan(requests_for("r", article, ["x"], ingested_at=now), {}, {"x": policy()}, now)
        assert isinstance(outcome, Unplanned)
        assert "not before its embargo lifts, 2026-02-20 06:00 UTC" in outcome.reason, outcome.reason
        assert "check the slots" not in outcome.reason
    [outcome] = plan([req("f", datetime(2026, 3, 1, 9, 0, tzinfo=UTC))], {}, {"x": policy()}, now)
    assert isinstance(outcome, Unplanned) and "its publication time, 2026-03-01 09:00 UTC" in outcome.reason, outcome.reason


# --- stagger and per-platform policies -------------------------------------------------------------------


def test_one_article_is_staggered_across_platforms() -> None:
    now = datetime(2026, 1, 10, 10, 1, tzinfo=UTC)
    p = policy(stagger=2 * MIN)
    platforms = ["x", "bluesky", "mastodon"]
    for priority, first in ((NORMAL, datetime(2026, 1, 10, 10, 15, tzinfo=UTC)), (BREAKING, now)):
        article = Article(source="a.txt", text="…", published=now, priority=priority)
        outcomes = plan(requests_for("a", article, platforms, ingested_at=now), {}, dict.fromkeys(platforms, p), now)
        assert [(o.request.platform, o.at - first) for o in outcomes] == [
            ("x", 0 * MIN),
            ("bluesky", 2 * MIN),
            ("mastodon", 4 * MIN),
        ]


def test_requests_for_falls_back_to_the_ingestion_time() -> None:
    now = datetime(2026, 1, 10, 10, 1, tzinfo=UTC)
    (request,) = requests_for("k", Article(source="a.txt", text="…"), ["x"], ingested_at=now)
    assert request == PostRequest("k", "x", NORMAL, now, None, 0)


def test_each_platform_follows_its_own_policy() -> None:
    s = make_settings(timezone="Europe/Kyiv", schedule_overrides={"x": {"slots": "0 * * * *", "daily_cap": 10}})
    policies = {name: policy_for(s, name) for name in ("x", "bluesky")}
    assert policies["x"].daily_cap == 10 and policies["x"].slots == ("0 * * * *",)
    assert policies["bluesky"].daily_cap == s.daily_cap and policies["bluesky"].slots == (s.slots,)
    now = at(KYIV, 2026, 5, 4, 10, 1)
    outcomes = plan([req("a", now), req("a", now, platform="bluesky")], {}, policies, now)
    assert [o.at.astimezone(KYIV).strftime("%H:%M") for o in outcomes] == ["11:00", "10:15"]


def test_default_settings_make_a_sensible_policy() -> None:
    p = policy_for(make_settings(), "mastodon")
    assert p.tz == ZoneInfo("UTC") and p.quiet_hours == (time(23), time(6))
    assert p.min_spacing == 15 * MIN and p.stagger == 2 * MIN and p.expire_after == timedelta(hours=24)
    assert p.daily_cap > 0
    day = slot_times(p, datetime(2026, 1, 10, tzinfo=UTC), datetime(2026, 1, 10, 23, 59, tzinfo=UTC))
    assert day and not any(is_quiet(p, s) for s in day)


# --- configuration errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slots", "message"),
    [
        ("61 * * * *", "NEWSBOT_SLOTS: '61 * * * *' is not a valid cron expression"),
        ("*/15 7-22 * *", "NEWSBOT_SLOTS: '*/15 7-22 * *' is not a valid cron expression"),
        ("0 9 * * 1;0 12 * * *", "NEWSBOT_SLOTS: '0 9 * * 1': write weekdays as names"),
        ("0 0 30 2 *", "NEWSBOT_SLOTS: '0 0 30 2 *' never matches"),
        (" ; ", "NEWSBOT_SLOTS: no posting slots"),
    ],
)
def test_bad_slots_name_the_variable(slots: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        policy_for(make_settings(slots=slots), "x")
    assert str(caught.value).startswith(message)


def test_several_slot_expressions_are_accepted() -> None:
    p = policy_for(make_settings(slots="0 8 * * mon-fri; 30 10 * * sat,sun"), "x")
    assert p.slots == ("0 8 * * mon-fri", "30 10 * * sat,sun")


@pytest.mark.parametrize("window", ["23-06", "25:00-06:00", "06:00-06:00", "23:00", "23:00-06:60"])
def test_bad_quiet_hours_name_the_variable(window: str) -> None:
    with pytest.raises(ConfigError, match=r"^NEWSBOT_QUIET_HOURS: .*HH:MM-HH:MM"):
        policy_for(make_settings(quiet_hours=window), "x")


def test_empty_quiet_hours_disable_them() -> None:
    assert policy_for(make_settings(quiet_hours=""), "x").quiet_hours is None
    assert parse_quiet_hours(" 22:30 - 7:00 ") == (time(22, 30), time(7, 0))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"slots": "61 * * * *"}, "NEWSBOT_SCHEDULE_OVERRIDES (x.slots): '61 * * * *' is not a valid cron expression"),
        ({"daly_cap": 3}, "NEWSBOT_SCHEDULE_OVERRIDES: x.daly_cap is not a schedule setting"),
        ({"daily_cap": 2.5}, "NEWSBOT_SCHEDULE_OVERRIDES (x.daily_cap): 2.5 is not a whole number"),
        ({"expire_hours": 0}, "NEWSBOT_SCHEDULE_OVERRIDES (x.expire_hours): 0 is not a number > 0"),
        ({"quiet_hours": "late"}, "NEWSBOT_SCHEDULE_OVERRIDES (x.quiet_hours): 'late' is not a time window"),
    ],
)
def test_bad_overrides_name_the_override(override: dict[str, Any], message: str) -> None:
    s = make_settings(schedule_overrides={"x": override})
    with pytest.raises(ConfigError) as caught:
        policy_for(s, "x")
    assert str(caught.value).startswith(message)
    policy_for(s, "bluesky")  # the other platforms are unaffected


@pytest.mark.parametrize(
    ("values", "message"),
    [
        # JSON overrides take Infinity and NaN, which pass '> 0' (or fail no comparison at all)
        ({"schedule_overrides": {"x": {"expire_hours": float("inf")}}},
         "NEWSBOT_SCHEDULE_OVERRIDES (x.expire_hours): inf is not a finite number"),
        ({"schedule_overrides": {"x": {"stagger_minutes": float("nan")}}},
         "NEWSBOT_SCHEDULE_OVERRIDES (x.stagger_minutes): nan is not a finite number"),
        # finite, but past what a date can be: every planning pass failed with OverflowError
        ({"expire_hours": 1e8}, "NEWSBOT_EXPIRE_HOURS: 100000000.0 is more than 100 years"),
        ({"min_spacing_minutes": 10**11}, "NEWSBOT_MIN_SPACING_MINUTES: 100000000000 is more than 100 years"),
        ({"stagger_minutes": 10**400}, "NEWSBOT_STAGGER_MINUTES: 1000"),
    ],
)
def test_a_schedule_duration_no_date_can_hold_is_one_line_naming_the_setting(
    values: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        policy_for(make_settings(**values), "x")
    assert str(caught.value).startswith(message)


def test_schedule_durations_of_a_century_still_plan() -> None:
    century = 100 * 365
    s = make_settings(expire_hours=century * 24, min_spacing_minutes=century * 24 * 60, timezone="UTC")
    now = datetime(2026, 3, 20, 10, 7, tzinfo=UTC)
    outcomes = plan([req("a", now), req("b", now)], {"x": [now - MIN]}, {"x": policy_for(s, "x")}, now)
    assert [type(o) for o in outcomes] == [Unplanned, Unplanned]  # no room for ever: waiting, not a crash


def test_plan_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan([], {}, {}, datetime(2026, 1, 10, 10))


# --- properties --------------------------------------------------------------------------------------------

START = datetime(2026, 3, 20, tzinfo=UTC)
PLATFORMS = ("x", "bluesky")
SLOT_CHOICES = [("*/15 * * * *",), ("0,30 7-22 * * *",), ("*/20 * * * *", "5 12 * * *"), ("30 3 * * *",)]


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[PostRequest], dict[str, list[datetime]], dict[str, Policy], datetime]:
    tz = draw(st.sampled_from([UTC, KYIV, NEW_YORK]))
    # around the March DST changes of both zones, or the autumn ones
    now = draw(st.sampled_from([START, START + timedelta(days=217)])) + draw(st.integers(0, 12 * 24 * 60)) * MIN
    policies = {
        name: Policy(
            slots=draw(st.sampled_from(SLOT_CHOICES)),
            tz=tz,
            min_spacing=draw(st.integers(0, 60)) * MIN,
            quiet_hours=draw(st.sampled_from([None, (time(23), time(6)), (time(1), time(4)), (time(12), time(13))])),
            daily_cap=draw(st.integers(0, 6)),
            stagger=draw(st.integers(0, 5)) * MIN,
            expire_after=draw(st.integers(1, 48)) * timedelta(hours=1),
        )
        for name in PLATFORMS
    }
    requests = [
        PostRequest(
            key=f"a{i}",
            platform=draw(st.sampled_from(PLATFORMS)),
            priority=draw(st.sampled_from(list(Priority))),
            published=now + draw(st.integers(-48 * 60, 24 * 60)) * MIN,
            embargo=draw(st.none() | st.integers(0, 48 * 60).map(lambda m: now + m * MIN)),
            order=draw(st.integers(0, 2)),
        )
        for i in range(draw(st.integers(0, 12)))
    ]
    booked = {
        name: [now + draw(st.integers(-180, 24 * 60)) * MIN for _ in range(draw(st.integers(0, 4)))]
        for name in PLATFORMS
    }
    return requests, booked, policies, now


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_planned_time_obeys_every_rule(scenario: tuple[Any, ...]) -> None:
    requests, booked, policies, now = scenario
    outcomes = plan(requests, booked, policies, now)
    assert [o.request for o in outcomes] == requests
    for name, p in policies.items():
        mine = [o for o in outcomes if isinstance(o, Planned) and o.request.platform == name]
        everything = booked[name] + [o.at for o in mine]
        slots = set(slot_times(p, now, now + timedelta(days=15)))
        per_day = Counter(t.astimezone(p.tz).date() for t in everything)
        for o in mine:
            r = o.request
            assert o.at >= max(now, r.published, r.embargo or now)
            assert not is_quiet(p, o.at)
            assert all(abs(o.at - other) >= p.min_spacing for other in everything if other is not o.at)
            assert p.daily_cap == 0 or per_day[o.at.astimezone(p.tz).date()] <= p.daily_cap
            if r.priority is not BREAKING:
                assert o.at - p.stagger * r.order in slots
            if r.priority is not EVERGREEN:
                assert o.at - r.published <= p.expire_after
    assert not any(isinstance(o, Expired) and o.request.priority is EVERGREEN for o in outcomes)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(1, 5))
def test_evergreen_posts_never_delay_news(scenario: tuple[Any, ...], extra: int) -> None:
    requests, booked, policies, now = scenario
    news = [r for r in requests if r.priority is not EVERGREEN]
    features = [PostRequest(f"e{i}", PLATFORMS[i % 2], EVERGREEN, now - timedelta(days=3)) for i in range(extra)]
    assert plan(news + features, booked, policies, now)[: len(news)] == plan(news, booked, policies, now)


@hsettings(max_examples=40, deadline=None)
@given(
    expr=st.sampled_from(["*/15 7-22 * * *", "30 2 * * *", "0 9 * * mon-fri", "0,30 1-3 * * sun", "45 23 28-31 * *"]),
    tz=st.sampled_from([UTC, KYIV, NEW_YORK, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("America/Santiago")]),
    start_minutes=st.integers(0, 366 * 24 * 60),
    days=st.integers(0, 15),
    earliest_minutes=st.integers(-60, 16 * 24 * 60),
)
def test_slots_worked_out_as_asked_are_the_calendars_slots(
    expr: str, tz: ZoneInfo, start_minutes: int, days: int, earliest_minutes: int
) -> None:
    # Planning works a calendar's slots out in doubling spans as they are asked for (a preview needs one day's):
    # taken from any moment on, they must be exactly the slots of the whole horizon, across DST changes too.
    from bot.schedule import _Slots

    p = policy(slots=(expr,), tz=tz)
    start = datetime(2026, 1, 1, tzinfo=UTC) + start_minutes * MIN
    end = start + timedelta(days=days)
    earliest = start + earliest_minutes * MIN
    whole = slot_times(p, start, end)
    assert list(_Slots(p, start, end).since(earliest)) == [t for t in whole if t >= earliest]
    lazily = _Slots(p, start, end)
    assert list(lazily.since(start)) == whole and list(lazily.since(earliest)) == [t for t in whole if t >= earliest]
