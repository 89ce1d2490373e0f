"""Handlers for reporters, in their private chat with the bot."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.render.callback_data import CategoryChoice, decode
from bot.render.i18n import plain
from bot.telegram.convert import answer, command_args, incoming_item, person, sender, who
from bot.telegram.handlers import DeskHandlers


class ReporterHandlers(DeskHandlers):
    async def report(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/report [category] [note]: turn the draft (or the replied-to message) into a report."""
        message, user = sender(update)
        replied = message.reply_to_message
        reply_to = (
            replied.message_id
            if replied is not None
            and replied.from_user is not None
            and replied.from_user.id == user.id
            else None
        )
        await self.desk.intake.report(
            person(user), message.chat.id, message.message_id, command_args(message), reply_to
        )

    async def cancel(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/cancel: empty the draft."""
        await self.desk.intake.cancel(who(update))

    async def status(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/status N: where one of the reporter's cases stands."""
        message, user = sender(update)
        await self.desk.reporters.status(person(user), command_args(message))

    async def my_cases(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/mycases: the reporter's recent cases."""
        await self.desk.reporters.my_cases(who(update))

    async def language(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/lang en|id: choose the language of the bot's messages."""
        message, user = sender(update)
        choice = command_args(message).strip().lower() or None
        await self.desk.reporters.set_language(person(user), choice)

    async def add(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/add N: attach the current draft to the reporter's open case N."""
        message, user = sender(update)
        await self.desk.questions.add(
            person(user), message.chat.id, message.message_id, command_args(message)
        )

    async def draft(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """Any other message a reporter sends joins their draft."""
        message, user = sender(update)
        replied = message.reply_to_message
        await self.desk.intake.receive(
            person(user),
            incoming_item(message, user.id),
            replied.message_id if replied is not None else None,
        )

    async def choose_category(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """A category button under a report that waits for one."""
        query = update.callback_query
        assert query is not None
        choice = decode(query.data)
        if not isinstance(choice, CategoryChoice):
            await answer(query, plain(self.desk.config().language, "button.invalid"), alert=True)
            return
        text = await self.desk.intake.choose_category(
            person(query.from_user), choice.report_id, choice.category
        )
        await answer(query, text)
