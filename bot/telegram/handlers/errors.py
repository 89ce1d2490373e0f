"""What happens when a handler fails: the failure is noted on the update's attempt (the poller
decides whether to retry it, set it aside or give up), logged without the message's content, and
a button press whose effect could not be stored is answered at once so the moderator presses
again."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.render.i18n import plain
from bot.store import current_attempt
from bot.store.errors import describe, is_storage_failure
from bot.telegram.convert import answer
from bot.telegram.handlers import DeskHandlers

log = logging.getLogger(__name__)


class ErrorHandlers(DeskHandlers):
    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        attempt = current_attempt.get()
        if attempt is not None and error is not None:
            attempt.error = error
        if not isinstance(update, Update):
            log.error("a handler failed outside an update: %s", describe(error or Exception()))
            return
        chat = update.effective_chat
        where = f"update {update.update_id} in chat {chat.id if chat else '?'}"
        if error is not None and is_storage_failure(error):
            log.warning("%s waits for storage: %s", where, describe(error))
            if update.callback_query is not None:
                text = plain(self.desk.config().language, "press.not_saved")
                await answer(update.callback_query, text, alert=True)
            return
        log.error("%s failed: %s", where, describe(error or Exception()), exc_info=error)
