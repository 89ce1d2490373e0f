"""Handlers for accountability: /stats in moderator space (and an admin's private chat),
/quality and /export in an admin's private chat."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.convert import command_args, person, sender
from bot.telegram.handlers import DeskHandlers


class AccountabilityHandlers(DeskHandlers):
    async def stats(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/stats [7d|30d|YYYY-MM|YYYY]: counts, times to act and a chart."""
        message, user = sender(update)
        await self.desk.stats.stats(person(user), message.chat.id, command_args(message))

    async def quality(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/quality [period]: flagger quality, for admins in private only."""
        message, user = sender(update)
        await self.desk.stats.quality(person(user), message.chat.id, command_args(message))

    async def export(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/export [period]: the period's cases as CSV, for admins in private only."""
        message, user = sender(update)
        await self.desk.stats.export(person(user), message.chat.id, command_args(message))
