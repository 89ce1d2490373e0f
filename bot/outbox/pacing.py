"""Telegram's send limits, kept on purpose: sliding windows per chat and overall."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Window:
    """At most `limit` sends in any `seconds`-long window."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self.sent: deque[float] = deque()

    def wait(self, now: float, cost: int = 1) -> float:
        while self.sent and self.sent[0] <= now - self.seconds:
            self.sent.popleft()
        if len(self.sent) + cost <= self.limit:
            return 0.0
        if cost > self.limit:
            return 0.0 if not self.sent else self.sent[-1] + self.seconds - now
        index = len(self.sent) + cost - self.limit - 1
        return max(0.0, self.sent[index] + self.seconds - now)

    def record(self, now: float, cost: int = 1) -> None:
        self.sent.extend([now] * cost)


class Pacer:
    """How long until a chat may take `cost` more messages, and the pauses 429s impose."""

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        group_per_minute: int = 20,
        private_per_second: int = 1,
        overall_per_second: int = 30,
    ) -> None:
        self.clock = clock
        self.group_per_minute = group_per_minute
        self.private_per_second = private_per_second
        self.overall = Window(overall_per_second, 1.0)
        self.chats: dict[int, Window] = {}
        self.paused_until: dict[int, float] = {}

    def _window(self, chat_id: int) -> Window:
        window = self.chats.get(chat_id)
        if window is None:
            if chat_id < 0:
                window = Window(self.group_per_minute, 60.0)
            else:
                window = Window(self.private_per_second, 1.0)
            self.chats[chat_id] = window
        return window

    def wait(self, chat_id: int, cost: int = 1, *, reserve: int = 0) -> float:
        """Seconds until `cost` messages may go to the chat while leaving `reserve` of the
        chat's own budget unused (the overall limit knows no reserve)."""
        now = self.clock()
        pause = max(0.0, self.paused_until.get(chat_id, 0.0) - now)
        return max(
            pause,
            self._window(chat_id).wait(now, cost + reserve),
            self.overall.wait(now, cost),
        )

    def has_room(self, chat_id: int, count: int) -> bool:
        """Whether the chat's own window has `count` free slots now."""
        return self._window(chat_id).wait(self.clock(), count) == 0

    @contextmanager
    def sending(self, chat_id: int, cost: int = 1) -> Iterator[None]:
        """Counts the send when Telegram has answered (or the call failed), never before: a
        stamp taken before the request could be earlier than when Telegram counted it, and
        the window measured from it would close a moment too soon. Sends go one at a time,
        so none is in flight uncounted while the next is weighed."""
        try:
            yield
        finally:
            self.record(chat_id, cost)

    def record(self, chat_id: int, cost: int = 1) -> None:
        now = self.clock()
        self._window(chat_id).record(now, cost)
        self.overall.record(now, cost)

    def pause(self, chat_id: int, seconds: float) -> None:
        self.paused_until[chat_id] = max(
            self.paused_until.get(chat_id, 0.0), self.clock() + seconds
        )

    def describe(self, chat_id: int) -> str:
        now = self.clock()
        window = self._window(chat_id)
        recent = sum(1 for at in window.sent if at > now - window.seconds)
        paused = max(0.0, self.paused_until.get(chat_id, 0.0) - now)
        overall = sum(1 for at in self.overall.sent if at > now - 1.0)
        return f"{recent}/{window.limit} in window, paused {paused:.1f}s, overall {overall}/s"
