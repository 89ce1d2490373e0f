"""Strangers' updates are kept as what they are and who sent them, never with their content.

A stranger is anyone who is neither a reporter, a moderator nor an admin, unless their message
answers a question the desk asked (a reporter removed from the configuration may still answer).
Their update is reduced before it is written, so its text never reaches the database file, its
write-ahead log or its free pages; the handlers then run on an update rebuilt from that record,
which is enough to tell them they cannot report (or to leave a group they added the bot to).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.config import Config

JSONDict = dict[str, Any]
STRANGER = "stranger"
# A command's name is what the update is, not what it says; its arguments are never kept.
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?")
# Data of a button the bot itself issued (bot/render/callback_data.py): not the stranger's words.
_OWN_BUTTON = re.compile(r"v1:[a-z0-9:_]{1,60}")
_BODIES = ("message", "edited_message", "callback_query", "my_chat_member")


def is_known(config: Config, user_id: int) -> bool:
    """Someone the desk works with: a reporter, a moderator or an admin."""
    return (
        config.reporter(user_id) is not None
        or config.is_moderator(user_id)
        or config.is_admin(user_id)
    )


def knows_in(config: Callable[[], Config]) -> Callable[[int], bool]:
    """Whether the configuration in force (reloads included) knows a user."""
    return lambda user_id: is_known(config(), user_id)


def _body(update: JSONDict) -> tuple[str, JSONDict]:
    for kind in _BODIES:
        body = update.get(kind)
        if isinstance(body, dict):
            return kind, body
    return "other", {}


def sender_of(update: JSONDict) -> int | None:
    sender = _body(update)[1].get("from")
    return int(sender["id"]) if isinstance(sender, dict) and "id" in sender else None


def replied_to(update: JSONDict) -> tuple[int, int] | None:
    """(chat id, message id) of the message this update's message replies to."""
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    replied = message.get("reply_to_message")
    if not isinstance(replied, dict):
        return None
    return int(message["chat"]["id"]), int(replied["message_id"])


def stranger_record(update: JSONDict, dedup_key: str) -> JSONDict:
    """All that is kept of a stranger's update: dedup key, chat id, user id and kind."""
    kind, body = _body(update)
    chat = (body.get("message") if kind == "callback_query" else body) or {}
    if kind == "message":
        command = _COMMAND.match(str(body.get("text") or ""))
        if command is not None:
            kind = f"command:{command[1]}"
    if kind == "callback_query":
        data = str(body.get("data") or "")
        if _OWN_BUTTON.fullmatch(data) and isinstance(chat.get("message_id"), int):
            # which of the bot's own buttons was pressed, on which of its messages
            kind = f"callback_query:{chat['message_id']}:{data}"
    return {
        "update_id": update.get("update_id", 0),
        STRANGER: {
            "dedup_key": dedup_key,
            "chat_id": (chat.get("chat") or {}).get("id"),
            "user_id": sender_of(update),
            "kind": kind,
        },
    }


def as_update(stored: JSONDict) -> JSONDict:
    """The update to hand to the handlers: as stored, or rebuilt from a stranger's record."""
    record = stored.get(STRANGER)
    if not isinstance(record, dict):
        return stored
    kind, key = str(record["kind"]), str(record["dedup_key"])
    chat_id, user_id = record.get("chat_id"), record.get("user_id")
    chat = {"id": chat_id or 0, "type": "private" if (chat_id or 0) > 0 else "supergroup"}
    user = {"id": user_id or 0, "is_bot": False, "first_name": ""}
    update: JSONDict = {"update_id": stored.get("update_id", 0)}
    parts = key.split(":")
    if kind == "message" or kind.startswith("command:"):
        message: JSONDict = {"message_id": int(parts[-1]), "date": 0, "chat": chat, "from": user}
        if kind.startswith("command:"):
            command = "/" + kind.removeprefix("command:")
            message["text"] = command
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        else:
            message["text"] = ""
        update["message"] = message
    elif kind.startswith("callback_query"):
        _, message_id, data = [*kind.split(":", 2), "0", ""][:3]
        update["callback_query"] = {
            "id": key.removeprefix("query:"),
            "from": user,
            "chat_instance": "",
            "data": data,
            "message": {"message_id": int(message_id), "date": 0, "chat": chat},
        }
    elif kind == "my_chat_member":
        bot = {"id": 0, "is_bot": True, "first_name": ""}
        update["my_chat_member"] = {
            "chat": chat,
            "from": user,
            "date": int(parts[2]),
            "old_chat_member": {"user": bot, "status": "left"},
            "new_chat_member": {"user": bot, "status": parts[3]},
        }
    return update
