"""The state of the fake's world: users, chats, members, the bot's standing, stored messages.

Stored messages are dicts in Telegram's Message shape plus private keys (``_html``: the markup the
bot sent; ``_deleted``; ``_force_reply``: the ForceReply a message was sent with, which Telegram
never shows the bot); :func:`public_message` strips those before anything leaves the fake.
Every stored message that appears, changes or is deleted is announced to the ``watchers``
(chat id, message id), after the change, so an observer such as the sandbox page can follow the
world without polling. Lookups by the API (:meth:`World.resolve_chat`, :meth:`World.readable_chat`,
:meth:`World.sendable_chat`, the ``check_*`` methods) answer with Telegram's descriptions;
lookups by test code (:meth:`World.user`, :meth:`World.chat`) raise KeyError.
"""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.errors import bad_request, forbidden
from bot.sandbox.params import JSONDict, as_int
from bot.sandbox.settings import Settings

_RIGHTS_WORDS = {
    "text": "text messages",
    "photo": "photos",
    "video": "videos",
    "document": "documents",
    "animation": "animations",
    "voice": "voice notes",
    "audio": "audio files",
    "sticker": "stickers",
    "video_note": "video notes",
}


@dataclass
class Chat:
    """A chat and the bot's standing in it; ``info`` is the Chat object the API shows."""

    chat_id: int
    kind: str  # "private", "group", "supergroup", "channel"
    info: JSONDict
    members: set[int] = field(default_factory=set)
    admins: set[int] = field(default_factory=set)
    bot_status: str = "left"  # administrator / member / restricted / left / kicked
    bot_can_post: bool = True
    messages: dict[int, JSONDict] = field(default_factory=dict)
    bot_message_ids: list[int] = field(default_factory=list)
    next_message_id: int = 1

    @property
    def label(self) -> str:
        return {"channel": "channel chat", "group": "group chat"}.get(self.kind, "supergroup chat")


