"""Runs timers stored in the database, so a restart re-arms every one of them."""

from __future__ import annotations

import asyncio
import logging

from bot.desk import Desk

log = logging.getLogger(__name__)

MAX_IDLE_SECONDS = 1.0


class TimerRunner:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.store = desk.store

    async def fire_due(self) -> int:
        """Fire every timer that is due now; returns how many fired."""
        async with self.store.read() as q:
            due = await q.due_timers()
        for key, at in due:
            try:
                await self.desk.fire(key, at)
            except Exception:
                log.exception("timer %s failed; dropping it", key)
                async with self.store.transaction() as q:
                    await q.take_timer(key, at)
        return len(due)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.fire_due()
            async with self.store.read() as q:
                next_due = await q.next_timer_due()
            delay = MAX_IDLE_SECONDS
            if next_due is not None:
                delay = max(0.05, min(delay, next_due - self.store.clock()))
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except TimeoutError:
                continue
