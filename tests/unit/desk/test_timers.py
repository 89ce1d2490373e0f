"""A broken timer among many due at once is dropped alone; the others still fire together, in
a few transactions (and so a few folded alarm messages), never one each."""

from __future__ import annotations

import math
from typing import Any, cast

from bot.desk.timers import TimerDispatch, TimerRunner
from bot.store import Store


class BreaksOnOneKey:
    """Fires like the desk (each timer taken once), except that any batch holding `broken`
    fails."""

    def __init__(self, store: Store, broken: str) -> None:
        self.store = store
        self.broken = broken
        self.batches: list[int] = []

    async def fire_many(self, due: list[tuple[str, float]]) -> None:
        if any(key == self.broken for key, _ in due):
            raise ValueError("a broken timer")
        async with self.store.transaction() as tx:
            taken = await tx.timers.take_many(due)
        self.batches.append(len(taken))

    async def fire(self, key: str, due: float) -> None:
        await self.fire_many([(key, due)])


async def test_one_broken_timer_is_dropped_and_the_rest_fire_in_a_few_batches(
    store: Store,
) -> None:
    due: dict[str, Any] = {f"alarm:{n}:first_action:1": store.clock() - 1 for n in range(1000)}
    due["alarm:500:broken:1"] = store.clock() - 1
    async with store.transaction() as tx:
        await tx.timers.set_many(due)
    dispatch = BreaksOnOneKey(store, "alarm:500:broken:1")
    fired = await TimerRunner(cast(TimerDispatch, dispatch)).fire_due()
    assert fired == 1001
    assert sum(dispatch.batches) == 1000
    assert len(dispatch.batches) <= 2 * math.ceil(math.log2(1001))
    async with store.read() as tx:
        assert await tx.timers.due() == []
