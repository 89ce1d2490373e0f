"""The floor to compare the desk with: a bare python-telegram-bot app that makes the same three
calls per report (the acknowledgement, a card in the group, a copy of the evidence) and stores
nothing. Run against the same fake Bot API, with or without Telegram's limits (then paced by
PTB's own AIORateLimiter, as a careful bare bot would be), as a process of its own like the desk:

    BOT_TOKEN=... python -m bench.bare --base-url URL --group ID --times FILE [--limits]

runs until SIGTERM, then writes the wall time each report was handled to FILE.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
)

from tests.factories import polling


@asynccontextmanager
async def bare_app(
    token: str, base_url: str, group: int, *, limits: bool, handled: list[float]
) -> AsyncIterator[Any]:
    """Polling and answering until the block ends; `handled` gets the wall time each report was
    taken in (its handler ran), the moment that matches the desk's commit."""
    numbers = itertools.count(1)
    background: set[asyncio.Task[None]] = set()

    async def report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        handled.append(time.time())
        number = next(numbers)
        await context.bot.send_message(message.chat_id, f"✅ Received as case #{number}")

        async def post() -> None:  # the group's pace must not hold up the acknowledgements
            await context.bot.send_message(group, f"#{number} · a card")
            await context.bot.copy_message(group, message.chat_id, message.message_id - 1)

        task = asyncio.create_task(post())
        background.add(task)
        task.add_done_callback(background.discard)

    builder = ApplicationBuilder().token(token).base_url(base_url).concurrent_updates(True)
    if limits:
        # A 429 is waited out and retried, as a careful bot would.
        builder = builder.rate_limiter(AIORateLimiter(max_retries=5))  # type: ignore[arg-type]
    application = builder.build()
    application.add_handler(CommandHandler("report", report))
    async with polling(application):
        try:
            yield application
        finally:
            for task in list(background):
                task.cancel()


async def serve(base_url: str, group: int, *, limits: bool) -> list[float]:
    """Until SIGTERM; the times reports were handled."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    handled: list[float] = []
    async with bare_app(os.environ["BOT_TOKEN"], base_url, group, limits=limits, handled=handled):
        await stop.wait()
    return handled


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the bare app, until SIGTERM")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--group", type=int, required=True)
    parser.add_argument("--limits", action="store_true")
    parser.add_argument("--times", type=Path, required=True)
    args = parser.parse_args()
    handled = asyncio.run(serve(args.base_url, args.group, limits=args.limits))
    args.times.write_text("".join(f"{at}\n" for at in handled), "utf-8")
