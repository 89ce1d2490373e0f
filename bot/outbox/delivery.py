"""The transport seam: what the outbox needs from Telegram, and how a failed send is classed.

The Telegram edge implements `Transport` and raises `DeliveryError` with a `Failure` class, so
the outbox decides what to do (wait, retry, hold, drop) without knowing Telegram's error types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from bot.domain.models import Item
from bot.render.message import Button


class Failure(StrEnum):
    RETRY_AFTER = "retry_after"  # 429: wait as told, then the same call may succeed
    TRANSIENT = "transient"  # network trouble, timeouts, 5xx: retry with backoff
    NOT_MODIFIED = "not_modified"  # an edit that changes nothing: already done
    RECIPIENT_GONE = "recipient_gone"  # a user blocked the bot or never started it
    CHAT_UNAVAILABLE = "chat_unavailable"  # kicked, no rights, chat not found or migrated
    TARGET_MISSING = "target_missing"  # the message to edit, copy or reply to is gone
    QUERY_TOO_OLD = "query_too_old"  # a callback query answered too late
    BOT_REFUSED = "bot_refused"  # 401/404: Telegram refuses the token itself, for every send
    PERMANENT = "permanent"  # a request Telegram will never accept as it is


class DeliveryError(Exception):
    def __init__(
        self, failure: Failure, description: str, *, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{failure.value}: {description}")
        self.failure = failure
        self.description = description
        self.retry_after = retry_after


@dataclass(frozen=True)
class OutgoingText:
    """An HTML message to send: with inline buttons, or asking for a reply (ForceReply)."""

    chat_id: int
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    reply_to: int | None = None
    force_reply: bool = False


# Telegram's limit on a file a bot uploads (a self-hosted Bot API server lifts it).
UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class OutgoingFile:
    """A file on disk to send as a photo (a chart) or a document (an export)."""

    chat_id: int
    path: str
    filename: str
    as_photo: bool = False
    caption: str | None = None


class Transport(Protocol):
    async def send_message(self, message: OutgoingText) -> int: ...

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, buttons: list[list[Button]]
    ) -> None: ...

    async def copy_message(
        self, chat_id: int, from_chat_id: int, message_id: int, reply_to: int | None
    ) -> int: ...

    async def send_album(
        self, chat_id: int, items: list[Item], reply_to: int | None
    ) -> list[int]: ...

    async def leave_chat(self, chat_id: int) -> None: ...

    async def resend_items(
        self, chat_id: int, items: list[Item], reply_to: int | None
    ) -> list[int]: ...

    async def send_file(self, outgoing: OutgoingFile) -> int: ...


class ChatAlerts(Protocol):
    """Who hears that moderator space became unreachable, and that it is back."""

    async def unreachable(self, chat_id: int, description: str) -> None: ...

    async def reachable(self, chat_id: int) -> None: ...
