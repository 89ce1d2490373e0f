"""Editing and deleting: editMessageText, editMessageCaption, editMessageReplyMarkup,
deleteMessage, deleteMessages.

As on Telegram: the bot edits only its own messages, an edit that changes nothing is answered
"message is not modified", an edited message keeps only an inline keyboard, and the bot deletes
others' messages only as an administrator (always in private chats). Deleted messages stay stored,
marked ``_deleted``, so tests can still look at them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bot.sandbox.errors import NOT_MODIFIED, bad_request
from bot.sandbox.limits import FloodControl
from bot.sandbox.methods.content import Formatter, check_markup, content_kind
from bot.sandbox.params import JSONDict, as_int
from bot.sandbox.routing import api
from bot.sandbox.world import Chat, World, public_message


@dataclass(eq=False)
class EditingMethods:
    """The methods by which the bot changes or removes messages already sent."""

    world: World
    formatter: Formatter
    flood: FloodControl

    def _editable(self, p: JSONDict) -> tuple[Chat, JSONDict]:
        if p.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self.world.readable_chat(p.get("chat_id"))
        msg = self.world.find_message(chat, p.get("message_id"), "message to edit not found")
        if msg["message_id"] not in chat.bot_message_ids:
            raise bad_request("message can't be edited")
        return chat, msg

    def _apply_edit(self, chat: Chat, msg: JSONDict, changes: JSONDict) -> JSONDict:
        """Set the message's fields to ``changes`` (None removes one), unless that changes
        nothing anyone sees. Stored messages never keep an empty entity list or keyboard, so an
        absent field and None are the same content."""
        if all(msg.get(key) == value for key, value in changes.items() if key != "_html"):
            raise bad_request(NOT_MODIFIED)
        self.flood.admit(chat, 1)
        for key, value in changes.items():
            if value is None:
                msg.pop(key, None)
            else:
                msg[key] = value
        msg["edit_date"] = int(time.time())
        self.world.changed(chat, msg["message_id"])
        return public_message(msg)

    @api
    async def edit_message_text(self, p: JSONDict) -> Any:
        chat, msg = self._editable(p)
        content = self.formatter.text_content(p)
        markup = check_markup(p.get("reply_markup"), inline_only=True)
        if "text" not in msg:
            raise bad_request("there is no text in the message to edit")
        return self._apply_edit(chat, msg, _body_changes("text", content, markup))

    @api
    async def edit_message_caption(self, p: JSONDict) -> Any:
        chat, msg = self._editable(p)
        if content_kind(msg) in {"text", "sticker"}:
            raise bad_request("there is no caption in the message to edit")
        content = self.formatter.caption_content(p)
        markup = check_markup(p.get("reply_markup"), inline_only=True)
        return self._apply_edit(chat, msg, _body_changes("caption", content, markup))

    @api
    async def edit_message_reply_markup(self, p: JSONDict) -> Any:
        chat, msg = self._editable(p)
        markup = check_markup(p.get("reply_markup"), inline_only=True)
        return self._apply_edit(chat, msg, {"reply_markup": markup})

    def _delete_one(self, chat: Chat, msg: JSONDict) -> None:
        own = msg["message_id"] in chat.bot_message_ids
        if not own and chat.kind != "private" and chat.bot_status != "administrator":
            raise bad_request("message can't be deleted")
        msg["_deleted"] = True
        self.world.changed(chat, msg["message_id"])

    @api
    async def delete_message(self, p: JSONDict) -> Any:
        chat = self.world.readable_chat(p.get("chat_id"))
        msg = self.world.find_message(chat, p.get("message_id"), "message to delete not found")
        self._delete_one(chat, msg)
        return True

    @api
    async def delete_messages(self, p: JSONDict) -> Any:
        chat = self.world.readable_chat(p.get("chat_id"))
        ids = p.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message identifiers are not specified")
        for raw_id in ids:
            msg = chat.messages.get(as_int(raw_id) or 0)
            if msg is not None and not msg.get("_deleted"):
                self._delete_one(chat, msg)
        return True


def _body_changes(body: str, content: JSONDict, markup: JSONDict | None) -> JSONDict:
    """The changes of an edit of the message's ``body`` ("text" or "caption"), its entities,
    its HTML source and its keyboard."""
    entities = "entities" if body == "text" else "caption_entities"
    return {
        body: content.get(body),
        entities: content.get(entities),
        "_html": content.get("_html"),
        "reply_markup": markup,
    }
