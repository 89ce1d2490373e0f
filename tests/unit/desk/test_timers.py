"""A broken timer among many due at once is dropped alone; the others still fire together, in
a few transactions (and so a few folded alarm messages), never one each."""

from __future__ import annotations

import math
from typing import Any, cast

from bot.desk import Desk
from bot.desk.timers import TimerDispatch, TimerRunner
from bot.domain.vocabulary import OutboxKind
from bot.store import Store
from tests.factories import GROUP, FakeClock
from tests.unit.desk.test_desk import SATU_P, report_post


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


async def overdue_card_edits(store: Store, case_id: int) -> int:
    async with store.read() as tx:
        rows = await tx.outbox.pending()
    return sum(1 for r in rows if r.kind == OutboxKind.CARD_EDIT and r.case_id == case_id)


async def test_an_overdue_case_edits_only_a_card_already_posted(
    desk: Desk, store: Store, clock: FakeClock
) -> None:
    waiting = await report_post(desk, SATU_P, 10, post_id=1)
    posted = await report_post(desk, SATU_P, 20, post_id=2)
    async with store.transaction() as tx:
        await tx.cards.record(posted, GROUP, 500)
    clock.advance(24 * 3600)  # past every target
    async with store.read() as tx:
        due = await tx.timers.due(limit=1000)
    await desk.timers.fire_many(due)
    # The waiting card shows the mark when it is sent; the posted one is edited to show it.
    assert await overdue_card_edits(store, waiting) == 0
    assert await overdue_card_edits(store, posted) == 1
