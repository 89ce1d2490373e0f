"""The local Bot API's copyMessages takes no `reply_parameters`, as Telegram's does not: the copies
reply to nothing, even when asked to, and a reply to a missing message is not an error there.
copyMessage (one message) does reply. The desk relies on this difference to tie evidence to its
card (single copies as replies, albums re-sent with sendMediaGroup)."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from bot.sandbox import FakeTelegram
from tests.factories import GROUP, SATU, World

JSONDict = dict[str, Any]


async def call(fake: FakeTelegram, method: str, params: JSONDict) -> JSONDict:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake.api_url}/{method}", json=params) as response,
    ):
        body = json.loads(await response.text())
    assert body["ok"], body
    return body


async def test_copy_messages_ignores_reply_parameters(tg: FakeTelegram) -> None:
    world = World.build(tg)
    world.start(SATU)
    album = world.forward_album(SATU, world.bad_news, 100, 2, caption="the album")
    note = tg.send_message(SATU, text="a note")
    ids = [m["message_id"] for m in album] + [note["message_id"]]
    card = (await call(tg, "sendMessage", {"chat_id": GROUP, "text": "#1 · card"}))["result"]

    copied = await call(
        tg,
        "copyMessages",
        {
            "chat_id": GROUP,
            "from_chat_id": SATU,
            "message_ids": ids,
            "reply_parameters": {"message_id": card["message_id"]},
        },
    )
    copies = [tg.message(GROUP, c["message_id"]) for c in copied["result"]]
    assert len(copies) == 3
    assert all("reply_to_message" not in m for m in copies)
    assert copies[0]["caption"] == "the album" and copies[2]["text"] == "a note"

    # Not even looked at: a reply to a message that does not exist is no error here.
    missing = await call(
        tg,
        "copyMessages",
        {
            "chat_id": GROUP,
            "from_chat_id": SATU,
            "message_ids": [note["message_id"]],
            "reply_parameters": {"message_id": 999_999},
        },
    )
    assert "reply_to_message" not in tg.message(GROUP, missing["result"][0]["message_id"])

    # copyMessage, by contrast, replies as asked.
    single = await call(
        tg,
        "copyMessage",
        {
            "chat_id": GROUP,
            "from_chat_id": SATU,
            "message_id": note["message_id"],
            "reply_parameters": {"message_id": card["message_id"]},
        },
    )
    reply = tg.message(GROUP, single["result"]["message_id"])["reply_to_message"]
    assert reply["message_id"] == card["message_id"]
