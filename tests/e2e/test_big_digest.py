"""A digest carries as many cases as one message holds: 150 new cases waiting at once are listed
95 to the first digest (the most a keyboard carries with a button each), its text within
Telegram's 4096 characters, each line's `#N` button posting that very case."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.outbox.digest import DIGEST_MAX_CASES
from bot.sandbox import FakeTelegram, utf16_len
from tests.factories import DUA, GROUP, MOD_ONE, SATU, FakeClock, World
from tests.harness import Harness

JSONDict = dict[str, Any]
CASES = 150
SHORT = -1002000000009  # a private channel with a one-letter name: short digest lines


def digests(tg: FakeTelegram) -> list[JSONDict]:
    return [m for m in tg.messages_in(GROUP) if (m.get("text") or "").startswith("📋")]


async def test_150_waiting_cases_fill_a_digest_of_95_lines_each_with_its_button(
    tg: FakeTelegram, cast: World, tmp_path: Path
) -> None:
    short = tg.add_channel(SHORT, "X")
    clock = FakeClock()
    harness = Harness(tg, cast, tmp_path, clock=clock)
    await harness.start()
    try:
        await harness.settle(seconds=60)  # the greetings are sent
        clock.advance(2)  # each private chat (the admin's too) may take its next message
        # The group is out of reach (the bot was removed): the first card waits, held.
        tg.remove_bot_from_group(GROUP)
        cast.forward_channel_post(DUA, short, 1, text="post 1")
        tg.send_message(DUA, text="/report fraud")
        await tg.wait_for(
            lambda: any("cannot post" in t for t in harness.texts_to(MOD_ONE)), timeout=60
        )
        for post in range(2, CASES + 1):
            who = SATU if post % 2 else DUA
            cast.forward_channel_post(who, short, post, text=f"post {post}")
            tg.send_message(who, text="/report fraud")

        async def all_filed() -> bool:
            return await harness.case_count() == CASES

        await tg.wait_for(all_filed, timeout=300, description="150 cases filed")
        assert harness.cards(GROUP) == [] and digests(tg) == []

        tg.restore_bot_to_group(GROUP)
        await tg.wait_for(lambda: digests(tg), timeout=60)
        first = tg.messages_in(GROUP)[0]
        assert first == digests(tg)[0], "the digest comes first"
        text = first["text"]
        lines = [line for line in text.split("\n") if line.startswith("#")]
        assert len(lines) == DIGEST_MAX_CASES == 95
        assert text.startswith("📋 New cases: 95") and "…" not in text
        assert utf16_len(text) <= 4096
        numbers = [int(re.match(r"#(\d+) · ", line)[1]) for line in lines]  # type: ignore[index]
        assert len(set(numbers)) == 95 and set(numbers) <= set(range(1, CASES + 1))
        rows = first["reply_markup"]["inline_keyboard"]
        assert all(len(row) <= 8 for row in rows)
        buttons = [(b["text"], b["callback_data"]) for row in rows for b in row]
        assert buttons == [(f"#{n}", f"v1:p:{n}") for n in numbers]

        # The last line's button posts that case's full card.
        last = numbers[-1]
        tg.press(MOD_ONE, GROUP, first["message_id"], f"v1:p:{last}")
        card = await tg.wait_for(lambda: harness.card(GROUP, last), timeout=60)
        assert card["text"].startswith(f"#{last} · ")
    finally:
        await harness.stop()