@dataclass(eq=False)
class World:
    """Who exists, who is where, what was said; and what the bot may do about it."""

    settings: Settings
    users: dict[int, JSONDict] = field(init=False, default_factory=dict)
    started: set[int] = field(init=False, default_factory=set)
    blocked: set[int] = field(init=False, default_factory=set)
    deactivated: set[int] = field(init=False, default_factory=set)
    chats: dict[int, Chat] = field(init=False, default_factory=dict)
    watchers: list[Callable[[int, int], None]] = field(init=False, default_factory=list)
    _media_group_seq: Iterator[int] = field(
        init=False, default_factory=lambda: itertools.count(13_000_000_000_000_001)
    )

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        language_code: str | None = "en",
        last_name: str | None = None,
    ) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self.users[user_id] = user
        info: JSONDict = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name is not None:
            info["last_name"] = last_name
        if username is not None:
            info["username"] = username
        existing = self.chats.get(user_id)
        if existing is not None:
            existing.info = info
        else:
            self.chats[user_id] = Chat(user_id, "private", info, members={user_id})
        return copy.deepcopy(user)

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        members: Iterable[int] = (),
        bot_is_member: bool = True,
        bot_can_post: bool = True,
        username: str | None = None,
        admins: Iterable[int] = (),
        bot_is_admin: bool = True,
    ) -> JSONDict:
        """A supergroup. The bot is an administrator unless ``bot_is_admin=False`` (then a plain
        member); ``bot_can_post=False`` makes it a restricted member that cannot send."""
        info: JSONDict = {"id": chat_id, "title": title, "type": "supergroup"}
        if username is not None:
            info["username"] = username
        if not bot_is_member:
            status = "left"
        elif not bot_can_post:
            status = "restricted"
        else:
            status = "administrator" if bot_is_admin else "member"
        admin_ids = set(admins)
        self.chats[chat_id] = Chat(
            chat_id,
            "supergroup",
            info,
            members=set(members) | admin_ids,
            admins=admin_ids,
            bot_status=status,
            bot_can_post=bot_can_post,
        )
        return copy.deepcopy(info)

    def add_channel(
        self,
        chat_id: int,
        title: str,
        *,
        username: str | None = None,
        bot_is_admin: bool = False,
    ) -> JSONDict:
        info: JSONDict = {"id": chat_id, "title": title, "type": "channel"}
        if username is not None:
            info["username"] = username
        self.chats[chat_id] = Chat(
            chat_id,
            "channel",
            info,
            bot_status="administrator" if bot_is_admin else "left",
            bot_can_post=bot_is_admin,
        )
        return copy.deepcopy(info)

    def add_member(self, chat_id: int, user_id: int, *, admin: bool = False) -> None:
        chat = self.chat(chat_id)
        chat.members.add(user_id)
        if admin:
            chat.admins.add(user_id)

    def remove_member(self, chat_id: int, user_id: int) -> None:
        chat = self.chat(chat_id)
        chat.members.discard(user_id)
        chat.admins.discard(user_id)

    def user(self, user_id: int) -> JSONDict:
        user = self.users.get(user_id)
        if user is None:
            raise KeyError(f"unknown user {user_id}: call add_user first")
        return user

    def chat(self, chat_id: int) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise KeyError(f"unknown chat {chat_id}")
        return chat

    def actor(self, chat: Chat, by_user_id: int | None) -> int:
        """Who changed the bot's standing: the given user, else someone in the chat, else an
        ``Admin`` placeholder, because a my_chat_member update always names its ``from``."""
        if by_user_id is not None:
            self.user(by_user_id)
            return by_user_id
        for uid in sorted(chat.admins) + sorted(chat.members):
            if uid in self.users:
                return uid
        placeholder = 777_000
        if placeholder not in self.users:
            self.users[placeholder] = {"id": placeholder, "is_bot": False, "first_name": "Admin"}
        return placeholder

    def bot_status_change(self, chat: Chat, actor_id: int, old: str, new: str) -> JSONDict:
        """The my_chat_member payload for the bot's status in ``chat`` going from old to new."""
        bot_user = self.settings.bot_user
        actor = bot_user if actor_id == self.settings.bot_id else self.user(actor_id)
        return {
            "chat": copy.deepcopy(chat.info),
            "from": copy.deepcopy(actor),
            "date": int(time.time()),
            "old_chat_member": self.member(bot_user, old, chat),
            "new_chat_member": self.member(bot_user, new, chat),
        }

    def member(self, user: JSONDict, status: str, chat: Chat) -> JSONDict:
        """The user as a ChatMember of ``chat`` with ``status``, as getChatMember answers."""
        return _member_object(user, status, chat, self.settings.bot_id)

    def new_media_group_id(self) -> str:
        return str(next(self._media_group_seq))

    def store_message(
        self,
        chat: Chat,
        sender: JSONDict | None,
        content: JSONDict,
        *,
        from_bot: bool,
        date: int | None = None,
    ) -> JSONDict:
        """Add a message to the chat's history under its next id; return the stored dict."""
        mid = chat.next_message_id
        chat.next_message_id += 1
        msg: JSONDict = {"message_id": mid}
        if chat.kind == "channel":
            msg["sender_chat"] = copy.deepcopy(chat.info)
        elif sender is not None:
            msg["from"] = copy.deepcopy(sender)
        msg["chat"] = copy.deepcopy(chat.info)
        msg["date"] = date if date is not None else int(time.time())
        msg.update(content)
        chat.messages[mid] = msg
        if from_bot:
            chat.bot_message_ids.append(mid)
        self.changed(chat, mid)
        return msg

    def changed(self, chat: Chat, message_id: int) -> None:
        """Tell the watchers that a stored message appeared, changed or was deleted."""
        for watcher in list(self.watchers):
            watcher(chat.chat_id, message_id)

    def resolve_chat(self, chat_id: Any) -> Chat:
        """The chat a ``chat_id`` parameter names (an id or a public ``@username``), as far as
        the bot can see it; otherwise "chat not found"."""
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, bool):
            raise bad_request("chat not found")
        if isinstance(chat_id, str):
            s = chat_id.strip()
            if s.startswith("@"):
                wanted = s[1:].lower()
                for candidate in self.chats.values():
                    name = candidate.info.get("username")
                    if candidate.kind != "private" and name and name.lower() == wanted:
                        return candidate
                raise bad_request("chat not found")
            try:
                chat_id = int(s)
            except ValueError:
                raise bad_request("chat not found") from None
        if isinstance(chat_id, float) and chat_id.is_integer():
            chat_id = int(chat_id)
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        hidden = chat.kind == "channel" and chat.bot_status in {"left", "kicked"}
        if hidden and "username" not in chat.info:
            raise bad_request("chat not found")
        return chat

    def sendable_chat(self, chat_id: Any, what: str) -> Chat:
        """The chat a ``chat_id`` parameter names, if the bot may post ``what`` into it."""
        chat = self.resolve_chat(chat_id)
        self.check_can_send(chat, what)
        return chat

    def readable_chat(self, chat_id: Any, *, refuse_private: str | None = None) -> Chat:
        """The chat a ``chat_id`` parameter names, if the bot can read it; with
        ``refuse_private``, a private chat is refused first, with that Bad Request detail."""
        chat = self.resolve_chat(chat_id)
        if refuse_private is not None and chat.kind == "private":
            raise bad_request(refuse_private)
        self.check_access(chat)
        return chat

    def check_can_send(self, chat: Chat, what: str) -> None:
        """The bot may post ``what`` (text or a media kind) into the chat."""
        self._check_in_chat(chat)
        if chat.kind == "private":
            return
        if chat.kind == "channel":
            if chat.bot_status != "administrator" or not chat.bot_can_post:
                raise bad_request("need administrator rights in the channel chat")
        elif chat.bot_status == "restricted" or not chat.bot_can_post:
            raise bad_request(
                f"not enough rights to send {_RIGHTS_WORDS.get(what, what)} to the chat"
            )

    def check_access(self, chat: Chat) -> None:
        """The bot can read/edit in the chat (not necessarily post)."""
        if chat.kind == "channel" and chat.bot_status == "left":
            # A public channel can be read from outside; a private one is not there at all.
            if "username" in chat.info:
                return
            raise bad_request("chat not found")
        self._check_in_chat(chat)

    def _check_in_chat(self, chat: Chat) -> None:
        """The bot is in the chat: the user keeps the private chat open (started, not blocked,
        account not deleted), or the bot was neither removed from a group or channel nor left."""
        if chat.kind == "private":
            if chat.chat_id in self.deactivated:
                raise forbidden("user is deactivated")
            if chat.chat_id in self.blocked:
                raise forbidden("bot was blocked by the user")
            if chat.chat_id not in self.started:
                raise forbidden("bot can't initiate conversation with a user")
        elif chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.label}")
        elif chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {chat.label}")

    def find_message(self, chat: Chat, message_id: Any, missing: str) -> JSONDict:
        """A message of the chat that is not deleted; otherwise Bad Request with ``missing``."""
        mid = as_int(message_id)
        if mid is None:
            raise bad_request("message identifier is not specified")
        msg = chat.messages.get(mid)
        if msg is None or msg.get("_deleted"):
            raise bad_request(missing)
        return msg


