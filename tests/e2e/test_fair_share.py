"""One reporter cannot crowd out the rest: new cases are visible before evidence is spent,
evidence replies to its card up to a budget (the rest on demand), limits answer once with what
was not taken, a flood takes turns with everyone else, chatter is a note, strangers are answered
once a day."""

from __future__ import annotations

import re
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, Protocol

import pytest

from bot.sandbox import FakeTelegram
from tests.factories import (
    DUA,
    GROUP,
    MOD_ONE,
    SATU,
    STRANGER,
    FakeClock,
    World,
    origin_channel,
)
from tests.harness import Harness, Started

JSONDict = dict[str, Any]


class StartDesk(Protocol):
    """The `desk` fixture: starts a desk with these intake settings, on this clock if given."""

    def __call__(self, intake: str, clock: FakeClock | None = None) -> Awaitable[Harness]: ...


def visible(tg: FakeTelegram) -> dict[int, int]:
    """Case number -> position in the group's messages where it first became visible (a card,
    or a digest line with its own button)."""
    shown: dict[int, int] = {}
    for position, message in enumerate(tg.messages_in(GROUP)):
        text = message.get("text") or ""
        for line in text.split("\n"):
            if match := re.match(r"#(\d+) · ", line):
                number = int(match[1])
                posts = (message.get("reply_markup") or {}).get("inline_keyboard", [])
                buttons = {b.get("callback_data") for row in posts for b in row}
                first_line = line == text.split("\n")[0]
                if first_line or f"v1:p:{number}" in buttons:
                    shown.setdefault(number, position)
    return shown


def evidence_positions(tg: FakeTelegram, case_card: int) -> list[int]:
    """Positions of messages in the group that reply to a given card."""
    return [
        position
        for position, message in enumerate(tg.messages_in(GROUP))
        if (message.get("reply_to_message") or {}).get("message_id") == case_card
    ]


@pytest.fixture
def desk(started: Started, tg: FakeTelegram, cast: World, tmp_path: Path) -> StartDesk:
    """Start a desk with these intake settings (on this clock); it is closed when the test
    ends."""

    def start(intake: str, clock: FakeClock | None = None) -> Awaitable[Harness]:
        return started(Harness(tg, cast, tmp_path, clock=clock, extra_config=f"intake:\n{intake}"))

    return start


async def test_a_new_case_is_visible_before_more_evidence_of_a_big_report(
    desk: StartDesk, tg: FakeTelegram, cast: World
) -> None:
    harness = await desk("  evidence_auto: 40\n", FakeClock())
    cast.forward_channel_posts(DUA, cast.bad_news, 1000, 200)
    tg.send_message(DUA, text="/report other")
    # The group's budget runs out: the big card and part of its evidence are posted.
    await tg.wait_for(lambda: len(tg.messages_in(GROUP)) >= 14, timeout=120)
    before = len(tg.messages_in(GROUP))
    cast.forward_channel_post(SATU, cast.secret_cell, 7, text="attack plan")
    tg.send_message(SATU, text="/report terrorism")
    await tg.wait_for(lambda: 2 in visible(tg), timeout=60)
    await harness.settle(seconds=180)
    await harness.stop()
    shown = visible(tg)
    big_card = harness.card(GROUP, 1)["message_id"]
    after = [p for p in evidence_positions(tg, big_card) if p >= before]
    assert after, "more of the big case's evidence followed"
    assert shown[2] < min(after), "the terrorism case became visible first"


async def test_evidence_replies_to_its_card_up_to_its_budget_and_more_on_demand(
    desk: StartDesk, tg: FakeTelegram, cast: World
) -> None:
    harness = await desk("  evidence_auto: 10\n", FakeClock())
    await evidence_on_demand(harness, tg, cast)
    await harness.stop()


async def evidence_on_demand(harness: Harness, tg: FakeTelegram, cast: World) -> None:
    hidden_link = {"type": "text_link", "offset": 0, "length": 4, "url": "https://bad.example"}
    album = f"album-{DUA}-1"
    for index in range(3):
        tg.send_message(
            DUA,
            forward_origin=origin_channel(cast.secret_cell, 50 + index),
            photo=True,
            caption="Join here" if index == 0 else None,
            media_group_id=album,
            entities=[hidden_link] if index == 0 else None,
        )
    cast.forward_channel_posts(DUA, cast.bad_news, 60, 12)
    tg.send_message(DUA, text="/report terrorism")
    card = await tg.wait_for(lambda: harness.card(GROUP, 1), timeout=30)
    await harness.settle(seconds=60)
    replies = [
        m
        for m in tg.messages_in(GROUP)
        if (m.get("reply_to_message") or {}).get("message_id") == card["message_id"]
    ]
    # The album, whole, as a reply, caption and hidden link kept; then singles up to 10.
    photos = [m for m in replies if "photo" in m]
    assert len(photos) == 3 and len({m.get("media_group_id") for m in photos}) == 1
    [captioned] = [m for m in photos if m.get("caption")]
    assert captioned["caption"] == "Join here"
    assert any(e["type"] == "text_link" for e in captioned.get("caption_entities", []))
    assert len(replies) == 10
    card = harness.card(GROUP, 1)
    assert "15 item(s), 10 copied below; 5 more on request" in card["text"]
    more = harness.button(card, "v1:m:")
    tg.press(MOD_ONE, GROUP, card["message_id"], more)
    await harness.settle(seconds=60)
    replies = [
        m
        for m in tg.messages_in(GROUP)
        if (m.get("reply_to_message") or {}).get("message_id") == card["message_id"]
    ]
    assert len(replies) == 15
    card = harness.card(GROUP, 1)
    assert "15 item(s), 15 copied below" in card["text"]
    assert "v1:m:" not in str(card.get("reply_markup"))


