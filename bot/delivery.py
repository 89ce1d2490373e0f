"""The outcome classes of a failed send, shared by the outbox and the Telegram edge."""

from __future__ import annotations

from enum import StrEnum


class Failure(StrEnum):
    RETRY_AFTER = "retry_after"  # 429: wait as told, then the same call may succeed
    TRANSIENT = "transient"  # network trouble, timeouts, 5xx: retry with backoff
    NOT_MODIFIED = "not_modified"  # an edit that changes nothing: already done
    RECIPIENT_GONE = "recipient_gone"  # a user blocked the bot or never started it
    CHAT_UNAVAILABLE = "chat_unavailable"  # kicked, no rights, chat not found or migrated
    TARGET_MISSING = "target_missing"  # the message to edit, copy or reply to is gone
    QUERY_TOO_OLD = "query_too_old"  # a callback query answered too late
    PERMANENT = "permanent"  # a request Telegram will never accept as it is


class DeliveryError(Exception):
    def __init__(
        self, failure: Failure, description: str, *, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{failure.value}: {description}")
        self.failure = failure
        self.description = description
        self.retry_after = retry_after
