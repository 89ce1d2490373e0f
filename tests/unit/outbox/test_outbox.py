"""The outbox worker against a scripted transport: order, recording, every error class."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass, field
from typing import cast

import pytest

from bot.config import Config
from bot.desk import Desk
from bot.domain.models import Item
from bot.domain.vocabulary import EventKind, ReportStatus
from bot.ops.health import Health
from bot.outbox import sends
from bot.outbox.delivery import DeliveryError, Failure, OutgoingFile, OutgoingText
from bot.outbox.pacing import Pacer
from bot.outbox.worker import IDLE_SECONDS, OutboxWorker
from bot.render.message import Button
from bot.store import Store
from tests.factories import GROUP, MOD_ONE, SATU, FakeClock


@dataclass
class ScriptedTransport:
    """Records calls; raises the queued failures first."""

    failures: list[DeliveryError] = field(default_factory=list)
    calls: list[tuple[str, int, object]] = field(default_factory=list)
    next_id: int = 100

    def _maybe_fail(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

    async def send_message(self, message: OutgoingText) -> int:
        self._maybe_fail()
        self.next_id += 1
        self.calls.append(("send", message.chat_id, message.text))
        return self.next_id

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, buttons: list[list[Button]]
    ) -> None:
        self._maybe_fail()
        self.calls.append(("edit", chat_id, message_id))

    async def copy_message(
        self, chat_id: int, from_chat_id: int, message_id: int, reply_to: int | None
    ) -> int:
        self._maybe_fail()
        self.next_id += 1
        self.calls.append(("copy", chat_id, (from_chat_id, [message_id], reply_to)))
        return self.next_id

    async def send_album(self, chat_id: int, items: list[Item], reply_to: int | None) -> list[int]:
        self._maybe_fail()
        self.calls.append(("album", chat_id, ([i.message_id for i in items], reply_to)))
        first = self.next_id + 1
        self.next_id += len(items)
        return list(range(first, self.next_id + 1))

    async def resend_items(
        self, chat_id: int, items: list[Item], reply_to: int | None
    ) -> list[int]:
        self._maybe_fail()
        self.calls.append(("resend", chat_id, [i.message_id for i in items]))
        return [self.next_id + 1 + i for i in range(len(items))]

    async def leave_chat(self, chat_id: int) -> None:
        self._maybe_fail()
        self.calls.append(("leave", chat_id, None))

    async def send_file(self, outgoing: OutgoingFile) -> int:
        self._maybe_fail()
        self.next_id += 1
        self.calls.append(("file", outgoing.chat_id, outgoing))
        return self.next_id


def worker(
    store: Store, config: Config, transport: ScriptedTransport, clock: FakeClock
) -> OutboxWorker:
    desk = Desk(store, lambda: config)
    health = Health(store.health, clock)
    return OutboxWorker(store, transport, lambda: config, Pacer(clock), desk.admin, health)


@pytest.fixture
def transport() -> ScriptedTransport:
    return ScriptedTransport()


@pytest.fixture
def outbox(
    store: Store, config: Config, transport: ScriptedTransport, clock: FakeClock
) -> OutboxWorker:
    """The worker sending through the scripted transport, paced by the test's clock."""
    return worker(store, config, transport, clock)


async def states(store: Store) -> dict[str, int]:
    async with store.read() as tx:
        return await tx.outbox.counts()


async def drain(w: OutboxWorker, clock: FakeClock, rounds: int = 50) -> None:
    for _ in range(rounds):
        delay = await w.step()
        if delay > 0:
            clock.advance(delay)


async def open_case(store: Store) -> int:
    async with store.transaction() as tx:
        case_id = await tx.cases.insert("terrorism", 1)
        report_id = await tx.reports.insert(
            case_id=case_id,
            reporter_id=SATU,
            reporter_name="S",
            organization="O",
            chat_id=SATU,
            command_message_id=2,
            category="terrorism",
            note="",
            status=ReportStatus.OPEN,
        )
        await tx.events.add(case_id, EventKind.REPORTED, actor_id=SATU, actor_name="S")
        await sends.message(tx, SATU, "ack")
        await sends.new_card(tx, GROUP, case_id)
        await sends.evidence(
            tx, GROUP, case_id, SATU, [1], album=False, priority=sends.evidence_priority(1)
        )
        assert report_id
    return case_id


async def test_sends_in_priority_order_and_records_card(
    store: Store, clock: FakeClock, transport: ScriptedTransport, outbox: OutboxWorker
) -> None:
    case_id = await open_case(store)
    await drain(outbox, clock)
    assert [c[0] for c in transport.calls] == ["send", "send", "copy"]
    assert transport.calls[0][1] == SATU
    async with store.read() as tx:
        card = await tx.cards.live(case_id, GROUP)
    assert card == 102
    assert transport.calls[2][2] == (SATU, [1], 102)  # evidence replies to its card
    assert await states(store) == {"sent": 3}