async def test_a_full_draft_refuses_the_rest_with_one_message(
    desk: StartDesk, tg: FakeTelegram, cast: World
) -> None:
    harness = await desk("  max_draft_items: 200\n")
    cast.forward_channel_posts(DUA, cast.bad_news, 20_000, 10_000)
    await tg.wait_for(lambda: not tg.pending_updates, timeout=600)
    full = await tg.wait_for(
        lambda: [t for t in harness.texts_to(DUA) if "were not taken" in t], timeout=600
    )
    await harness.idle(seconds=600)
    await harness.stop()
    assert len(full) == 1
    assert "9800 message(s) were not taken" in full[0] and "200 items" in full[0]


async def test_the_hourly_limit_answers_once_with_when_to_go_on(
    desk: StartDesk, tg: FakeTelegram, cast: World
) -> None:
    clock = FakeClock()
    harness = await desk("  max_reports_per_hour: 3\n", clock)
    for post in range(5):
        cast.forward_channel_post(DUA, cast.bad_news, 100 + post, text=f"p{post}")
        tg.send_message(DUA, text="/report fraud")
        await harness.settle(seconds=30)
    texts = harness.texts_to(DUA)
    assert len([t for t in texts if "Received as case" in t]) == 3
    [refusal] = [t for t in texts if "was not taken" in t]
    assert "3 reports in the last hour" in refusal and "stay in your draft" in refusal
    clock.advance(3601)
    tg.send_message(DUA, text="/report fraud")  # the waiting draft is taken now
    await harness.settle(seconds=30)
    await harness.stop()
    assert "Received as case #4" in harness.texts_to(DUA)[-1]


async def test_a_one_reporter_flood_takes_turns_with_another_reporter(
    desk: StartDesk, tg: FakeTelegram, cast: World
) -> None:
    harness = await desk("  max_reports_per_hour: 5000\n")
    for post in range(1000):
        cast.forward_channel_post(DUA, cast.bad_news, 5000 + post, text=f"f{post}")
        tg.send_message(DUA, text="/report gambling")
    # The flood is under way: part of it is acknowledged and in the group.
    await tg.wait_for(
        lambda: len(harness.texts_to(DUA)) > 3 and len(tg.messages_in(GROUP)) >= 1,
        timeout=120,
    )
    private_before = len(private_sends(tg))
    group_before = len(tg.messages_in(GROUP))
    cast.forward_channel_post(SATU, cast.secret_cell, 9, text="their first")
    tg.send_message(SATU, text="/report gambling")
    await tg.wait_for(lambda: any("#" in t for t in harness.texts_to(SATU)[1:]), timeout=60)
    ack = next(i for i, c in enumerate(private_sends(tg)) if c.params["chat_id"] == SATU)
    number = int(re.search(r"#(\d+)", harness.texts_to(SATU)[-1])[1])  # type: ignore[index]
    await tg.wait_for(lambda: number in visible(tg), timeout=120)
    await harness.stop()
    assert ack - private_before <= 5, "the other reporter's acknowledgement came among the next"
    shown = visible(tg)
    later_flood_cards = [
        position
        for case, position in shown.items()
        if case != number and position >= group_before and case > number
    ]
    assert all(shown[number] <= position for position in later_flood_cards)


def private_sends(tg: FakeTelegram) -> list[Any]:
    return [
        call
        for call in tg.calls_to("sendMessage")
        if call.ok and int(call.params.get("chat_id", 0)) > 0
    ]


async def test_chatter_is_the_note_of_the_next_report_not_evidence(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    assert "catatan untuk laporan Anda berikutnya" in await harness.answer(SATU, "halo")
    cast.forward_channel_post(SATU, cast.bad_news, 77, text="the post")
    tg.send_message(SATU, text="/report fraud")
    await harness.idle()
    card = harness.card(GROUP, 1)
    assert "halo" in card["text"]  # the note, on the card
    copies = [m for m in tg.messages_in(GROUP) if m.get("reply_to_message")]
    assert [m.get("text") for m in copies] == ["the post"]  # "halo" is not evidence
    tg.send_message(SATU, text="see https://example.org/x")  # a link is evidence
    assert "#2" in await harness.answer(SATU, "/report fraud")


async def test_a_stranger_is_answered_once_a_day(
    desk: StartDesk, tg: FakeTelegram, cast: World
) -> None:
    clock = FakeClock()
    harness = await desk("  draft_ttl_hours: 24\n", clock)
    cast.start(STRANGER)
    for text in ("hello", "/report fraud", "anyone?"):
        tg.send_message(STRANGER, text=text)
    await harness.settle()
    refusals = [t for t in harness.texts_to(STRANGER) if "can report here" in t]
    assert len(refusals) == 1  # one answer to three messages, with their id
    assert str(STRANGER) in refusals[0]
    clock.advance(24 * 3600 + 1)
    tg.send_message(STRANGER, text="again")
    await harness.settle()
    await harness.stop()
    assert len([t for t in harness.texts_to(STRANGER) if "can report here" in t]) == 2
