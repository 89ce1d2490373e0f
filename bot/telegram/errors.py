"""Classify python-telegram-bot's exceptions in one place, by type and then by description."""

from __future__ import annotations

import warnings

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.outbox.delivery import DeliveryError, Failure

# Fragments of 400 descriptions, lower-cased; the first match wins.
BAD_REQUEST_FRAGMENTS: tuple[tuple[str, Failure], ...] = (
    ("message is not modified", Failure.NOT_MODIFIED),
    ("query is too old", Failure.QUERY_TOO_OLD),
    ("query id is invalid", Failure.QUERY_TOO_OLD),
    ("message to edit not found", Failure.TARGET_MISSING),
    ("message to copy not found", Failure.TARGET_MISSING),
    ("message to forward not found", Failure.TARGET_MISSING),
    ("message to be replied not found", Failure.TARGET_MISSING),
    ("message can't be edited", Failure.TARGET_MISSING),
    ("chat not found", Failure.CHAT_UNAVAILABLE),
    ("not enough rights", Failure.CHAT_UNAVAILABLE),
    ("have no rights", Failure.CHAT_UNAVAILABLE),
    ("chat_write_forbidden", Failure.CHAT_UNAVAILABLE),
    ("group chat was upgraded", Failure.CHAT_UNAVAILABLE),
    ("peer_id_invalid", Failure.CHAT_UNAVAILABLE),
    ("user is deactivated", Failure.RECIPIENT_GONE),
)

FORBIDDEN_PRIVATE_FRAGMENTS = (
    "bot was blocked by the user",
    "user is deactivated",
    "bot can't initiate conversation",
)


def classify(error: TelegramError) -> DeliveryError:
    description = error.message
    lowered = description.lower()
    if isinstance(error, RetryAfter):
        with warnings.catch_warnings():
            # PTB warns that retry_after will become a timedelta; both forms are handled here.
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            seconds = error.retry_after
        wait = seconds.total_seconds() if hasattr(seconds, "total_seconds") else float(seconds)
        return DeliveryError(Failure.RETRY_AFTER, description, retry_after=wait)
    if isinstance(error, InvalidToken):
        # 401 or 404 on the bot's own methods: nothing is wrong with the message itself. PTB's
        # description quotes the token, so it is not passed on.
        return DeliveryError(Failure.BOT_REFUSED, "Telegram refused the token")
    if isinstance(error, ChatMigrated):
        return DeliveryError(Failure.CHAT_UNAVAILABLE, f"chat migrated to {error.new_chat_id}")
    if isinstance(error, Forbidden):
        if any(fragment in lowered for fragment in FORBIDDEN_PRIVATE_FRAGMENTS):
            return DeliveryError(Failure.RECIPIENT_GONE, description)
        return DeliveryError(Failure.CHAT_UNAVAILABLE, description)
    if isinstance(error, BadRequest):
        for fragment, failure in BAD_REQUEST_FRAGMENTS:
            if fragment in lowered:
                return DeliveryError(failure, description)
        return DeliveryError(Failure.PERMANENT, description)
    if isinstance(error, TimedOut | NetworkError):
        # PTB raises NetworkError for 5xx answers and dropped connections alike.
        return DeliveryError(Failure.TRANSIENT, description)
    return DeliveryError(Failure.PERMANENT, description)
