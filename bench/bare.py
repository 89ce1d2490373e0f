"""The floor to compare the desk with: a bare python-telegram-bot app that makes the same three
calls per report (the acknowledgement, a card in the group, a copy of the evidence) and stores
nothing. Run against the same fake Bot API, with or without Telegram's limits (then paced by
PTB's own AIORateLimiter, as a careful bare bot would be)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
)

from bot.sandbox import FakeTelegram
from tests.factories import polling


@asynccontextmanager
async def bare_app(tg: FakeTelegram, group: int, *, limits: bool) -> AsyncIterator[Any]:
    """Polling and answering until the block ends."""
    numbers = itertools.count(1)
    background: set[asyncio.Task[None]] = set()

    async def report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        number = next(numbers)
        await context.bot.send_message(message.chat_id, f"✅ Received as case #{number}")

        async def post() -> None:  # the group's pace must not hold up the acknowledgements
            await context.bot.send_message(group, f"#{number} · a card")
            await context.bot.copy_message(group, message.chat_id, message.message_id - 1)

        task = asyncio.create_task(post())
        background.add(task)
        task.add_done_callback(background.discard)

    builder = ApplicationBuilder().token(tg.token).base_url(tg.base_url).concurrent_updates(True)
    if limits:
        builder = builder.rate_limiter(AIORateLimiter())  # type: ignore[arg-type]
    application = builder.build()
    application.add_handler(CommandHandler("report", report))
    async with polling(application):
        try:
            yield application
        finally:
            for task in list(background):
                task.cancel()
