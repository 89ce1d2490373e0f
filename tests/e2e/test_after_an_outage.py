"""After an outage, visibility comes first: while the moderator group was out of reach and nothing
was sent, cases came in and passed their first-action target; when the group is back, the digest
of the waiting cases goes before the overdue alarm, and the alarms that came due together are one
message, not one per case."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.sandbox import FakeTelegram
from tests.factories import DUA, GROUP, SATU, FakeClock, World
from tests.harness import Harness

CASES = 6
MINUTE = 60.0


async def no_timer_due(h: Harness) -> bool:
    runtime = h.runtime
    assert runtime is not None
    async with runtime.store.read() as tx:
        return not await tx.timers.due(limit=1)


async def updates_done(h: Harness) -> bool:
    runtime = h.runtime
    assert runtime is not None
    async with runtime.store.read() as tx:
        return not h.fake.pending_updates and not await tx.inbox.unprocessed(limit=1)


def hold_the_sender(h: Harness, monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """The outbox worker takes no next step until the returned event is set (a step under way
    finishes on the clock it started with)."""
    runtime = h.runtime
    assert runtime is not None
    gate = asyncio.Event()
    step = runtime.worker.step

    async def held_step() -> float:
        await gate.wait()
        return await step()

    monkeypatch.setattr(runtime.worker, "step", held_step)
    return gate


def group_texts(tg: FakeTelegram) -> list[str]:
    return [m.get("text") or "" for m in tg.messages_in(GROUP)]


async def test_digests_go_before_overdue_alarms_folded_into_one_message(
    tg: FakeTelegram, cast: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    harness = Harness(tg, cast, tmp_path, clock=clock)
    await harness.start()
    gate: asyncio.Event | None = None
    try:
        await harness.settle(seconds=60)  # the greetings are sent
        clock.advance(2)  # each private chat (the admin's too) may take its next message
        # An outage: the group is out of reach and nothing is sent while cases come in and
        # pass the terrorism category's 15-minute first-action target, their alarms coming due
        # before the sender looks at the group again.
        gate = hold_the_sender(harness, monkeypatch)
        tg.remove_bot_from_group(GROUP)
        for post in range(1, CASES + 1):
            who = SATU if post % 2 else DUA
            cast.forward_channel_post(who, cast.bad_news, post, text=f"post {post}")
            tg.send_message(who, text="/report terrorism")

        async def all_filed() -> bool:
            return await harness.case_count() == CASES

        await tg.wait_for(all_filed, timeout=120, description="every case filed")
        clock.advance(20 * MINUTE)
        await tg.wait_for(lambda: no_timer_due(harness), timeout=60, description="timers fired")
        tg.restore_bot_to_group(GROUP)
        await tg.wait_for(lambda: updates_done(harness), timeout=60, description="the bot is back")
        assert group_texts(tg) == []
        gate.set()
        await tg.wait_for(lambda: [t for t in group_texts(tg) if t.startswith("⏰")], timeout=60)
        await harness.settle(seconds=120)
    finally:
        if gate is not None:
            gate.set()
        await harness.stop()
    texts = group_texts(tg)
    digests = [i for i, t in enumerate(texts) if t.startswith("📋")]
    alarms = [i for i, t in enumerate(texts) if t.startswith("⏰")]
    assert digests and digests[0] == 0, texts[:3]  # the waiting cases are shown first
    listed = {int(n) for n in re.findall(r"^#(\d+) · ", texts[0], re.MULTILINE)}
    assert listed == set(range(1, CASES + 1))
    assert len(alarms) == 1, [texts[i] for i in alarms]  # one folded alarm, not one per case
    [alarm] = [texts[i] for i in alarms]
    assert f"{CASES} cases are overdue" in alarm
    assert all(f"#{n} " in alarm for n in range(1, CASES + 1)), alarm
    assert digests[0] < alarms[0]
