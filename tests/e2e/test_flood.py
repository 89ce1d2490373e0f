"""A flood stays visible under Telegram's limits; evidence survives the reporter deleting it."""

from __future__ import annotations

import re
from pathlib import Path

from bot.sandbox import FakeTelegram
from tests.factories import DUA, GROUP, SATU, FakeClock, World, origin_user
from tests.harness import Harness, Started


def visible(tg: FakeTelegram) -> set[int]:
    """Case numbers shown in the group on a card or as a digest line with its own button."""
    shown: set[int] = set()
    for message in tg.messages_in(GROUP):
        text = message.get("text") or ""
        if match := re.match(r"#(\d+) · ", text):
            shown.add(int(match[1]))
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data", "")
                if data.startswith("v1:p:") and f"#{data[5:]} · " in text:
                    shown.add(int(data[5:]))
    return shown


async def test_a_burst_is_listed_in_a_digest_without_provoking_429s(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    tg.enforce_rate_limits = True
    for post in range(16):
        reporter = SATU if post % 2 else DUA
        cast.forward_channel_post(reporter, cast.bad_news, 300 + post, text=f"post {post}")
        tg.send_message(reporter, text="/report gambling" if post % 3 else "/report terrorism")
    await tg.wait_for(lambda: len(visible(tg)) == 16, timeout=30)
    assert tg.rate_limited == 0
    digests = [m for m in tg.messages_in(GROUP) if "New cases" in (m.get("text") or "")]
    assert digests, "a burst this size is listed in a digest"
    lines = [line for line in digests[0]["text"].split("\n") if line.startswith("#")]
    priorities = [int(re.search(r"· [🔴🟠🟡⚪] P(\d) ·", line)[1]) for line in lines]  # type: ignore[index]
    assert priorities == sorted(priorities)  # most urgent first
    sent_to_group = [c for c in tg.calls if c.params.get("chat_id") == GROUP and c.ok]
    assert len(sent_to_group) <= 20


async def test_digest_button_posts_the_full_card_on_demand(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    for post in range(8):
        cast.forward_channel_post(DUA, cast.bad_news, 400 + post)
        tg.send_message(DUA, text="/report fraud")
    digest = await tg.wait_for(
        lambda: [m for m in tg.messages_in(GROUP) if "New cases" in (m.get("text") or "")]
    )
    buttons = harness.buttons(digest[0])
    number, data = next(iter(buttons.items()))
    tg.press(111111, GROUP, digest[0]["message_id"], data)
    case_id = int(number.lstrip("#"))
    await tg.wait_for(lambda: harness.card(GROUP, case_id))


async def test_evidence_is_sent_again_from_stored_files_if_the_original_is_deleted(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    tg.fail("copyMessage", chat_id=GROUP, kind="500", times=1)
    tg.fail("copyMessages", chat_id=GROUP, kind="500", times=1)
    photo = tg.send_message(
        SATU, photo=True, caption="the photo", forward_origin=origin_user(cast.stranger)
    )
    tg.send_message(SATU, text="/report porn")
    await tg.wait_for(lambda: harness.cards(GROUP))
    tg.delete_by_user(SATU, photo["message_id"])
    await harness.idle(seconds=20)
    copies = [m for m in tg.messages_in(GROUP) if "photo" in m]
    assert len(copies) == 1 and copies[0].get("caption") == "the photo"


async def test_an_unreported_draft_expires_with_a_notice(
    started: Started, tg: FakeTelegram, cast: World, tmp_path: Path
) -> None:
    clock = FakeClock()
    harness = await started(Harness(tg, cast, tmp_path, clock=clock))
    cast.forward_channel_post(DUA, cast.bad_news, 1)
    await harness.settle()
    clock.advance(3)
    await tg.wait_for(lambda: "waiting" in harness.texts_to(DUA)[-1], timeout=10)
    clock.advance(24 * 3600 + 5)
    await tg.wait_for(lambda: "discarded" in harness.texts_to(DUA)[-1], timeout=10)
    tg.send_message(DUA, text="/report fraud")
    await harness.settle()
    assert "nothing to report" in harness.texts_to(DUA)[-1]
    await harness.stop()
