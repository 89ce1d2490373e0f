"""Reaching Telegram at start, and the few messages that must not wait for the outbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

log = logging.getLogger(__name__)

MAX_CONNECT_RETRY_SECONDS = 30.0


class TokenRefused(Exception):
    """Telegram refused the bot's token (401, or 404 on the bot's own methods)."""


async def connect(
    application: Application,  # type: ignore[type-arg]
    stop: asyncio.Event,
    where: str,
) -> bool:
    """Ask Telegram who the bot is until it answers: a refused token raises TokenRefused at once,
    an unreachable Telegram is retried with backoff (one line each time). False when told to
    stop before Telegram answered."""
    failures = 0
    while not stop.is_set():
        try:
            await application.initialize()
        except InvalidToken:
            raise TokenRefused from None  # PTB's message quotes the token: say nothing of it
        except NetworkError as error:
            failures += 1
            delay = min(MAX_CONNECT_RETRY_SECONDS, 2.0 ** min(failures, 5))
            log.error("Telegram is unreachable at %s (%s); retrying in %.0f s", where, error, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            continue
        return True
    return False


async def tell_directly(bot: Bot, chat_ids: Iterable[int], text: str) -> None:
    """Best effort, outside the outbox (for when the database behind the outbox fails)."""
    for chat_id in chat_ids:
        try:
            await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
        except TelegramError as error:
            log.warning("could not tell %s directly: %s", chat_id, error.message)