async def test_edit_waits_for_its_card_skips_what_is_shown_and_not_modified_is_done(
    store: Store, clock: FakeClock, transport: ScriptedTransport, outbox: OutboxWorker
) -> None:
    case_id = await open_case(store)
    async with store.transaction() as tx:
        await sends.card_edit(tx, GROUP, case_id)  # queued before its card is even posted
    await drain(outbox, clock)
    # The card is posted first; the edit then finds the chat showing exactly that: not sent.
    assert [c[0] for c in transport.calls if c[1] == GROUP] == ["send", "copy"]
    assert await states(store) == {"sent": 3, "skipped": 1}

    async with store.transaction() as tx:  # the case changes: the edit goes out
        await tx.events.add(case_id, EventKind.NOTE, actor_id=MOD_ONE, actor_name="M", detail="n")
        await sends.card_edit(tx, GROUP, case_id)
    await drain(outbox, clock)
    assert [c[0] for c in transport.calls if c[1] == GROUP] == ["send", "copy", "edit"]

    async with store.transaction() as tx:  # what the chat shows is not known: Telegram says
        await tx.cards.set_shown(case_id, GROUP, "unknown")
        await sends.card_edit(tx, GROUP, case_id)
    transport.failures = [DeliveryError(Failure.NOT_MODIFIED, "message is not modified")]
    await drain(outbox, clock)
    assert await states(store) == {"sent": 5, "skipped": 1}


async def test_transient_errors_retry_with_backoff(
    store: Store, clock: FakeClock, transport: ScriptedTransport, outbox: OutboxWorker
) -> None:
    transport.failures = [
        DeliveryError(Failure.TRANSIENT, "502"),
        DeliveryError(Failure.TRANSIENT, "x"),
    ]
    async with store.transaction() as tx:
        await sends.message(tx, SATU, "hello")
    await outbox.step()
    assert transport.calls == []
    assert await outbox.step() > 0  # backing off, not hammering
    await drain(outbox, clock)
    assert transport.calls == [("send", SATU, "hello")]


async def test_retry_after_pauses_only_that_chat(
    store: Store, clock: FakeClock, transport: ScriptedTransport, outbox: OutboxWorker
) -> None:
    transport.failures = [DeliveryError(Failure.RETRY_AFTER, "429", retry_after=30)]
    async with store.transaction() as tx:
        await sends.message(tx, GROUP, "to group", priority=sends.PRIORITY_CARD_EDIT)
        await sends.message(tx, SATU, "to reporter", priority=sends.PRIORITY_NEW_CARD)
    await outbox.step()
    await outbox.step()
    assert transport.calls == [("send", SATU, "to reporter")]
    clock.advance(31)
    await outbox.step()
    assert transport.calls[-1] == ("send", GROUP, "to group")


async def test_blocked_reporter_is_dropped_and_recorded(
    store: Store, clock: FakeClock, transport: ScriptedTransport, outbox: OutboxWorker
) -> None:
    transport.failures = [DeliveryError(Failure.RECIPIENT_GONE, "bot was blocked by the user")]
    async with store.transaction() as tx:
        await sends.message(tx, SATU, "hello")
    await drain(outbox, clock)
    assert await states(store) == {"dropped": 1}


async def test_unreachable_group_holds_queue_alerts_once_and_resumes(
    store: Store, clock: FakeClock, transport: ScriptedTransport, outbox: OutboxWorker
) -> None:
    kicked = DeliveryError(Failure.CHAT_UNAVAILABLE, "bot was kicked from the supergroup chat")
    await open_case(store)
    await outbox.step()  # the reporter's acknowledgement
    transport.failures = [kicked]
    await outbox.step()  # the card: kicked, so the group is held and admins alerted
    await outbox.step()  # the alert to the admin
    assert transport.calls[-1][1] == MOD_ONE
    transport.failures = [kicked]
    clock.advance(61)
    await outbox.step()  # periodic retry: still kicked, no second alert
    await drain(outbox, clock, rounds=5)
    alerts = [c for c in transport.calls if c[1] == MOD_ONE]
    assert len(alerts) == 1
    outbox.resume(GROUP)
    await drain(outbox, clock)
    assert [c[0] for c in transport.calls if c[1] == GROUP] == ["send", "copy"]
    assert await states(store) == {"sent": 4}


async def test_group_pacing_keeps_twenty_a_minute(
    store: Store, clock: FakeClock, transport: ScriptedTransport, outbox: OutboxWorker
) -> None:
    async with store.transaction() as tx:
        for i in range(25):
            await sends.message(tx, GROUP, f"m{i}", priority=sends.PRIORITY_NEW_CARD)
    for _ in range(30):
        await outbox.step()
    assert len(transport.calls) == 20
    clock.advance(60)
    await drain(outbox, clock)
    assert len(transport.calls) == 25


