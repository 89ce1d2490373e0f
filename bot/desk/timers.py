"""Stored timers, fired from the database: a restart re-arms every one of them, and each fires
once (the transaction that takes it is the one that acts on it)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.desk.admin import Admin
from bot.desk.alarms import Alarms
from bot.desk.intake import Intake
from bot.domain.vocabulary import TimerKind, parse_timer_key
from bot.store import Store, Tx

log = logging.getLogger(__name__)

MAX_IDLE_SECONDS = 1.0

TimerAction = Callable[[Tx, list[str]], Awaitable[None]]


class TimerDispatch:
    """Which use case a due timer calls, by its kind."""

    def __init__(self, store: Store, intake: Intake, alarms: Alarms, admin: Admin) -> None:
        self.store = store
        self._actions: dict[TimerKind, TimerAction] = {
            TimerKind.DRAFT_NOTICE: lambda tx, a: intake.notify_draft(tx, int(a[0])),
            TimerKind.DRAFT_EXPIRY: lambda tx, a: intake.expire_draft(tx, int(a[0])),
            TimerKind.CHOICE_REMINDER: lambda tx, a: intake.remind_category(tx, int(a[0])),
            TimerKind.CHOICE_EXPIRY: lambda tx, a: intake.expire_choice(tx, int(a[0])),
            TimerKind.ALARM: lambda tx, a: alarms.fire(tx, int(a[0]), a[1], int(a[2])),
            TimerKind.LEAVE: lambda tx, a: admin.leave_if_unknown(tx, int(a[0])),
        }

    async def fire(self, key: str, due: float) -> None:
        """A stored timer came due (once, even across restarts)."""
        parsed = parse_timer_key(key)
        async with self.store.transaction() as tx:
            if not await tx.timers.take(key, due) or parsed is None:
                return
            kind, arguments = parsed
            await self._actions[kind](tx, arguments)


class TimerRunner:
    def __init__(self, dispatch: TimerDispatch) -> None:
        self.dispatch = dispatch
        self.store = dispatch.store

    async def fire_due(self) -> int:
        """Fire every timer that is due now; returns how many fired."""
        async with self.store.read() as tx:
            due = await tx.timers.due()
        for key, at in due:
            try:
                await self.dispatch.fire(key, at)
            except Exception:
                log.exception("timer %s failed; dropping it", key)
                async with self.store.transaction() as tx:
                    await tx.timers.take(key, at)
        return len(due)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.fire_due()
            async with self.store.read() as tx:
                next_due = await tx.timers.next_due()
            delay = MAX_IDLE_SECONDS
            if next_due is not None:
                delay = max(0.05, min(delay, next_due - self.store.clock()))
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except TimeoutError:
                continue
