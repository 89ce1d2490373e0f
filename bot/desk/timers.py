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
from bot.store.errors import describe, is_storage_failure

log = logging.getLogger(__name__)

MAX_IDLE_SECONDS = 1.0
MAX_RETRY_SECONDS = 30.0
# Timers fired in one transaction: an alarm catch-up after downtime (tens of thousands at once)
# is one transaction and one folded message.
BATCH = 50_000

TimerAction = Callable[[Tx, list[str]], Awaitable[None]]


class TimerDispatch:
    """Which use case a due timer calls, by its kind."""

    def __init__(self, store: Store, intake: Intake, alarms: Alarms, admin: Admin) -> None:
        self.store = store
        self.alarms = alarms
        self._actions: dict[TimerKind, TimerAction] = {
            TimerKind.DRAFT_NOTICE: lambda tx, a: intake.notify_draft(tx, int(a[0])),
            TimerKind.DRAFT_EXPIRY: lambda tx, a: intake.expire_draft(tx, int(a[0])),
            TimerKind.DRAFT_REFUSAL: lambda tx, a: intake.notify_refused(tx, int(a[0])),
            TimerKind.CHOICE_REMINDER: lambda tx, a: intake.remind_category(tx, int(a[0])),
            TimerKind.CHOICE_EXPIRY: lambda tx, a: intake.expire_choice(tx, int(a[0])),
            TimerKind.LEAVE: lambda tx, a: admin.leave_if_unknown(tx, int(a[0])),
        }

    async def fire(self, key: str, due: float) -> None:
        """A stored timer came due (once, even across restarts)."""
        await self.fire_many([(key, due)])

    async def fire_many(self, due: list[tuple[str, float]]) -> None:
        """Timers that came due together, in one transaction: each fires once (taken only if
        still due as read), and every alarm among them is announced in one folded message."""
        async with self.store.transaction() as tx:
            alarms: list[tuple[int, str, int]] = []
            for key in await tx.timers.take_many(due):
                parsed = parse_timer_key(key)
                if parsed is None:
                    continue
                kind, arguments = parsed
                if kind is TimerKind.ALARM:
                    alarms.append((int(arguments[0]), arguments[1], int(arguments[2])))
                else:
                    await self._actions[kind](tx, arguments)
            await self.alarms.announce(tx, await self.alarms.check(tx, alarms))


class TimerRunner:
    def __init__(self, dispatch: TimerDispatch) -> None:
        self.dispatch = dispatch
        self.store = dispatch.store

    async def fire_due(self) -> int:
        """Fire every timer that is due now, a batch per transaction; returns how many fired."""
        fired = 0
        while True:
            async with self.store.read() as tx:
                due = await tx.timers.due(limit=BATCH)
            if not due:
                return fired
            await self._fire(due)
            fired += len(due)

    async def _fire(self, due: list[tuple[str, float]]) -> None:
        """Fire timers together; if that fails, in halves, until the broken timer stands alone
        and is dropped: the rest still fire together, their alarms folded into a few messages
        (one message per timer would flood the group after a long downtime)."""
        try:
            await self.dispatch.fire_many(due)
        except Exception as error:
            if is_storage_failure(error):
                raise
            if len(due) > 1:
                middle = len(due) // 2
                await self._fire(due[:middle])
                await self._fire(due[middle:])
                return
            key, at = due[0]
            log.exception("timer %s failed; dropping it", key)
            async with self.store.transaction() as tx:
                await tx.timers.take(key, at)

    async def run(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            try:
                await self.fire_due()
                async with self.store.read() as tx:
                    next_due = await tx.timers.next_due()
                failures = 0
                delay = MAX_IDLE_SECONDS
                if next_due is not None:
                    delay = max(0.05, min(delay, next_due - self.store.clock()))
            except Exception as error:  # storage fails: the timers stay due, tried again later
                failures += 1
                delay = min(MAX_RETRY_SECONDS, 0.5 * 2 ** min(failures, 8))
                if failures == 1:
                    log.warning("timers wait for storage: %s", describe(error))
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except TimeoutError:
                continue
