"""How one message from the bot lands in a chat: the reply it answers, flood control, history.

Shared by the methods that send and copy; a send that fails a check stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.sandbox.errors import bad_request
from bot.sandbox.limits import FloodControl
from bot.sandbox.params import JSONDict, as_int
from bot.sandbox.settings import Settings
from bot.sandbox.world import Chat, World, public_message


@dataclass(eq=False)
class Poster:
    """Posts the bot's messages; the send methods validate first and post last."""

    settings: Settings
    world: World
    flood: FloodControl

    def reply_target(self, chat: Chat, p: JSONDict) -> JSONDict | None:
        """The message a send replies to (``reply_parameters`` or ``reply_to_message_id``);
        None when it replies to nothing, or to a missing message it may do without."""
        params = p.get("reply_parameters")
        allow = bool(p.get("allow_sending_without_reply"))
        message_id: int | None = None
        target_chat = chat
        if isinstance(params, dict):
            message_id = as_int(params.get("message_id"))
            allow = allow or bool(params.get("allow_sending_without_reply"))
            if params.get("chat_id") not in (None, ""):
                target_chat = self.world.resolve_chat(params["chat_id"])
        elif p.get("reply_to_message_id") is not None:
            message_id = as_int(p.get("reply_to_message_id"))
        if message_id is None:
            return None
        target = target_chat.messages.get(message_id)
        if target is None or target.get("_deleted"):
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return public_message(target, nested=False)

    def post(
        self, p: JSONDict, content: JSONDict, *, markup: JSONDict | None, chat: Chat
    ) -> JSONDict:
        """Store ``content`` as the bot's next message in ``chat``; return it as the API does."""
        reply = self.reply_target(chat, p)
        self.flood.admit(chat, 1)
        full: JSONDict = {}
        if reply is not None:
            full["reply_to_message"] = reply
        full.update(content)
        if p.get("protect_content"):
            full["has_protected_content"] = True
        if markup is not None:
            full["reply_markup"] = markup
        msg = self.world.store_message(chat, self.settings.bot_user, full, from_bot=True)
        return public_message(msg)
