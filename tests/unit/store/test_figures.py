"""Statistics computed in SQL over case facts the desk recorded on a fake clock: exact counts,
medians, 90th percentiles and shares within target; flagger quality; periods in a time zone."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from bot.config import Config
from bot.desk import Desk
from bot.domain.figures import MEDIAN, P90, DecisionCount, Share, Spread, percentile, rank
from bot.domain.lifecycle import Action
from bot.domain.models import Person
from bot.domain.periods import Period, parse_period
from bot.render.callback_data import CaseAction
from bot.store import Store
from bot.store.figures import period_figures
from bot.store.quality import flagger_quality
from bot.store.reading import reading
from tests.factories import GROUP, FakeClock
from tests.unit.desk.test_desk import DUA_P, MOD1, SATU_P, act, channel_post

MINUTE = 60.0
UTC = ZoneInfo("UTC")


def minutes(spread: Spread) -> tuple[int, float | None, float | None]:
    """A spread in whole minutes (to six places), for exact comparisons."""

    def rounded(seconds: float | None) -> float | None:
        return None if seconds is None else round(seconds / MINUTE, 6)

    return spread.count, rounded(spread.median), rounded(spread.p90)


def targets(config: Config) -> dict[str, tuple[float, float]]:
    return {
        key: (c.targets.first_action_min * MINUTE, c.targets.decision_min * MINUTE)
        for key, c in config.categories.items()
    }


class Scenario:
    """Cases reported one after another, each acted on at minutes after its report."""

    def __init__(self, desk: Desk, clock: FakeClock) -> None:
        self.desk = desk
        self.clock = clock
        self.next_message = 100

    async def case(
        self, who: Person, category: str, *steps: tuple[float, Action], gap: float = 5
    ) -> int:
        self.next_message += 2
        post = self.next_message
        await self.desk.intake.receive(who, channel_post(who.id, post, post_id=post))
        outcome = await self.desk.intake.report(who, who.id, post + 1, category)
        assert outcome.case_id is not None
        elapsed = 0.0
        for at, action in steps:
            self.clock.advance((at - elapsed) * MINUTE)
            elapsed = at
            await act(self.desk, MOD1, outcome.case_id, action)
        self.clock.advance(gap * MINUTE)
        return outcome.case_id


@pytest.fixture
async def scenario(desk: Desk, clock: FakeClock) -> Scenario:
    s = Scenario(desk, clock)
    await s.case(SATU_P, "terrorism", (10, Action.CLAIM), (40, Action.TAKE_DOWN))
    await s.case(DUA_P, "terrorism", (20, Action.CLAIM), (90, Action.TAKE_DOWN))
    await s.case(SATU_P, "terrorism", (30, Action.TAKE_DOWN))
    await s.case(DUA_P, "hoax", (100, Action.DISMISS))
    await s.case(SATU_P, "hoax")
    return s


def today(clock: FakeClock) -> Period:
    period = parse_period("1d", clock.now, UTC)
    assert period is not None
    return period


def test_percentiles_interpolate_between_the_nearest_ranks() -> None:
    values = [10.0, 20.0, 30.0, 100.0]
    at = dict(enumerate(values))
    assert percentile(at, 4, MEDIAN) == 25.0
    assert percentile(at, 4, P90) == pytest.approx(79.0)
    assert percentile({0: 7.0}, 1, P90) == 7.0
    assert percentile({}, 0, MEDIAN) is None
    assert rank(11, P90) == (9, Fraction(0))


async def test_a_day_of_cases_in_figures(
    scenario: Scenario, store: Store, config: Config, clock: FakeClock
) -> None:
    with reading(store.path) as db:
        figures = period_figures(db, today(clock), targets(config), clock.now)
    total = figures.total
    assert (total.cases, total.decisions) == (5, 4)
    assert minutes(total.to_first_action) == (4, 25.0, 79.0)
    assert minutes(total.to_decision) == (4, 65.0, 97.0)
    by_category = {g.key: g for g in figures.by_category}
    terrorism = by_category["terrorism"]
    assert minutes(terrorism.to_first_action) == (3, 20.0, 28.0)
    assert minutes(terrorism.to_decision) == (3, 40.0, 80.0)
    assert terrorism.first_action_in_target == Share(1, 3)  # 10 min of 15; not 20, not 30
    assert terrorism.decision_in_target == Share(2, 3)  # 40 and 30 of 60; not 90
    disinformation = by_category["disinformation"]
    assert (disinformation.cases, disinformation.decisions) == (2, 1)
    assert disinformation.decision_in_target == Share(1, 1)
    by_org = {g.key: g for g in figures.by_organization}
    assert (by_org["Kominfo"].cases, by_org["BNPT"].cases) == (3, 2)
    assert minutes(by_org["BNPT"].to_decision) == (2, 95.0, 99.0)
    assert figures.by_state == {"taken_down": 3, "dismissed": 1, "new": 1}
    assert figures.decisions == [
        DecisionCount("taken_down", "propaganda", 3),
        DecisionCount("dismissed", "not_illegal", 1),
    ]
    assert figures.reopened == 0
    assert sum(sum(c.values()) for _, c in figures.per_bucket) == 5
    assert figures.past_target_now == {}  # the open hoax is 5 minutes old


async def test_open_cases_past_target_now_and_a_reopen_counts_a_second_decision(
    scenario: Scenario, desk: Desk, store: Store, config: Config, clock: FakeClock
) -> None:
    clock.advance(300 * MINUTE)  # the open hoax passes its first-action target (240 min)
    await desk.moderation.press(MOD1, GROUP, CaseAction(Action.REOPEN, 1))
    clock.advance(6 * MINUTE)
    await act(desk, MOD1, 1, Action.DISMISS)
    with reading(store.path) as db:
        figures = period_figures(db, today(clock), targets(config), clock.now)
    assert (figures.total.cases, figures.total.decisions, figures.reopened) == (5, 5, 1)
    assert figures.by_state["dismissed"] == 2
    assert figures.past_target_now == {"disinformation": 1}
    terrorism = next(g for g in figures.by_category if g.key == "terrorism")
    assert terrorism.to_decision.count == 4  # the reopen's decision, timed from the reopen
    assert terrorism.to_decision.median == 35 * MINUTE  # of 6, 30, 40, 90 minutes


async def test_an_empty_period_has_no_figures(
    scenario: Scenario, store: Store, config: Config, clock: FakeClock
) -> None:
    period = parse_period("2020-01", clock.now, UTC)
    assert period is not None
    with reading(store.path) as db:
        figures = period_figures(db, period, targets(config), clock.now)
    assert figures.empty and figures.by_category == [] and figures.per_bucket == []


async def test_flagger_quality_per_organization_and_reporter(
    scenario: Scenario, store: Store, clock: FakeClock
) -> None:
    with reading(store.path) as db:
        quality = flagger_quality(db, today(clock))
    by_org = {q.key: q for q in quality.by_organization}
    kominfo, bnpt = by_org["Kominfo"], by_org["BNPT"]
    assert (kominfo.reports, kominfo.decided, kominfo.taken_down, kominfo.dismissed) == (3, 2, 2, 0)
    assert (bnpt.reports, bnpt.decided, bnpt.taken_down, bnpt.dismissed) == (2, 2, 1, 1)
    assert bnpt.dismissed_by_reason == {"not_illegal": 1}
    assert bnpt.taken_down_share.percent == 50.0
    assert kominfo.to_decision.median == 35 * MINUTE
    assert [(q.key, q.organization, q.reports) for q in quality.by_reporter] == [
        ("Liaison Satu", "Kominfo", 3),
        ("Liaison Dua", "BNPT", 2),
    ]


def test_periods_are_local_days_and_months() -> None:
    jakarta = ZoneInfo("Asia/Jakarta")
    # 2027-01-15 08:00 UTC is 15:00 in Jakarta (UTC+7)
    now = 1_800_000_000.0
    week = parse_period("7d", now, jakarta)
    assert week is not None
    assert (week.first, week.last, week.days) == (date(2027, 1, 9), date(2027, 1, 15), 7)
    assert week.start == date_start(2027, 1, 9) - 7 * 3600
    month = parse_period("2026-02", now, jakarta)
    assert month is not None and (month.first, month.last) == (date(2026, 2, 1), date(2026, 2, 28))
    assert len(month.buckets()) == 28
    year = parse_period("2026", now, jakarta)
    assert year is not None and [b.label for b in year.buckets()][:2] == ["2026-01", "2026-02"]
    assert len(year.months()) == 12
    for bad in ("0d", "400d", "2026-13", "yesterday", "2026-1", "#5"):
        assert parse_period(bad, now, jakarta) is None, bad
    assert parse_period("", now, jakarta) == parse_period("30d", now, jakarta)


def test_a_day_in_a_zone_that_changes_its_clocks_is_23_hours_long() -> None:
    brussels = ZoneInfo("Europe/Brussels")
    period = parse_period("2026-03", 1_800_000_000.0, brussels)
    assert period is not None
    lengths = {b.label: b.end - b.start for b in period.buckets()}
    assert lengths["2026-03-29"] == 23 * 3600
    assert lengths["2026-03-28"] == 24 * 3600


def date_start(year: int, month: int, day: int) -> float:
    from datetime import datetime

    return datetime(year, month, day, tzinfo=UTC).timestamp()
