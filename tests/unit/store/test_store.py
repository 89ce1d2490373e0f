"""Storage on a real SQLite file: migrations, compare-and-set, the event log, the inbox."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.domain.models import State
from bot.domain.vocabulary import EventKind, OutboxKind
from bot.store import Store
from bot.store.migrations import MIGRATIONS
from tests.factories import FakeClock


async def test_migrations_run_once_and_survive_reopen(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "db.sqlite3"
    store = await Store.open(path, clock)
    async with store.transaction() as tx:
        case_id = await tx.cases.insert("terrorism", 1)
    await store.close()
    reopened = await Store.open(path, clock)
    async with reopened.read() as tx:
        assert (await tx.cases.get(case_id)) is not None
    await reopened.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_compare_and_set_applies_only_from_expected_state(store: Store) -> None:
    async with store.transaction() as tx:
        case_id = await tx.cases.insert("fraud", 3)
        assert await tx.cases.update_if(case_id, [State.NEW], state=State.ESCALATED)
        assert not await tx.cases.update_if(case_id, [State.NEW], state=State.DISMISSED)
        case = await tx.cases.get(case_id)
    assert case is not None and case.state is State.ESCALATED


async def test_event_log_is_append_only(store: Store) -> None:
    async with store.transaction() as tx:
        case_id = await tx.cases.insert("fraud", 3)
        await tx.events.add(case_id, EventKind.REPORTED, actor_id=1, actor_name="A")
    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction() as tx:
            await tx.events.db.execute("UPDATE events SET kind='forged'")
    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction() as tx:
            await tx.events.db.execute("DELETE FROM events")
    async with store.read() as tx:
        assert [e.kind for e in await tx.events.of_case(case_id)] == ["reported"]


async def test_failed_transaction_rolls_back_everything(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await tx.cases.insert("fraud", 3)
            await tx.outbox.enqueue(1, OutboxKind.MESSAGE, {"text": "x"}, priority=0)
            raise RuntimeError("boom")
    async with store.read() as tx:
        assert await tx.cases.get(1) is None
        assert await tx.outbox.pending() == []


async def test_inbox_deduplicates_by_key(store: Store) -> None:
    async with store.transaction() as tx:
        assert await tx.inbox.record("message:1:5", 10, "{}")
        assert not await tx.inbox.record("message:1:5", 99, "{}")
    async with store.read() as tx:
        assert len(await tx.inbox.unprocessed()) == 1


async def test_outbox_listener_hears_only_committed_writes(store: Store) -> None:
    heard: list[int] = []
    store.on_outbox_written(lambda: heard.append(1))
    async with store.transaction() as tx:
        await tx.cases.insert("fraud", 3)
    assert heard == []
    async with store.transaction() as tx:
        await tx.outbox.enqueue(1, OutboxKind.MESSAGE, {"text": "x"}, priority=0)
    assert heard == [1]


async def test_a_waiting_row_made_more_urgent_wakes_the_worker(store: Store) -> None:
    async with store.transaction() as tx:
        case_id = await tx.cases.insert("fraud", 3)
        await tx.outbox.enqueue(-5, OutboxKind.CARD_EDIT, {}, priority=10, case_id=case_id)
        await tx.outbox.enqueue(-5, OutboxKind.CARD, {}, priority=15, case_id=case_id)
    heard: list[int] = []
    store.on_outbox_written(lambda: heard.append(1))
    async with store.transaction() as tx:
        assert await tx.outbox.raise_pending_priority(OutboxKind.CARD_EDIT, -5, case_id, 1)
    assert heard == [1]
    async with store.transaction() as tx:
        assert await tx.outbox.promote_pending_card(case_id, -5, 2)
    assert heard == [1, 1]


async def test_names_seen_are_remembered_for_mentions(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.users.met(222222, "Mod Two", "id")
        await tx.users.remember_name(222222, "Mod 2")
    async with store.read() as tx:
        assert await tx.users.names([222222, 111111]) == {222222: "Mod 2"}
        assert await tx.users.languages(222222) == (None, "id")
