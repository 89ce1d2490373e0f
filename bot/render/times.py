"""How times are written: in the desk's configured zone, with the zone's abbreviation (WIB, CET,
UTC), so a Jakarta desk never has to convert "19:03 UTC" into tomorrow morning."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from bot.render.i18n import plain


def local(timestamp: float, zone: tzinfo) -> datetime:
    return datetime.fromtimestamp(timestamp, zone)


def zone_abbreviation(timestamp: float, zone: tzinfo) -> str:
    """What the zone is called at that moment: `WIB`, `CEST`, `UTC`, or an offset (`+04`) for
    zones without a name."""
    return local(timestamp, zone).strftime("%Z")


def full_time(timestamp: float, zone: tzinfo) -> str:
    """`2026-11-02 19:03 WIB`: a date any reader parses the same way, and the zone named."""
    return local(timestamp, zone).strftime("%Y-%m-%d %H:%M %Z")


def day_and_month(day: date, language: str) -> str:
    """`2 Nov` (`2 Agu` in Indonesian): short, and no reader swaps day and month."""
    months = plain(language, "time.months").split()
    return f"{day.day} {months[day.month - 1]}"


def history_time(
    timestamp: float, zone: tzinfo, language: str, *, anchor: float, now: float | None
) -> str:
    """The time of a history line: `19:03` when it falls on the day of `anchor` (the card's
    received time, written in full above it) and that day is today; `2 Nov 19:03` otherwise.

    So an undated line is always on the anchor's day, however long the card stays unedited, and a
    line from another day than today always carries its date. `now=None` (render time unknown)
    dates every line that is not on the anchor's day."""
    moment = local(timestamp, zone)
    day = moment.date()
    today = local(now, zone).date() if now is not None else day
    if day == local(anchor, zone).date() and day == today:
        return moment.strftime("%H:%M")
    return f"{day_and_month(day, language)} {moment.strftime('%H:%M')}"
