"""Times in the desk's zone with its abbreviation; history lines dated unless they fall on the
received day and that day is today; durations in each language; priority and overdue marks;
history across summer time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.domain.models import Event
from bot.domain.vocabulary import EventKind
from bot.render.cards import render_card
from bot.render.labels import overdue_detail, overdue_label, priority_mark
from bot.render.stats import duration
from bot.render.text import format_age
from bot.render.times import day_and_month, full_time, history_time, zone_abbreviation
from tests.unit.render.test_render import make_case, make_view

JAKARTA = ZoneInfo("Asia/Jakarta")
BERLIN = ZoneInfo("Europe/Berlin")


def at(year: int, month: int, day: int, hour: int, minute: int) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()


def test_full_times_name_the_zone() -> None:
    moment = at(2026, 11, 2, 19, 3)
    assert full_time(moment, JAKARTA) == "2026-11-03 02:03 WIB"
    assert full_time(moment, ZoneInfo("UTC")) == "2026-11-02 19:03 UTC"
    assert full_time(at(2026, 7, 1, 10, 0), BERLIN) == "2026-07-01 12:00 CEST"
    assert zone_abbreviation(moment, ZoneInfo("Asia/Dubai")) == "+04"


def test_durations_in_each_language() -> None:
    """English stays compact; Indonesian spells the units, since `2h05m` would read as *2 hari*
    (days) to an Indonesian reader."""
    spans = [
        None,
        45.0,
        12 * 60.0,
        3600.0,
        65 * 60.0,
        47 * 3600 + 59 * 60.0,
        48 * 3600.0,
        51 * 3600.0,
    ]
    assert [duration(s, "en") for s in spans] == [
        "—",
        "45s",
        "12m",
        "1h00m",
        "1h05m",
        "47h59m",
        "2d0h",
        "2d3h",
    ]
    assert [duration(s, "id") for s in spans] == [
        "—",
        "45 detik",
        "12 menit",
        "1 jam",
        "1 jam 5 menit",
        "47 jam 59 menit",
        "2 hari",
        "2 hari 3 jam",
    ]
    assert format_age(-5.0, "id") == "0 menit"
    assert format_age(16 * 60.0, "en") == "16m"


def test_months_in_each_language() -> None:
    day = datetime(2026, 8, 17).date()
    assert day_and_month(day, "en") == "17 Aug"
    assert day_and_month(day, "id") == "17 Agu"
    assert [day_and_month(day.replace(month=m), "id").split()[1] for m in (5, 10, 12)] == [
        "Mei",
        "Okt",
        "Des",
    ]


def test_a_history_line_is_dated_unless_on_the_received_day_which_is_today() -> None:
    received = at(2026, 11, 2, 9, 0)  # 16:00 WIB on the 2nd
    evening = at(2026, 11, 2, 15, 0)  # 22:00 WIB on the 2nd
    next_day = at(2026, 11, 2, 18, 0)  # 01:00 WIB on the 3rd
    same = {"anchor": received}
    assert history_time(evening, JAKARTA, "en", now=evening, **same) == "22:00"
    assert history_time(next_day, JAKARTA, "en", now=next_day, **same) == "3 Nov 01:00"
    # Read the next day, even a line of the received day carries its date.
    assert history_time(evening, JAKARTA, "en", now=next_day, **same) == "2 Nov 22:00"
    # When the render time is unknown, only lines off the received day are dated.
    assert history_time(evening, JAKARTA, "id", now=None, **same) == "22:00"
    assert history_time(next_day, JAKARTA, "id", now=None, **same) == "3 Nov 01:00"


def test_a_card_across_the_change_to_summer_time_names_the_other_zone(config: Config) -> None:
    berlin = config.model_copy(update={"timezone": "Europe/Berlin"})
    received = at(2027, 3, 27, 12, 0)  # 13:00 CET
    claimed = at(2027, 3, 28, 9, 0)  # 11:00 CEST
    case = make_case(created_at=received, clock_start=received)
    view = make_view(case)
    claim = Event(2, case.id, claimed, 111111, "Mod One", EventKind.CLAIMED, None)
    view = replace(view, events=[*view.events, claim], as_of=claimed)
    text = render_card(view, berlin).text
    assert "<b>Received:</b> 2027-03-27 13:00 CET" in text
    assert text.split("<b>History</b> (CEST):\n", 1)[1].split("\n") == [
        "27 Mar 13:00 CET reported by Liaison Satu",
        "28 Mar 11:00 claimed by Mod One",
    ]


def test_priority_marks() -> None:
    assert [priority_mark(p) for p in (1, 2, 3, 4, 9)] == [
        "🔴 P1",
        "🟠 P2",
        "🟡 P3",
        "⚪ P4",
        "⚪ P9",
    ]


def test_overdue_marks_in_the_readers_language_and_older_ones_as_stored() -> None:
    assert overdue_label(overdue_detail("first", 15), "en") == "first action · 15 min"
    assert overdue_label(overdue_detail("decision", 60), "id") == "keputusan · 60 menit"
    assert overdue_label("first action · 15 min", "id") == "first action · 15 min"