def _member_object(user: JSONDict, status: str, chat: Chat, bot_id: int) -> JSONDict:
    user = copy.deepcopy(user)
    if status == "creator":
        return {"user": user, "status": "creator", "is_anonymous": False}
    if status == "administrator":
        member: JSONDict = {
            "user": user,
            "status": "administrator",
            "can_be_edited": False,
            "is_anonymous": False,
            "can_manage_chat": True,
            "can_delete_messages": True,
            "can_manage_video_chats": True,
            "can_restrict_members": True,
            "can_promote_members": False,
            "can_change_info": True,
            "can_invite_users": True,
            "can_post_stories": False,
            "can_edit_stories": False,
            "can_delete_stories": False,
        }
        if chat.kind == "channel":
            member["can_post_messages"] = chat.bot_can_post or user["id"] != bot_id
            member["can_edit_messages"] = True
        else:
            member["can_pin_messages"] = True
            member["can_manage_topics"] = False
        return member
    if status == "restricted":
        return {
            "user": user,
            "status": "restricted",
            "is_member": True,
            "can_send_messages": False,
            "can_react_to_messages": False,
            "can_send_audios": False,
            "can_send_documents": False,
            "can_send_photos": False,
            "can_send_videos": False,
            "can_send_video_notes": False,
            "can_send_voice_notes": False,
            "can_send_polls": False,
            "can_send_other_messages": False,
            "can_add_web_page_previews": False,
            "can_change_info": False,
            "can_invite_users": False,
            "can_pin_messages": False,
            "can_manage_topics": False,
            "can_edit_tag": False,
            "until_date": 0,
        }
    if status == "kicked":
        return {"user": user, "status": "kicked", "until_date": 0}
    return {"user": user, "status": status}


def public_message(msg: JSONDict, *, nested: bool = True) -> JSONDict:
    out = {k: copy.deepcopy(v) for k, v in msg.items() if not k.startswith("_")}
    if not nested:
        out.pop("reply_to_message", None)
    return out
