"""Observing the fake's world (what the sandbox page follows): watchers, history, ForceReply."""

from __future__ import annotations

import aiohttp

from bot.sandbox import FakeTelegram
from tests.factories import GROUP, MOD_ONE, SATU, World


async def call(fake: FakeTelegram, method: str, **params: object) -> dict:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake.api_url}/{method}", json=params) as response,
    ):
        return await response.json()


async def test_watchers_hear_of_every_message_that_appears_changes_or_goes(
    tg: FakeTelegram, cast: World
) -> None:
    seen: list[tuple[int, int]] = []
    tg.watch(lambda chat_id, message_id: seen.append((chat_id, message_id)))
    sent = tg.send_message(SATU, text="hello")
    assert seen == [(SATU, sent["message_id"])]

    answer = await call(tg, "sendMessage", chat_id=GROUP, text="card")
    mid = answer["result"]["message_id"]
    await call(tg, "editMessageText", chat_id=GROUP, message_id=mid, text="card, edited")
    await call(tg, "deleteMessage", chat_id=GROUP, message_id=mid)
    tg.edit_user_message(SATU, sent["message_id"], "hello again")
    tg.delete_by_user(SATU, sent["message_id"])
    assert seen[1:] == [(GROUP, mid)] * 3 + [(SATU, sent["message_id"])] * 2


async def test_history_holds_the_users_and_the_bots_messages_deleted_ones_marked(
    tg: FakeTelegram, cast: World
) -> None:
    first = tg.send_message(MOD_ONE, GROUP, text="a note")
    answer = await call(tg, "sendMessage", chat_id=GROUP, text="from the bot")
    tg.delete_by_user(GROUP, first["message_id"])
    history = tg.history(GROUP)
    assert [m.get("text") for m in history] == ["a note", "from the bot"]
    assert history[0]["_deleted"] is True
    assert history[1]["message_id"] == answer["result"]["message_id"]


async def test_a_force_reply_is_kept_privately_and_never_echoed(
    tg: FakeTelegram, cast: World
) -> None:
    answer = await call(
        tg,
        "sendMessage",
        chat_id=GROUP,
        text="reply with the reason",
        reply_markup={"force_reply": True, "selective": True},
    )
    assert "reply_markup" not in answer["result"]
    assert "_force_reply" not in answer["result"]
    stored = tg.message(GROUP, answer["result"]["message_id"])
    assert stored["_force_reply"] == {"selective": True}
