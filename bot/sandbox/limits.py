"""Telegram's limits: lengths, keyboard sizes, and flood control with Telegram's 429 answers.

Flood control is off unless the fake's ``enforce_rate_limits`` is set. When on, a send into a
group or channel counts against 20 messages a minute, a send into a private chat against a burst
of 3 refilled at 1 a second, and every send against 30 a second overall; a send over any limit
is answered ``429 Too Many Requests: retry after N`` and consumes nothing.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from bot.sandbox.clock import Clock
from bot.sandbox.errors import too_many_requests
from bot.sandbox.settings import Settings
from bot.sandbox.world import Chat

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
MAX_BUTTONS = 100

GROUP_WINDOW = 60.0
GROUP_MAX = 20
PRIVATE_BURST = 3
PRIVATE_RATE = 1.0
GLOBAL_WINDOW = 1.0
GLOBAL_MAX = 30


class RateLimiter:
    """Telegram-like flood control: per group/channel, per private chat, and overall."""

    def __init__(self) -> None:
        self.groups: dict[int, deque[float]] = {}
        self.private: dict[int, tuple[float, float]] = {}  # chat -> (tokens, last refill)
        self.overall: deque[float] = deque()

    @staticmethod
    def _window_wait(stamps: deque[float], window: float, limit: int, n: int, now: float) -> float:
        while stamps and stamps[0] <= now - window:
            stamps.popleft()
        if len(stamps) + n <= limit:
            return 0.0
        if n > limit:
            return window
        index = len(stamps) + n - limit - 1
        return stamps[index] + window - now

    def check(self, chat: Chat, n: int, now: float) -> int | None:
        """Return seconds to wait (429), or None after consuming ``n`` message slots."""
        waits = [self._window_wait(self.overall, GLOBAL_WINDOW, GLOBAL_MAX, n, now)]
        tokens = 0.0
        need = 0.0
        if chat.kind == "private":
            tokens, last = self.private.get(chat.chat_id, (float(PRIVATE_BURST), now))
            tokens = min(float(PRIVATE_BURST), tokens + (now - last) * PRIVATE_RATE)
            need = float(min(n, PRIVATE_BURST))
            if tokens + 1e-9 < need:
                waits.append((need - tokens) / PRIVATE_RATE)
        else:
            stamps = self.groups.setdefault(chat.chat_id, deque())
            waits.append(self._window_wait(stamps, GROUP_WINDOW, GROUP_MAX, n, now))
        wait = max(waits)
        if wait > 0:
            return max(1, math.ceil(wait))
        self.overall.extend([now] * n)
        if chat.kind == "private":
            self.private[chat.chat_id] = (max(0.0, tokens - need), now)
        else:
            self.groups[chat.chat_id].extend([now] * n)
        return None


@dataclass(eq=False)
class FloodControl:
    """Admits the bot's sends under :class:`RateLimiter` while the fake enforces rate limits;
    ``rate_limited`` counts the sends it refused."""

    settings: Settings
    clock: Clock
    rate_limited: int = field(init=False, default=0)
    _limiter: RateLimiter = field(init=False, default_factory=RateLimiter)

    def admit(self, chat: Chat, n: int = 1) -> None:
        """Let ``n`` messages into the chat, or raise 429 (and count it in ``rate_limited``)."""
        if not self.settings.enforce_rate_limits or n <= 0:
            return
        wait = self._limiter.check(chat, n, self.clock.now())
        if wait is not None:
            self.rate_limited += 1
            raise too_many_requests(wait)
