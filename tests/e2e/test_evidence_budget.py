"""A case's evidence budget and its order in the group: a first album larger than the budget is
posted whole and fills it; with the group's budget short, evidence goes by the case's priority,
so a terrorism case's evidence goes ahead of an earlier, less urgent case's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.outbox.digest import GROUP_RESERVE
from bot.sandbox import FakeTelegram
from tests.factories import DUA, GROUP, MOD_ONE, SATU, FakeClock, World
from tests.harness import Harness

JSONDict = dict[str, Any]


def replies_to(tg: FakeTelegram, card_id: int) -> list[tuple[int, JSONDict]]:
    """(position in the group, message) of the messages that reply to a card."""
    return [
        (position, message)
        for position, message in enumerate(tg.messages_in(GROUP))
        if (message.get("reply_to_message") or {}).get("message_id") == card_id
    ]


async def test_a_first_album_larger_than_the_budget_is_posted_whole_and_fills_it(
    tg: FakeTelegram, cast: World, tmp_path: Path
) -> None:
    harness = Harness(
        tg, cast, tmp_path, clock=FakeClock(), extra_config="intake:\n  evidence_auto: 2\n"
    )
    await harness.start()
    try:
        cast.forward_album(DUA, cast.bad_news, 100, 4, caption="the album")
        for post in range(3):
            cast.forward_channel_post(DUA, cast.bad_news, 200 + post, text=f"single {post}")
        tg.send_message(DUA, text="/report other")
        card = await tg.wait_for(lambda: harness.card(GROUP, 1), timeout=60)
        await harness.settle(seconds=60)
        below = [m for _, m in replies_to(tg, card["message_id"])]
        # The whole album (never split), and nothing more: it is the case's budget.
        assert len(below) == 4 and all("photo" in m for m in below)
        assert len({m.get("media_group_id") for m in below}) == 1
        assert [m.get("caption") for m in below if m.get("caption")] == ["the album"]
        card = harness.card(GROUP, 1)
        assert "7 item(s), 4 copied below; 3 more on request" in card["text"]

        tg.press(MOD_ONE, GROUP, card["message_id"], harness.button(card, "v1:m:"))
        await harness.settle(seconds=60)
    finally:
        await harness.stop()
    below = [m for _, m in replies_to(tg, card["message_id"])]
    assert sorted(m.get("text") or "" for m in below if "photo" not in m) == [
        "single 0",
        "single 1",
        "single 2",
    ]
    assert "7 item(s), 7 copied below" in harness.card(GROUP, 1)["text"]


async def test_with_the_budget_short_evidence_goes_by_case_priority(
    tg: FakeTelegram, cast: World, tmp_path: Path
) -> None:
    clock = FakeClock()
    harness = Harness(
        tg, cast, tmp_path, clock=clock, extra_config="intake:\n  evidence_auto: 20\n"
    )
    runtime = await harness.start()
    try:
        await harness.settle(seconds=60)  # the greetings are sent
        clock.advance(2)  # each private chat may take its next message
        # A big report spends the group's budget (the clock stands still, so it stays spent).
        for post in range(20):
            cast.forward_channel_post(SATU, cast.secret_cell, 1 + post, text=f"filler {post}")
        tg.send_message(SATU, text="/report fraud")
        await tg.wait_for(lambda: len(tg.messages_in(GROUP)) >= 14, timeout=120)
        await tg.wait_for(
            lambda: not runtime.worker.pacer.has_room(GROUP, 1 + GROUP_RESERVE), timeout=60
        )
        # Then one reporter reports a less urgent case, and next a terrorism case.
        for post in range(4):
            cast.forward_channel_post(DUA, cast.bad_news, 100 + post, text=f"other {post}")
        tg.send_message(DUA, text="/report other")
        await tg.wait_for(lambda: any("#2" in t for t in harness.texts_to(DUA)), timeout=60)
        clock.advance(11)  # the reporter's chat may take the next acknowledgement
        for post in range(4):
            cast.forward_channel_post(DUA, cast.bad_news, 200 + post, text=f"terror {post}")
        tg.send_message(DUA, text="/report terrorism")
        await tg.wait_for(lambda: any("#3" in t for t in harness.texts_to(DUA)), timeout=60)
        copied = [m.get("text") or "" for m in tg.messages_in(GROUP)]
        assert not [t for t in copied if t.startswith(("other ", "terror "))], "none copied yet"
        clock.advance(11)
        await harness.settle(seconds=240)
    finally:
        await harness.stop()
    other = replies_to(tg, harness.card(GROUP, 2)["message_id"])
    terror = replies_to(tg, harness.card(GROUP, 3)["message_id"])
    assert [m.get("text") for _, m in other] == [f"other {n}" for n in range(4)]
    assert [m.get("text") for _, m in terror] == [f"terror {n}" for n in range(4)]
    assert max(p for p, _ in terror) < min(p for p, _ in other), "the terrorism case's first"
