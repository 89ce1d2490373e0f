"""What moderators and reporters read at a glance: priority marks on cards and in /queue, earlier
cases of this very post apart from others of its channel or sender, no empty on-duty line, the
typed-reason prompt that warns the reporter will read it, and outcomes that name what was
reported; in English and Indonesian."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sandbox import FakeTelegram
from tests.e2e.test_desk_life import (
    advance,
    decide,
    press,
    report,
    report_message,
    text_of,
)
from tests.factories import DUA, GROUP, MOD_ONE, MOD_TWO, SATU, FakeClock, World
from tests.harness import Harness, Started

CHANNEL = -1002000000099


@pytest.fixture
async def desk(
    started: Started, tg: FakeTelegram, cast: World, tmp_path: Path, clock: FakeClock
) -> Harness:
    return await started(Harness(tg, cast, tmp_path, clock=clock))


@pytest.fixture
async def indonesian(
    started: Started, tg: FakeTelegram, cast: World, tmp_path: Path, clock: FakeClock
) -> Harness:
    h = Harness(tg, cast, tmp_path, clock=clock, language="id", on_duty=f"[{MOD_TWO}]")
    return await started(h)


def first_line(h: Harness, case_id: int) -> str:
    return text_of(h.card(GROUP, case_id)).split("\n", 1)[0]


def line_with(h: Harness, case_id: int, start: str) -> str | None:
    found = [x for x in text_of(h.card(GROUP, case_id)).split("\n") if x.startswith(start)]
    return found[0] if found else None


# --- priority at a glance ----------------------------------------------------------------------


async def test_priority_marks_on_cards_and_in_the_queue(desk: Harness, clock: FakeClock) -> None:
    cases = {
        category: await report(desk, DUA, post, category)
        for post, category in enumerate(("other", "hoax", "radicalism", "terrorism"), start=1)
    }
    assert first_line(desk, cases["terrorism"]) == f"#{cases['terrorism']} · 🔴 P1 · Terrorism"
    assert first_line(desk, cases["radicalism"]) == f"#{cases['radicalism']} · 🟠 P2 · Radicalism"
    assert first_line(desk, cases["hoax"]).endswith(" · 🟡 P3 · Hoax / disinformation")
    assert first_line(desk, cases["other"]) == f"#{cases['other']} · ⚪ P4 · Other"

    desk.fake.send_message(MOD_ONE, GROUP, text="/queue")
    await desk.settle()
    lines = text_of(desk.fake.messages_in(GROUP)[-1]).split("\n")[1:]
    assert [line.split(" · ")[1] for line in lines] == ["🔴 P1", "🟠 P2", "🟡 P3", "⚪ P4"]


async def test_priority_marks_in_indonesian(indonesian: Harness) -> None:
    case_id = await report(indonesian, DUA, 1, "hate")
    assert first_line(indonesian, case_id) == f"#{case_id} · 🟠 P2 · Ujaran kebencian (SARA)"


# --- earlier cases: this same post, then the same channel or sender -----------------------------


async def test_the_same_post_reported_again_shows_its_outcome_apart(desk: Harness) -> None:
    first = await report(desk, SATU, 10, "terrorism")
    await decide(desk, first)
    other = await report(desk, DUA, 11, "terrorism")  # another post of @badnews
    await decide(desk, other, "d")
    again = await report(desk, DUA, 10, "terrorism")  # post 10 once more: a new case
    assert again not in (first, other)
    assert line_with(desk, again, "Same post, earlier cases:") == (
        f"Same post, earlier cases: #{first} taken down (terrorist propaganda)"
    )
    assert line_with(desk, again, "Same channel or sender") == (
        f"Same channel or sender, earlier cases: #{other} dismissed"
    )
    assert line_with(desk, other, "Same post") is None

    # A typed link to the same post is the same post.
    linked = await report_message(desk, SATU, "terrorism", text="https://t.me/badnews/11")
    assert line_with(desk, linked, "Same post, earlier cases:") == (
        f"Same post, earlier cases: #{other} dismissed (not illegal)"
    )


async def test_the_same_post_in_indonesian(indonesian: Harness) -> None:
    h = indonesian
    first = await report(h, SATU, 10, "terrorism")
    await press(h, MOD_ONE, first, f"v1:r:{first}:d:insufficient")
    again = await report(h, DUA, 10, "terrorism")
    assert line_with(h, again, "Unggahan yang sama") == (
        f"Unggahan yang sama, kasus sebelumnya: #{first} tidak ditindaklanjuti (bukti tidak cukup)"
    )
    third = await report(h, DUA, 12, "terrorism")
    assert line_with(h, third, "Kanal atau pengirim yang sama") == (
        f"Kanal atau pengirim yang sama, kasus sebelumnya: #{again} baru, #{first} tidak"
        " ditindaklanjuti"
    )


# --- on duty -----------------------------------------------------------------------------------


async def test_nobody_on_duty_means_no_on_duty_line(desk: Harness, clock: FakeClock) -> None:
    case_id = await report(desk, DUA, 1, "terrorism")
    await advance(desk, clock, 16)
    await press(desk, MOD_ONE, case_id, f"v1:e:{case_id}")
    await press(desk, MOD_ONE, case_id, f"v1:s:{case_id}")
    told = [t for t in desk.texts_to(GROUP) if t.startswith(("⏰", "⬆️"))]
    assert told == [
        f"⏰ #{case_id} (Terrorism) is overdue: no first action within 15 min.",
        f"⬆️ Case #{case_id} was escalated.",
    ]
    assert not any("On duty" in t or "—" in t for t in desk.texts_to(GROUP))


async def test_on_duty_moderators_are_mentioned_in_indonesian(
    indonesian: Harness, tg: FakeTelegram, clock: FakeClock
) -> None:
    h = indonesian
    case_id = await report(h, DUA, 1, "terrorism")
    await advance(h, clock, 16)
    await press(h, MOD_ONE, case_id, f"v1:e:{case_id}")
    await press(h, MOD_ONE, case_id, f"v1:s:{case_id}")
    told = [m for m in tg.messages_in(GROUP) if text_of(m).startswith(("⏰", "⬆️"))]
    assert [text_of(m) for m in told] == [
        f"⏰ #{case_id} (Terorisme) terlambat: belum ada tindakan pertama dalam 15 menit.\n"
        f"Petugas jaga: {MOD_TWO}",
        f"⬆️ Kasus #{case_id} dieskalasi.\nPetugas jaga: {MOD_TWO}",
    ]
    for message in told:
        assert [e["user"]["id"] for e in message["entities"] if "user" in e] == [MOD_TWO]


# --- the typed reason goes to the reporter ------------------------------------------------------


def prompt_text(h: Harness, case_id: int) -> str:
    return [t for t in h.texts_to(GROUP) if f"#{case_id}" in t and "Mod One" in t][-1]


async def test_the_typed_reason_prompt_says_the_reporter_reads_it(desk: Harness) -> None:
    case_id = await report(desk, DUA, 1, "fraud")
    await press(desk, MOD_ONE, case_id, f"v1:d:{case_id}")
    await press(desk, MOD_ONE, case_id, f"v1:f:{case_id}:d")
    assert prompt_text(desk, case_id) == (
        f"Mod One, reply to this message with the reason for dismissing #{case_id}. The reporter"
        " reads it word for word: put internal remarks in a note (a reply to the card) instead."
    )


async def test_the_typed_reason_prompt_in_indonesian(indonesian: Harness) -> None:
    case_id = await report(indonesian, DUA, 1, "fraud")
    await press(indonesian, MOD_ONE, case_id, f"v1:t:{case_id}")
    await press(indonesian, MOD_ONE, case_id, f"v1:f:{case_id}:t")
    assert prompt_text(indonesian, case_id).endswith(
        "Pelapor akan membaca alasan ini persis seperti yang Anda tulis; tuliskan catatan internal"
        " sebagai balasan pada kartu."
    )


# --- the outcome names what was reported --------------------------------------------------------


async def test_the_outcome_names_what_each_reporter_reported(desk: Harness) -> None:
    case_id = await report(desk, SATU, 77, "terrorism")
    linked = await report_message(desk, DUA, "terrorism", text="see https://t.me/badnews/77")
    assert linked == case_id
    await decide(desk, case_id)
    assert "\nYang Anda laporkan: «Bad News» https://t.me/badnews/77\n" in desk.texts_to(SATU)[-1]
    assert "\nWhat you reported: https://t.me/badnews/77\n" in desk.texts_to(DUA)[-1]


async def test_the_outcome_clips_a_long_title_and_escapes_it(
    desk: Harness, tg: FakeTelegram
) -> None:
    channel = tg.add_channel(CHANNEL, "<b>Berita</b> " + "panjang " * 40)
    case_id = await report(desk, DUA, 5, "fraud", channel=channel)
    await decide(desk, case_id, "d")
    told = [m for m in tg.messages_in(DUA) if f"#{case_id}" in text_of(m)][-1]
    line = text_of(told).split("\n")[1]
    assert line.startswith("What you reported: «<b>Berita</b> panjang panjang")
    assert "…» https://t.me/c/2000000099/5" in line and len(line) < 130
    assert not [e for e in told.get("entities", []) if e["type"] == "bold" and e["offset"] > 40]


async def test_the_outcome_names_a_reporters_own_screenshot(desk: Harness) -> None:
    case_id = await report_message(desk, DUA, "fraud", photo=True, caption=None)
    await decide(desk, case_id, "d")
    assert "\nWhat you reported: your own message\n" in desk.texts_to(DUA)[-1]
    # Typed text is evidence when it holds a link (without one it would be a remark).
    own = await report_message(
        desk, SATU, "fraud", text="Transfer dulu ke https://untung.example, pasti untung"
    )
    await decide(desk, own, "d")
    told = desk.texts_to(SATU)[-1]
    assert "\nYang Anda laporkan: «Transfer dulu ke https://untung.example, pasti untung»\n" in told
