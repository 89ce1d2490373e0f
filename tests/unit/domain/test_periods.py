"""Periods are local days and months; percentiles interpolate between ranks."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

from bot.domain.figures import MEDIAN, P90, percentile
from bot.domain.periods import parse_period

JAKARTA = ZoneInfo("Asia/Jakarta")


def test_seven_days_are_today_and_the_six_before_in_the_desks_zone() -> None:
    # 20:00 UTC on 30 Nov is already 1 Dec in Jakarta.
    now = datetime(2026, 11, 30, 20, 0, tzinfo=ZoneInfo("UTC")).timestamp()
    period = parse_period("7d", now, JAKARTA)
    assert period is not None
    assert (period.first, period.last) == (date(2026, 11, 25), date(2026, 12, 1))
    assert period.start == datetime(2026, 11, 25, tzinfo=JAKARTA).timestamp()


def test_a_month_is_its_calendar_month() -> None:
    period = parse_period("2026-02", 0.0, JAKARTA)
    assert period is not None
    assert (period.first, period.last) == (date(2026, 2, 1), date(2026, 2, 28))


def test_nonsense_is_no_period() -> None:
    for text in ("yesterday", "2026-13", "0d", "1999"):
        assert parse_period(text, 0.0, JAKARTA) is None, text


def test_percentiles_interpolate_between_ranks() -> None:
    values = dict(enumerate([10.0, 20.0, 30.0, 40.0]))
    assert percentile(values, 4, MEDIAN) == 25.0
    assert percentile(values, 4, P90) == 37.0
    assert percentile(values, 4, Fraction(0)) == 10.0
    assert percentile({}, 0, MEDIAN) is None
