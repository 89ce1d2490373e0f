"""How messages from the bot land in a chat: the reply they answer, flood control, albums, history.

:meth:`Poster.post` is the one way the sending and copying methods store the bot's messages, so
every such message is admitted by flood control, marked protected and regrouped into albums the
same way. The methods check everything first and post last: a send that fails a check stores
nothing, and a batch is admitted or refused as a whole.
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
        self,
        chat: Chat,
        p: JSONDict,
        contents: list[JSONDict],
        *,
        replies: bool = True,
        markup: JSONDict | None = None,
    ) -> list[JSONDict]:
        """Store each content as the bot's next message in ``chat``; return them as the API does.

        The request ``p`` names the reply (unless ``replies`` is off) and ``protect_content``.
        Contents that carry the same ``media_group_id`` become one new album: the value only
        says which belong together, and each album gets a fresh id once the batch is admitted.
        """
        reply = self.reply_target(chat, p) if replies else None
        self.flood.admit(chat, len(contents))
        asked = p.get("reply_markup")
        # Telegram never echoes a ForceReply; it is kept privately so an observer (the sandbox
        # page) can open the reply the way a client does.
        force_reply = isinstance(asked, dict) and asked.get("force_reply") is True
        albums: dict[str, str] = {}
        posted: list[JSONDict] = []
        for content in contents:
            full: JSONDict = {}
            if reply is not None:
                full["reply_to_message"] = reply
            full.update(content)
            album = full.get("media_group_id")
            if album is not None:
                if album not in albums:
                    albums[album] = self.world.new_media_group_id()
                full["media_group_id"] = albums[album]
            if p.get("protect_content"):
                full["has_protected_content"] = True
            if markup is not None:
                full["reply_markup"] = markup
            if force_reply and isinstance(asked, dict):
                full["_force_reply"] = {"selective": bool(asked.get("selective"))}
            msg = self.world.store_message(chat, self.settings.bot_user, full, from_bot=True)
            posted.append(public_message(msg))
        return posted
