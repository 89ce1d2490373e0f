"""Chats, members and files: getChat, getChatMember, getChatAdministrators,
getChatMemberCount, leaveChat, getFile.

Answers are shaped as Telegram's (ChatFullInfo, ChatMember by status); what the bot may see
follows its standing in the chat, and leaving a chat sends the bot its own my_chat_member update.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from bot.sandbox.errors import bad_request, forbidden
from bot.sandbox.files import FileStore
from bot.sandbox.params import JSONDict, as_int
from bot.sandbox.routing import api
from bot.sandbox.settings import Settings
from bot.sandbox.updates import UpdateQueue
from bot.sandbox.world import World


@dataclass(eq=False)
class ChatMethods:
    """The methods by which the bot looks at chats and members, leaves chats, fetches files."""

    settings: Settings
    world: World
    files: FileStore
    updates: UpdateQueue

    @api
    async def get_chat(self, p: JSONDict) -> Any:
        chat = self.world.resolve_chat(p.get("chat_id"))
        if chat.kind != "private" and chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.label}")
        if chat.kind == "supergroup" and chat.bot_status == "left" and "username" not in chat.info:
            raise forbidden(f"bot is not a member of the {chat.label}")
        info = copy.deepcopy(chat.info)
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        if chat.kind == "private":
            user = self.world.users.get(chat.chat_id, {})
            if "username" in user:
                info["active_usernames"] = [user["username"]]
        return info

    @api
    async def get_chat_member(self, p: JSONDict) -> Any:
        chat = self.world.resolve_chat(p.get("chat_id"))
        if chat.kind != "private":
            self.world.check_access(chat)
        user_id = as_int(p.get("user_id"))
        if user_id == self.settings.bot_id:
            status = "member" if chat.kind == "private" else chat.bot_status
            return self.world.member(self.settings.bot_user, status, chat)
        if user_id is None or user_id not in self.world.users:
            raise bad_request("user not found")
        user = self.world.users[user_id]
        if chat.kind == "private":
            return self.world.member(user, "member" if user_id == chat.chat_id else "left", chat)
        if user_id in chat.admins:
            return self.world.member(user, "administrator", chat)
        if user_id in chat.members:
            return self.world.member(user, "member", chat)
        return self.world.member(user, "left", chat)

    @api
    async def get_chat_administrators(self, p: JSONDict) -> Any:
        chat = self.world.readable_chat(
            p.get("chat_id"), refuse_private="there are no administrators in the private chat"
        )
        out = [
            self.world.member(self.world.users[uid], "administrator", chat)
            for uid in sorted(chat.admins)
            if uid in self.world.users
        ]
        if chat.bot_status == "administrator":
            out.append(self.world.member(self.settings.bot_user, "administrator", chat))
        return out

    @api
    async def get_chat_member_count(self, p: JSONDict) -> Any:
        chat = self.world.readable_chat(p.get("chat_id"))
        bot = 1 if chat.bot_status in {"administrator", "member", "restricted"} else 0
        return len(chat.members) + bot

    @api
    async def leave_chat(self, p: JSONDict) -> Any:
        chat = self.world.readable_chat(
            p.get("chat_id"), refuse_private="chat member status can't be changed in private chats"
        )
        old = chat.bot_status
        chat.bot_status = "left"
        self.updates.enqueue(
            "my_chat_member",
            self.world.bot_status_change(chat, self.settings.bot_id, old, "left"),
        )
        return True

    @api
    async def get_file(self, p: JSONDict) -> Any:
        record = self.files.get(str(p.get("file_id") or ""))
        if record is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.file_size,
            "file_path": f"{record.kind}s/{record.file_unique_id}",
        }
