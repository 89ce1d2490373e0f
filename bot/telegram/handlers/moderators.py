"""Handlers for moderators, in moderator space (app.py filters the chats)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.lifecycle import Action
from bot.render.callback_data import CaseAction, decode
from bot.render.i18n import plain
from bot.telegram.convert import answer, command_args, person
from bot.telegram.handlers import DeskHandlers


class ModeratorHandlers(DeskHandlers):
    async def case_button(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """A button on a case card: checked against the card, the presser and the case state."""
        query = update.callback_query
        assert query is not None
        config = self.desk.config()
        action = decode(query.data)
        message = query.message
        if (
            not isinstance(action, CaseAction)
            or message is None
            or not config.is_moderator_space(message.chat.id)
            or (
                # Buttons that (re)post a card live on queues, digests and alarms, not on cards.
                action.action is not Action.POST
                and await self.desk.lookup.case_of_card(message.chat.id, message.message_id)
                != action.case_id
            )
        ):
            await answer(query, plain(config.language, "button.invalid"), alert=True)
            return
        outcome = await self.desk.moderation.press(person(query.from_user), message.chat.id, action)
        await answer(query, outcome.answer, alert=outcome.alert)

    async def reply(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """A reply in moderator space: a prompt's answer, or an internal note on a case."""
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None or message.reply_to_message is None:
            return
        text = message.text or message.caption or ""
        await self.desk.moderation.moderator_reply(
            person(user), message.chat.id, message.reply_to_message.message_id, text
        )

    async def queue(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/queue: undecided cases, most urgent and oldest first."""
        chat = update.effective_chat
        user = update.effective_user
        if chat is None or user is None:
            return
        await self.desk.lookup.queue(person(user), chat.id)

    async def case(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """/case N: re-post a case's card with its history and evidence."""
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None:
            return
        await self.desk.lookup.show_case(person(user), message.chat.id, command_args(message))

    async def unknown_button(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """Data we never issued (or from an older version): answer and change nothing."""
        query = update.callback_query
        assert query is not None
        await answer(query, plain(self.desk.config().language, "button.invalid"), alert=True)
