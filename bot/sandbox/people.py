"""What people do in Telegram, turned into the updates the bot receives.

Users write, forward, edit and delete messages, block and unblock the bot, delete their accounts,
and add the bot to groups or remove it. Each action changes the world as on Telegram and enqueues
the update Telegram would send (none where Telegram sends none, such as a user deleting a
message). Misuse by the script (an unknown user, a user writing where they cannot) raises
KeyError, AssertionError or ValueError, never an API error.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

from bot.sandbox.entities import auto_entities, sorted_entities
from bot.sandbox.files import FileStore, media_content
from bot.sandbox.params import JSONDict
from bot.sandbox.updates import UpdateQueue
from bot.sandbox.world import Chat, World, public_message


@dataclass(eq=False)
class People:
    """The users of the fake's world, acting."""

    world: World
    files: FileStore
    updates: UpdateQueue

    def send_message(
        self,
        user_id: int,
        chat_id: int | None = None,
        text: str | None = None,
        *,
        forward_origin: JSONDict | None = None,
        reply_to_message_id: int | None = None,
        photo: bool = False,
        video: bool = False,
        document: bool = False,
        animation: bool = False,
        voice: bool = False,
        audio: bool = False,
        sticker: bool = False,
        caption: str | None = None,
        media_group_id: str | None = None,
        has_protected_content: bool = False,
        date: int | None = None,
        entities: list[JSONDict] | None = None,
    ) -> JSONDict:
        """A user sends (or forwards) a message; returns the Message dict delivered to the bot.
        `entities` adds formatting the client would send (a hidden link, bold) to what Telegram
        finds by itself in the text or caption."""
        user = self.world.user(user_id)
        chat = self.world.chat(user_id if chat_id is None else chat_id)
        if chat.kind == "private":
            if chat.chat_id != user_id:
                raise AssertionError(f"user {user_id} cannot write in {chat.chat_id}'s chat")
            self.world.started.add(user_id)
            if user_id in self.world.blocked:
                self.unblock_bot(user_id)
        elif chat.kind == "channel":
            raise AssertionError("users post in channels through raw_update (channel_post)")
        elif user_id not in chat.members:
            raise AssertionError(f"user {user_id} is not a member of chat {chat.chat_id}")

        flags = {
            "photo": photo,
            "video": video,
            "document": document,
            "animation": animation,
            "voice": voice,
            "audio": audio,
            "sticker": sticker,
        }
        kinds = [k for k, on in flags.items() if on]
        if len(kinds) > 1:
            raise ValueError(f"one media kind per message, got {kinds}")
        content: JSONDict = {}
        if forward_origin is not None:
            content["forward_origin"] = copy.deepcopy(forward_origin)
            content["forward_date"] = forward_origin.get("date", int(time.time()))
        if reply_to_message_id is not None:
            target = chat.messages.get(reply_to_message_id)
            if target is None or target.get("_deleted"):
                raise AssertionError(f"no message {reply_to_message_id} in chat {chat.chat_id}")
            content["reply_to_message"] = public_message(target, nested=False)
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        if has_protected_content:
            content["has_protected_content"] = True
        if kinds:
            kind = kinds[0]
            content.update(media_content(kind, self.files.new_file(kind)))
            if kind != "sticker":
                body = caption if caption is not None else text
                if body:
                    content["caption"] = body
                    found = [*auto_entities(body), *(entities or [])]
                    if found:
                        content["caption_entities"] = sorted_entities(found)
        else:
            if text is None:
                raise ValueError("a message needs text or media")
            content["text"] = text
            found = [*auto_entities(text), *(entities or [])]
            if found:
                content["entities"] = sorted_entities(found)
        msg = self.world.store_message(chat, user, content, from_bot=False, date=date)
        public = public_message(msg)
        if chat.kind == "private" or chat.bot_status not in {"left", "kicked"}:
            self.updates.enqueue("message", public)
        return copy.deepcopy(public)

    def edit_user_message(self, chat_id: int, message_id: int, text: str) -> JSONDict:
        """The user edits a text message they sent: enqueues an edited_message update."""
        chat = self.world.chat(chat_id)
        msg = chat.messages.get(message_id)
        if msg is None or message_id in chat.bot_message_ids:
            raise AssertionError(f"no user message {message_id} in chat {chat_id}")
        msg["text"] = text
        entities = auto_entities(text)
        if entities:
            msg["entities"] = sorted_entities(entities)
        else:
            msg.pop("entities", None)
        msg["edit_date"] = int(time.time())
        self.world.changed(chat, message_id)
        public = public_message(msg)
        self.updates.enqueue("edited_message", public)
        return copy.deepcopy(public)

    def delete_by_user(self, chat_id: int, message_id: int) -> None:
        """The user deletes a message (bots get no update); copies of it then fail."""
        chat = self.world.chat(chat_id)
        if message_id not in chat.messages:
            raise AssertionError(f"no message {message_id} in chat {chat_id}")
        chat.messages[message_id]["_deleted"] = True
        self.world.changed(chat, message_id)

    def block_bot(self, user_id: int, *, notify: bool = True) -> None:
        """The user blocks the bot. Like Telegram, enqueues a my_chat_member update (kicked)
        unless ``notify=False``."""
        self.world.user(user_id)
        self.world.blocked.add(user_id)
        if notify:
            self._announce_bot_status(self.world.chat(user_id), user_id, "member", "kicked")

    def unblock_bot(self, user_id: int, *, notify: bool = True) -> None:
        self.world.user(user_id)
        if user_id in self.world.blocked:
            self.world.blocked.discard(user_id)
            if notify:
                self._announce_bot_status(self.world.chat(user_id), user_id, "kicked", "member")

    def deactivate_user(self, user_id: int) -> None:
        """The account is deleted: sends answer 403 "Forbidden: user is deactivated"."""
        self.world.user(user_id)
        self.world.deactivated.add(user_id)

    def remove_bot_from_group(self, chat_id: int, *, by_user_id: int | None = None) -> None:
        chat = self.world.chat(chat_id)
        old = chat.bot_status
        chat.bot_status = "kicked"
        self._announce_bot_status(chat, self.world.actor(chat, by_user_id), old, "kicked")

    def restore_bot_to_group(self, chat_id: int, *, by_user_id: int | None = None) -> None:
        chat = self.world.chat(chat_id)
        old = chat.bot_status
        chat.bot_status = "member"
        chat.bot_can_post = True
        self._announce_bot_status(chat, self.world.actor(chat, by_user_id), old, "member")

    def bot_added_to_group(self, chat_id: int, by_user_id: int) -> None:
        chat = self.world.chat(chat_id)
        self.world.user(by_user_id)
        old = chat.bot_status
        chat.bot_status = "member"
        chat.bot_can_post = True
        chat.members.add(by_user_id)
        self._announce_bot_status(chat, by_user_id, old, "member")

    def set_bot_status(self, chat_id: int, status: str, *, notify: bool = True) -> None:
        """Set the bot's status in a group/channel directly (e.g. promote to administrator)."""
        if status not in {"administrator", "member", "restricted", "left", "kicked"}:
            raise ValueError(f"unknown status {status!r}")
        chat = self.world.chat(chat_id)
        old = chat.bot_status
        chat.bot_status = status
        chat.bot_can_post = status in {"administrator", "member"}
        if notify:
            self._announce_bot_status(chat, self.world.actor(chat, None), old, status)

    def _announce_bot_status(self, chat: Chat, actor_id: int, old: str, new: str) -> None:
        self.updates.enqueue(
            "my_chat_member", self.world.bot_status_change(chat, actor_id, old, new)
        )
