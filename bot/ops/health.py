"""The process's own view of its health: does storage work, does Telegram accept the token,
when did polling last succeed. Problems are logged once per episode, not on every attempt."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.store.errors import StorageHealth

log = logging.getLogger(__name__)


class TokenHealth:
    """Whether Telegram accepts the bot's token (401 or 404 on the bot's own methods say no)."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self.refused_since: float | None = None
        self.refusal: str | None = None
        self.on_accepted_again: list[Callable[[float], None]] = []

    @property
    def ok(self) -> bool:
        return self.refused_since is None

    def refused(self, description: str) -> None:
        self.refusal = description
        if self.refused_since is not None:
            return
        self.refused_since = self.monotonic()
        log.error(
            "Telegram refuses the bot's token (%s): sending and polling pause and resume by "
            "themselves once it is accepted again; check BOT_TOKEN",
            description,
        )

    def accepted(self) -> None:
        if self.refused_since is None:
            return
        seconds = self.monotonic() - self.refused_since
        self.refused_since = None
        log.warning("Telegram accepts the bot's token again after %.0f s", seconds)
        for listener in self.on_accepted_again:
            listener(seconds)


class Health:
    """Everything the health check reports, kept by the parts that notice it."""

    def __init__(self, storage: StorageHealth, monotonic: Callable[[], float] = time.monotonic):
        self.storage = storage
        self.token = TokenHealth(monotonic)
        self.monotonic = monotonic
        self.last_poll_at: float | None = None
        # Told how long the handlers took on each update (seconds), for the metrics.
        self.on_update_handled: list[Callable[[float], None]] = []

    def update_handled(self, seconds: float) -> None:
        for listener in self.on_update_handled:
            listener(seconds)

    def polled(self) -> None:
        self.last_poll_at = self.monotonic()
        self.token.accepted()
