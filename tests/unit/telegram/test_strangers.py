"""What the poller writes of an update: everything for people the desk knows and for an answer to
the desk's question, only dedup key, chat, user and kind for a stranger, which the handlers can
still act on."""

from __future__ import annotations

import json
from typing import Any

from telegram import Update

from bot.ops.health import Health
from bot.store import Store
from bot.telegram.polling import Poller
from bot.telegram.privacy import as_update
from tests.factories import SATU, STRANGER


def message(user: int, message_id: int, text: str, reply_to: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": message_id,
        "date": 1_800_000_000,
        "chat": {"id": user, "type": "private", "first_name": "Secret Name"},
        "from": {"id": user, "is_bot": False, "first_name": "Secret Name", "language_code": "id"},
        "text": text,
    }
    if reply_to is not None:
        body["reply_to_message"] = {
            "message_id": reply_to,
            "date": 1_800_000_000,
            "chat": body["chat"],
            "text": "the question",
        }
    return {"update_id": message_id, "message": body}


async def kept(store: Store, updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    poller = Poller(
        None,  # type: ignore[arg-type]  # recording needs no Application
        store,
        Health(store.health),
        lambda *_: None,  # type: ignore[arg-type]
        knows=lambda user_id: user_id == SATU,
    )
    await poller.record(updates)
    async with store.read() as tx:
        return [json.loads(payload) for _, payload in await tx.inbox.unprocessed()]


async def test_only_what_a_strangers_update_is_is_written(store: Store) -> None:
    rows = await kept(
        store,
        [
            message(SATU, 1, "a reporter's words"),
            message(STRANGER, 2, "a stranger's words"),
            message(STRANGER, 3, "/start@report_desk_bot secret argument"),
        ],
    )
    assert rows[0]["message"]["text"] == "a reporter's words"
    assert rows[1:] == [
        {
            "update_id": 2,
            "stranger": {
                "dedup_key": f"message:{STRANGER}:2",
                "chat_id": STRANGER,
                "user_id": STRANGER,
                "kind": "message",
            },
        },
        {
            "update_id": 3,
            "stranger": {
                "dedup_key": f"message:{STRANGER}:3",
                "chat_id": STRANGER,
                "user_id": STRANGER,
                "kind": "command:start",
            },
        },
    ]
    rebuilt = Update.de_json(as_update(rows[2]), None)
    assert rebuilt.message is not None and rebuilt.message.text == "/start"
    assert rebuilt.effective_user is not None and rebuilt.effective_user.id == STRANGER


async def test_an_answer_to_the_desks_question_is_kept_whole(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.cases.db.execute(
            "INSERT INTO cases (id, category, priority, state, created_at, clock_start)"
            " VALUES (1, 'other', 4, 'waiting', 0, 0)"
        )
        await tx.prompts.record_question(STRANGER, 10, 1)
    rows = await kept(
        store,
        [message(STRANGER, 11, "the answer", reply_to=10), message(STRANGER, 12, "other", 9)],
    )
    assert rows[0]["message"]["text"] == "the answer"
    assert "stranger" in rows[1]


async def test_a_strangers_press_keeps_only_which_of_the_bots_buttons_it_was(store: Store) -> None:
    def press(query_id: str, data: str) -> dict[str, Any]:
        return {
            "update_id": int(query_id),
            "callback_query": {
                "id": query_id,
                "from": {"id": STRANGER, "is_bot": False, "first_name": "Secret Name"},
                "chat_instance": "1",
                "data": data,
                "message": {"message_id": 40, "date": 0, "chat": {"id": -100, "type": "group"}},
            },
        }

    rows = await kept(store, [press("5", "v1:c:1"), press("6", "anything a client sends")])
    kinds = [row["stranger"]["kind"] for row in rows]
    assert kinds == ["callback_query:40:v1:c:1", "callback_query"]
    query = Update.de_json(as_update(rows[0]), None).callback_query
    assert query is not None and (query.id, query.data) == ("5", "v1:c:1")
    assert query.message is not None and query.message.message_id == 40
