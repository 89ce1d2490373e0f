"""Handlers for the desk's own membership and onboarding: ids, unknown groups, reloads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ContextTypes

from bot.config.reloading import ReloadResult
from bot.desk import Desk
from bot.telegram.convert import person, who

Reload = Callable[[str], Awaitable[ReloadResult]]


class AdminHandlers:
    def __init__(self, desk: Desk, reload: Reload | None) -> None:
        self.desk = desk
        self.reload_config = reload

    async def reload(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/reload: an admin re-reads the configuration file now."""
        user = update.effective_user
        assert user is not None
        if not self.desk.config().is_admin(user.id) or self.reload_config is None:
            await self.desk.context.say(person(user), "reload.not_admin")
            return
        result = await self.reload_config("/reload")
        await self.desk.admin.reload_reply(person(user), result.ok, result.changed, result.error)

    async def my_chat_member(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot was added to, removed from, or changed in a chat."""
        change = update.my_chat_member
        if change is None or change.chat.type == "private":
            return
        await self.desk.admin.bot_membership(
            change.chat.id, change.new_chat_member.status, change.from_user.id
        )

    async def whoami(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/whoami: anyone learns their Telegram id (to give to the admins)."""
        await self.desk.admin.whoami(who(update))

    async def chat_id(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/chatid in a group: an admin learns the group's id for the configuration."""
        user = update.effective_user
        chat = update.effective_chat
        assert user is not None and chat is not None
        await self.desk.admin.chat_id(person(user), chat.id)
