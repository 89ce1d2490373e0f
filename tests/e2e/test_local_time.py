"""Every time shown in the desk's `timezone`, with its abbreviation: cards (received time, history
with dates on lines that are not today), what reporters are told (outcome, /status, /mycases),
/case's timeline; in both languages, and a reload switches the zone at once.

The FakeClock starts at 2027-01-15 08:00 UTC: 15:00 WIB in Jakarta (UTC+7).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sandbox import FakeTelegram
from tests.e2e.test_desk_life import advance, decide, press, report, text_of
from tests.factories import DUA, GROUP, MOD_ONE, SATU, FakeClock, World
from tests.harness import Harness, Started

JAKARTA = "timezone: Asia/Jakarta\n"
HOUR = 60.0


def history(card: str, heading: str) -> list[str]:
    """The card's history lines, below its heading (which names the zone)."""
    assert heading in card, card
    return card.split(heading + "\n", 1)[1].split("\n")


@pytest.fixture
async def jakarta(
    started: Started, tg: FakeTelegram, cast: World, tmp_path: Path, clock: FakeClock
) -> Harness:
    return await started(Harness(tg, cast, tmp_path, clock=clock, extra_config=JAKARTA))


async def test_a_card_shows_jakarta_time_and_dates_lines_from_another_day(
    jakarta: Harness, clock: FakeClock
) -> None:
    case_id = await report(jakarta, DUA, 1, "fraud")
    card = text_of(jakarta.card(GROUP, case_id))
    assert "Received: 2027-01-15 15:00 WIB" in card, card
    assert "UTC" not in card
    assert history(card, "History (WIB):") == ["15:00 reported by Liaison Dua"]

    # Ten hours on it is 01:00 WIB on the 16th (18:00 UTC on the 15th): both lines are dated.
    await advance(jakarta, clock, 10 * HOUR)
    await press(jakarta, MOD_ONE, case_id, f"v1:c:{case_id}")
    lines = history(text_of(jakarta.card(GROUP, case_id)), "History (WIB):")
    assert lines[0] == "15 Jan 15:00 reported by Liaison Dua"
    assert lines[-1].startswith("16 Jan 01:0") and lines[-1].endswith("claimed by Mod One")


async def test_reporters_read_jakarta_time_in_their_language(
    jakarta: Harness, clock: FakeClock
) -> None:
    case_id = await report(jakarta, DUA, 7, "terrorism")
    assert await report(jakarta, SATU, 7, "terrorism") == case_id
    await advance(jakarta, clock, 9.5 * HOUR)  # 00:30 WIB on the 16th
    await decide(jakarta, case_id)
    dua, satu = jakarta.texts_to(DUA)[-1], jakarta.texts_to(SATU)[-1]
    assert "Decided: 2027-01-16 00:3" in dua and dua.split("Decided: ")[1][:20].endswith(" WIB")
    assert "Diputuskan: 2027-01-16 00:3" in satu and "WIB" in satu and "UTC" not in satu

    jakarta.fake.send_message(SATU, text=f"/status {case_id}")
    jakarta.fake.send_message(DUA, text="/mycases")
    await jakarta.settle()
    assert "Diterima 2027-01-15 15:00 WIB." in jakarta.texts_to(SATU)[-1]
    assert jakarta.texts_to(DUA)[-1].endswith(" · 2027-01-15 15:00 WIB")

    jakarta.fake.send_message(MOD_ONE, GROUP, text=f"/case {case_id}")
    await jakarta.settle()
    timeline = [t for t in jakarta.texts_to(GROUP) if t.startswith(f"⏱ Timeline of #{case_id}")]
    assert "Reported 2027-01-15 15:00 WIB by Liaison Dua (BNPT)" in timeline[-1]


async def test_an_indonesian_card_names_days_and_minutes_in_indonesian(
    started: Started, tg: FakeTelegram, cast: World, tmp_path: Path
) -> None:
    clock = FakeClock(start=1_818_435_000.0)  # 2027-08-16 16:50 UTC: 23:50 WIB
    # moderator space reads Indonesian
    h = Harness(tg, cast, tmp_path, clock=clock, extra_config=JAKARTA, language="id")
    await started(h)
    case_id = await report(h, DUA, 1)
    card = text_of(h.card(GROUP, case_id))
    assert "Diterima: 2027-08-16 23:50 WIB" in card, card
    assert history(card, "Riwayat (WIB):") == ["23:50 dilaporkan oleh Liaison Dua"]

    await advance(h, clock, 16)  # past the first-action target, into the 17th
    [alarm] = [t for t in h.texts_to(GROUP) if t.startswith("⏰")]
    assert alarm == (
        f"⏰ #{case_id} (Terorisme) terlambat: belum ada tindakan pertama dalam 15 menit."
    )
    card = text_of(h.card(GROUP, case_id))
    assert "Terlambat: tindakan pertama · 15 menit" in card, card
    assert " min" not in card
    assert history(card, "Riwayat (WIB):") == [
        "16 Agu 23:50 dilaporkan oleh Liaison Dua",
        "17 Agu 00:06 terlambat: tindakan pertama · 15 menit",
    ]


async def test_a_reload_switches_the_zone_at_once(harness: Harness, tg: FakeTelegram) -> None:
    case_id = await report(harness, DUA, 1, "fraud")
    assert "UTC" in text_of(harness.card(GROUP, case_id))
    harness.config_path.write_text(
        harness.config_path.read_text("utf-8") + "timezone: Asia/Jakarta\n", "utf-8"
    )
    tg.send_message(MOD_ONE, text="/reload")
    await tg.wait_for(lambda: "Reloaded" in harness.texts_to(MOD_ONE)[-1], timeout=10)
    await press(harness, MOD_ONE, case_id, f"v1:c:{case_id}")
    card = text_of(harness.card(GROUP, case_id))
    assert "WIB" in card and "UTC" not in card and "History (WIB):" in card, card
