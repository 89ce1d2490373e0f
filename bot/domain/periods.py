"""Periods of statistics, exports and reports: days and months in the configured time zone.

A period counts the cases first reported within it. `7d` is today and the six days before,
`YYYY-MM` a calendar month, `YYYY` a calendar year; a period's bounds are local midnights, so a
day is 23 or 25 hours long where the zone changes its clocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_PERIOD = "30d"
MAX_DAYS = 366
# Up to this many days a chart shows one bar a day; beyond, one a month.
DAILY_UP_TO = 62

_DAYS = re.compile(r"([1-9][0-9]{0,2})d")
_MONTH = re.compile(r"(20[0-9]{2})-(0[1-9]|1[0-2])")
_YEAR = re.compile(r"(20[0-9]{2})")


def midnight(day: date, zone: ZoneInfo) -> float:
    """The moment a local day starts, as a Unix time."""
    return datetime.combine(day, time(0), tzinfo=zone).timestamp()


def local_date(timestamp: float, zone: ZoneInfo) -> date:
    return datetime.fromtimestamp(timestamp, zone).date()


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


@dataclass(frozen=True)
class Bucket:
    """One bar of a chart: a day or a month."""

    label: str
    start: float
    end: float


@dataclass(frozen=True)
class Period:
    """Local days `first` to `last` (both included) in `zone`."""

    first: date
    last: date
    zone: ZoneInfo
    name: str  # as asked: "7d", "2026-11", "2026", or the dates

    @property
    def start(self) -> float:
        return midnight(self.first, self.zone)

    @property
    def end(self) -> float:
        """The first moment after the period (exclusive)."""
        return midnight(self.last + timedelta(days=1), self.zone)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def describe(self) -> str:
        """`2026-11-01 – 2026-11-30 (Asia/Jakarta)`."""
        return f"{self.first.isoformat()} – {self.last.isoformat()} ({self.zone.key})"

    def buckets(self) -> list[Bucket]:
        """The period's days, or its months when it is longer than DAILY_UP_TO days."""
        out: list[Bucket] = []
        day = self.first
        while day <= self.last:
            if self.days <= DAILY_UP_TO:
                following = day + timedelta(days=1)
                label = day.isoformat()
            else:
                following = min(_next_month(day), self.last + timedelta(days=1))
                label = day.strftime("%Y-%m")
            out.append(Bucket(label, midnight(day, self.zone), midnight(following, self.zone)))
            day = following
        return out

    def months(self) -> list[Period]:
        """The period cut at month boundaries (for an export split by month)."""
        out: list[Period] = []
        day = self.first
        while day <= self.last:
            last = min(_next_month(day) - timedelta(days=1), self.last)
            out.append(Period(day, last, self.zone, day.strftime("%Y-%m")))
            day = last + timedelta(days=1)
        return out


def parse_period(text: str, now: float, zone: ZoneInfo) -> Period | None:
    """`Nd`, `YYYY-MM` or `YYYY` (empty: the default); None for anything else."""
    word = text.strip().lower() or DEFAULT_PERIOD
    today = local_date(now, zone)
    if match := _DAYS.fullmatch(word):
        count = int(match[1])
        if count > MAX_DAYS:
            return None
        return Period(today - timedelta(days=count - 1), today, zone, word)
    if match := _MONTH.fullmatch(word):
        first = date(int(match[1]), int(match[2]), 1)
        return Period(first, _next_month(first) - timedelta(days=1), zone, word)
    if match := _YEAR.fullmatch(word):
        year = int(match[1])
        return Period(date(year, 1, 1), date(year, 12, 31), zone, word)
    return None


def between(since: date | None, until: date | None, now: float, zone: ZoneInfo) -> Period:
    """From `since` to `until`, both included; open ends mean the first case and today."""
    first = since or date(2000, 1, 1)
    last = until or local_date(now, zone)
    return Period(first, last, zone, f"{first.isoformat()}..{last.isoformat()}")
