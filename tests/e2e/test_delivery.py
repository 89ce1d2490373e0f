"""Delivery under faults, end to end: redelivery, 429, 5xx, drops, timeouts, blocked users,
an unreachable moderator group, and errors in handlers."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from bot.sandbox import FakeTelegram
from bot.telegram.polling import MAX_ATTEMPTS
from tests.factories import DUA, GROUP, MOD_ONE, SATU, FakeClock, World
from tests.harness import Harness, Started


async def report(h: Harness, who: int, post_id: int) -> None:
    h.world.forward_channel_post(who, h.world.bad_news, post_id, text=f"post {post_id}")
    h.fake.send_message(who, text="/report terrorism")


def acks(h: Harness, who: int) -> list[str]:
    return [t for t in h.texts_to(who) if "#" in t and ("Received" in t or "Diterima" in t)]


async def test_a_redelivered_update_takes_effect_once(harness: Harness, tg: FakeTelegram) -> None:
    harness.world.forward_channel_post(SATU, harness.world.bad_news, 7)
    command = tg.send_message(SATU, text="/report terrorism")
    await harness.idle()
    tg.raw_update({"message": copy.deepcopy(command)})  # Telegram sends it again
    await harness.idle()
    assert len(acks(harness, SATU)) == 1
    assert len(harness.cards(GROUP)) == 1


@pytest.mark.parametrize("kind", ["429", "500", "502", "drop", "timeout"])
async def test_transient_failures_are_retried_until_the_card_is_posted(
    harness: Harness, tg: FakeTelegram, kind: str
) -> None:
    tg.hang_seconds = 3  # longer than the harness's 2 s request timeout
    tg.fail("sendMessage", chat_id=GROUP, kind=kind, times=2, retry_after=1)
    await report(harness, SATU, 1)
    await harness.idle(seconds=30)
    assert len(harness.cards(GROUP)) == 1
    failed = [c for c in tg.calls_to("sendMessage", GROUP) if not c.ok]
    assert len(failed) == 2
    assert len(acks(harness, SATU)) == 1


async def test_429_pauses_that_chat_once_and_acknowledgements_go_on(
    harness: Harness, tg: FakeTelegram
) -> None:
    tg.fail("sendMessage", chat_id=GROUP, kind="429", retry_after=2)
    await report(harness, SATU, 1)
    await report(harness, DUA, 2)
    await tg.wait_for(lambda: len(acks(harness, SATU)) == 1 and len(acks(harness, DUA)) == 1)
    await harness.idle(seconds=20)
    group_calls = tg.calls_to("sendMessage", GROUP)
    assert [c.ok for c in group_calls].count(False) == 1  # one pause, not a storm
    assert group_calls[1].at - group_calls[0].at >= 1.9
    assert len(harness.cards(GROUP)) == 2


async def test_accepted_but_unanswered_send_repeats_at_most_once(
    harness: Harness, tg: FakeTelegram
) -> None:
    tg.fail("copyMessage", chat_id=GROUP, kind="accept_then_drop")
    await report(harness, SATU, 1)
    await harness.idle(seconds=20)
    copies = [m for m in tg.messages_in(GROUP) if m.get("text") == "post 1"]
    assert len(copies) == 2  # the one window Telegram leaves open
    assert len(harness.cards(GROUP)) == 1


async def test_a_reporter_who_blocked_the_bot_is_dropped_and_recorded(
    harness: Harness, tg: FakeTelegram
) -> None:
    await report(harness, DUA, 1)
    await harness.idle()
    tg.block_bot(DUA)
    card = harness.card(GROUP, 1)
    tg.press(MOD_ONE, GROUP, card["message_id"], "v1:d:1")
    tg.press(MOD_ONE, GROUP, card["message_id"], "v1:r:1:d:not_illegal")
    await harness.idle()
    assert "dismissed" in harness.card(GROUP, 1)["text"]
    runtime = harness.runtime
    assert runtime is not None
    async with runtime.store.read() as tx:
        counts = await tx.outbox.counts()
        blocked = await tx.users.db.execute_fetchall(
            "SELECT blocked_at FROM users WHERE user_id=?", (DUA,)
        )
    assert counts.get("dropped") == 1
    assert next(iter(blocked))[0] is not None


async def test_unreachable_group_holds_its_queue_alerts_once_and_resumes(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    cast.start(MOD_ONE)  # the admin has started the bot, so alerts can reach them
    tg.remove_bot_from_group(GROUP)
    for post in range(1, 4):
        await report(harness, SATU if post % 2 else DUA, post)
    await tg.wait_for(lambda: len(acks(harness, SATU)) == 2 and len(acks(harness, DUA)) == 1)
    await tg.wait_for(lambda: any("cannot post" in t for t in harness.texts_to(MOD_ONE)))
    assert harness.cards(GROUP) == []
    tg.restore_bot_to_group(GROUP)
    await tg.wait_for(lambda: len(harness.cards(GROUP)) == 3, timeout=15)
    await harness.idle()
    alerts = [t for t in harness.texts_to(MOD_ONE) if "cannot post" in t]
    assert len(alerts) == 1
    evidence = [m for m in tg.messages_in(GROUP) if (m.get("text") or "").startswith("post ")]
    assert len(evidence) == 3


async def test_a_failing_handler_is_tried_again_then_set_aside_and_everyone_told(
    harness: Harness, tg: FakeTelegram, cast: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = harness.runtime
    assert runtime is not None
    cast.start(MOD_ONE)  # the admin can receive alerts
    await harness.idle()
    calls = 0

    async def broken(*_: object, **__: object) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(runtime.desk.reporters, "status", broken)
    tg.send_message(SATU, text="/status 1")
    await harness.idle()
    assert calls == MAX_ATTEMPTS
    # The sender hears the truth (kept, admins told), in their language; the admin is alerted.
    assert "tetap disimpan" in harness.texts_to(SATU)[-1]
    [alert] = [t for t in harness.texts_to(MOD_ONE) if "set aside" in t]
    assert "RuntimeError" in alert and "simulated bug" in alert
    async with runtime.store.read() as tx:
        assert await tx.inbox.set_aside_count() == 1
        assert await tx.inbox.unprocessed() == []
    await report(harness, SATU, 5)  # the bot carries on
    await harness.idle()
    assert len(harness.cards(GROUP)) == 1


async def test_updates_after_a_quiet_week_are_not_lost_to_a_lower_update_id(
    started: Started, tg: FakeTelegram, cast: World, tmp_path: Path
) -> None:
    clock = FakeClock()
    harness = await started(Harness(tg, cast, tmp_path, clock=clock))
    for post in range(1, 4):
        await report(harness, SATU, post)
    await harness.settle()
    await harness.stop()
    clock.advance(8 * 24 * 3600)
    tg._next_update_id = 2  # Telegram picked a new, lower update id after the quiet week
    await report(harness, DUA, 9)
    await harness.start()
    await tg.wait_for(lambda: len(acks(harness, DUA)) == 1, timeout=10)
    await harness.stop()
