"""The last line of defence: log a failing update with context and tell the user something."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.convert import person
from bot.telegram.handlers import DeskHandlers

log = logging.getLogger(__name__)


class ErrorHandlers(DeskHandlers):
    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log with the update's identity; the person who sent it hears that we failed."""
        described = update.to_dict() if isinstance(update, Update) else repr(update)
        log.error("update failed: %s", described, exc_info=context.error)
        if not isinstance(update, Update):
            return
        user = update.effective_user
        chat = update.effective_chat
        if update.callback_query is not None:
            return
        if user is not None and chat is not None and chat.type == "private":
            try:
                await self.desk.context.say(person(user), "error.generic")
            except Exception:
                log.exception("could not tell user %s about the failure", user.id)