async def test_a_flood_of_new_cards_becomes_a_digest_first(
    store: Store, clock: FakeClock, transport: ScriptedTransport, outbox: OutboxWorker
) -> None:
    async with store.transaction() as tx:
        for category, priority in (
            ("fraud", 3),
            ("terrorism", 1),
            ("other", 4),
            ("hate_speech", 2),
        ):
            case_id = await tx.cases.insert(category, priority)
            await sends.new_card(tx, GROUP, case_id)
            await sends.evidence(
                tx,
                GROUP,
                case_id,
                SATU,
                [case_id],
                album=False,
                priority=sends.evidence_priority(priority),
            )
    await drain(outbox, clock, rounds=40)
    group = [c for c in transport.calls if c[1] == GROUP]
    digest = str(group[0][2])
    assert digest.count("<b>#") == 4
    assert digest.index("#2") < digest.index("#4") < digest.index("#1") < digest.index("#3")
    cards = [str(c[2]).split("</b>")[0] for c in group[1:] if c[0] == "send"]
    assert cards == ["<b>#2", "<b>#4", "<b>#1", "<b>#3"]  # by urgency
    # Every case is visible before any evidence is copied; evidence then goes by urgency.
    assert [c[0] for c in group[1:]] == ["send"] * 4 + ["copy"] * 4
    copies = [cast(tuple[int, list[int], int], c[2]) for c in group[5:]]
    assert [ids for _, ids, _ in copies] == [[2], [4], [1], [3]]


async def test_a_few_new_cards_are_posted_directly(
    store: Store, clock: FakeClock, transport: ScriptedTransport, outbox: OutboxWorker
) -> None:
    async with store.transaction() as tx:
        for _ in range(2):
            case_id = await tx.cases.insert("fraud", 3)
            await sends.new_card(tx, GROUP, case_id)
    await drain(outbox, clock)
    assert all("New cases" not in str(c[2]) for c in transport.calls)
    assert len(transport.calls) == 2


async def test_rows_that_must_wait_never_hide_the_ones_behind_them(
    store: Store, transport: ScriptedTransport, outbox: OutboxWorker
) -> None:
    outbox.pacer.pause(GROUP, 600)
    async with store.transaction() as tx:
        for i in range(450):  # more than a page, all for a paused chat
            await sends.message(tx, GROUP, f"m{i}", priority=sends.PRIORITY_PERSON)
        await sends.message(tx, SATU, "behind them", priority=sends.PRIORITY_NEW_CARD)
    assert await outbox.step() == 0
    assert transport.calls == [("send", SATU, "behind them")]


async def test_a_send_storage_could_not_record_stops_every_other_send_until_it_is_recorded(
    store: Store,
    clock: FakeClock,
    transport: ScriptedTransport,
    outbox: OutboxWorker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with store.transaction() as tx:
        await sends.message(tx, SATU, "to Satu")
        await sends.message(tx, GROUP, "to the group")
    opened = store.transaction

    def full_disk() -> object:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "transaction", full_disk)
    assert await outbox.step() > 0
    # Telegram took one row; with storage failing, no other chat is sent anything.
    assert len(transport.calls) == 1
    assert await outbox.step() > 0
    assert len(transport.calls) == 1
    monkeypatch.setattr(store, "transaction", opened)
    await drain(outbox, clock)
    assert sorted(c[1] for c in transport.calls) == sorted([SATU, GROUP])
    assert (await states(store)).get("sent") == 2


async def test_a_row_written_while_a_step_runs_is_sent_without_waiting_for_the_idle_timeout(
    store: Store, config: Config, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    transport = ScriptedTransport()
    w = worker(store, config, transport, clock)
    real_step = w.step
    steps = 0

    async def step_then_write() -> float:
        nonlocal steps
        steps += 1
        delay = await real_step()  # the queue is read empty...
        if steps == 1:
            async with store.transaction() as tx:  # ...and a row commits before it sleeps
                await sends.message(tx, SATU, "written meanwhile")
        return delay

    sent = asyncio.Event()
    send = transport.send_message

    async def send_and_tell(message: OutgoingText) -> int:
        message_id = await send(message)
        sent.set()
        return message_id

    monkeypatch.setattr(w, "step", step_then_write)
    monkeypatch.setattr(transport, "send_message", send_and_tell)
    stop = asyncio.Event()
    running = asyncio.create_task(w.run(stop))
    try:
        # Far below the worker's idle sleep, far above a loaded machine's delay.
        await asyncio.wait_for(sent.wait(), IDLE_SECONDS / 2)
    finally:
        stop.set()
        await running
    assert transport.calls == [("send", SATU, "written meanwhile")]
