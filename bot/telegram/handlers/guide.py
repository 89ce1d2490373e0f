"""Greetings and help for every role, in a private chat and in moderator space."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.convert import person, sender, who
from bot.telegram.handlers import DeskHandlers


class GuideHandlers(DeskHandlers):
    async def start(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/start in private: a greeting for each role; anyone else learns their id."""
        await self.desk.guide.start(who(update))

    async def help(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/help in private: how to report, and each desk role's commands."""
        await self.desk.guide.help(who(update))

    async def help_in_moderator_space(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/start or /help in moderator space: the sender's commands there."""
        message, user = sender(update)
        await self.desk.guide.help_in_moderator_space(person(user), message.chat.id)

    async def moderator_space_only(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/queue or /case in private: cards live in moderator space only."""
        message, user = sender(update)
        command = (message.text or "/").split()[0].lstrip("/").split("@")[0]
        await self.desk.guide.moderator_space_only(person(user), command)
