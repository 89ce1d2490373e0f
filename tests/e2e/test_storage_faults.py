"""Storage fails while people use the desk: a moderator's press whose effect could not be stored
is answered "not saved, press again" (and pressing again works once storage does); the log says
which update failed, by id and chat, never what the reported message said."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator

import pytest

from bot.sandbox import FakeTelegram
from bot.store.inbox import Inbox
from tests.factories import DUA, GROUP, MOD_ONE, SATU, World
from tests.harness import Harness

NOT_SAVED = "Not saved: the desk could not store this just now. Please press again."


class FailingStorage:
    """While on, every transaction that marks an update processed fails at that write as SQLite
    does when the disk is full, so the update's effect is rolled back. Recording updates, the
    outbox and timers write on as usual."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.on = False
        self.failures = 0
        original = Inbox.mark_processed

        async def mark_processed(inbox: Inbox, inbox_id: int) -> None:
            if self.on:
                self.failures += 1
                raise sqlite3.OperationalError("database or disk is full")
            await original(inbox, inbox_id)

        monkeypatch.setattr(Inbox, "mark_processed", mark_processed)


@pytest.fixture
def failing(monkeypatch: pytest.MonkeyPatch) -> Iterator[FailingStorage]:
    yield FailingStorage(monkeypatch)


async def report(h: Harness, who: int, post: int, text: str, command: str) -> None:
    h.world.forward_channel_post(who, h.world.bad_news, post, text=text)
    h.fake.send_message(who, text=command)


async def unprocessed(h: Harness) -> list[tuple[int, str]]:
    runtime = h.runtime
    assert runtime is not None
    async with runtime.store.read() as tx:
        return await tx.inbox.unprocessed()


async def test_a_press_that_could_not_be_stored_says_press_again_and_the_next_press_works(
    harness: Harness, tg: FakeTelegram, failing: FailingStorage
) -> None:
    await report(harness, DUA, 1, "post 1", "/report terrorism")
    await harness.idle()
    card = harness.card(GROUP, 1)

    failing.on = True
    query = tg.press(MOD_ONE, GROUP, card["message_id"], "v1:c:1")
    answered = await tg.wait_for(lambda: tg.answered(query), timeout=60)
    failing.on = False
    assert failing.failures >= 1
    assert answered.ok and answered.params["text"] == NOT_SAVED
    assert answered.params.get("show_alert") in (True, "true")
    await harness.idle(seconds=60)
    assert "claimed by" not in harness.card(GROUP, 1)["text"]  # nothing took effect
    assert await unprocessed(harness) == []  # the press is settled, not retried

    again = tg.press(MOD_ONE, GROUP, card["message_id"], "v1:c:1")
    await harness.idle(seconds=60)
    answer = tg.answered(again)
    assert answer is not None and answer.ok and answer.params["text"] == "Claimed #1."
    assert "claimed by Mod One" in harness.card(GROUP, 1)["text"]
    # The press that was not saved never shows up later as a second claim.
    claims = [t for t in harness.texts_to(GROUP) if "claimed by Mod One" in t]
    assert len(claims) == 1


def logged(records: list[logging.LogRecord]) -> str:
    """Every WARNING and ERROR line as a handler writes it, tracebacks included."""
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return "\n".join(formatter.format(r) for r in records if r.levelno >= logging.WARNING)


async def test_warnings_and_errors_name_the_update_and_chat_never_the_reported_text(
    harness: Harness,
    tg: FakeTelegram,
    cast: World,
    failing: FailingStorage,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    runtime = harness.runtime
    assert runtime is not None
    caplog.set_level(logging.WARNING)

    # Storage fails while a report comes in: it waits (WARNING) and is taken in afterwards.
    failing.on = True
    await report(harness, SATU, 1, "SECRET-EVIDENCE-ALPHA", "/report fraud SECRET-NOTE-BETA")
    await tg.wait_for(
        lambda: any("waits for storage" in r.getMessage() for r in caplog.records), timeout=60
    )
    failing.on = False
    await tg.wait_for(lambda: any("#1" in t for t in harness.texts_to(SATU)), timeout=120)

    # A handler that fails for another reason: tried again, then set aside (ERROR).
    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(runtime.desk.intake, "receive", broken)
    cast.forward_channel_post(DUA, cast.bad_news, 2, text="SECRET-EVIDENCE-GAMMA")
    await harness.idle(seconds=60)
    async with runtime.store.read() as tx:
        assert await tx.inbox.set_aside_count() == 1

    text = logged(caplog.records)
    assert re.search(rf"update \d+ in chat {SATU} waits for storage", text), text
    assert re.search(rf"ERROR .* update \d+ in chat {DUA} failed: RuntimeError", text), text
    for secret in ("SECRET-EVIDENCE-ALPHA", "SECRET-NOTE-BETA", "SECRET-EVIDENCE-GAMMA"):
        assert secret not in text
