"""Retention on a real SQLite file: a purge removes exactly what the policy says, keeps every
case's facts, never touches undecided cases, leaves no erased text in the file or its WAL, and
the desk keeps working on every case afterwards."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.config import Config
from bot.config.schema import Retention as RetentionSettings
from bot.desk import Desk
from bot.domain.lifecycle import Action, Decision
from bot.domain.models import IncomingItem, Origin, Person, State
from bot.domain.vocabulary import EventKind, OutboxState, PromptKind
from bot.ops.retention import DAY, FIRST_PURGE_DELAY, DailyPurge, purge
from bot.render.callback_data import CaseAction
from bot.render.cards import render_card
from bot.store import Store
from tests.factories import GROUP, MOD_ONE, SATU, FakeClock, incoming_item

SATU_P = Person(SATU, "Liaison Satu", "id")
MOD1 = Person(MOD_ONE, "Mod One")
POLICY = RetentionSettings()
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "release-0.1.0.sqlite3"


def evidence(message_id: int, secret: str) -> IncomingItem:
    origin = Origin(type="channel", chat_id=-1002000000001, message_id=message_id, title="Bad")
    return incoming_item(
        SATU,
        message_id,
        origin,
        f"caption {secret}",
        kind="photo",
        file_id=f"file-{secret}",
        file_unique_id=f"unique-{secret}",
    )


async def reply_to_prompt(desk: Desk, store: Store, case_id: int, kind: PromptKind, text: str):
    prompt_message = 9000 + case_id * 10 + len(text)
    async with store.transaction() as tx:
        await tx.prompts.record(GROUP, prompt_message, case_id, kind, MOD_ONE)
    assert await desk.moderation.moderator_reply(MOD1, GROUP, prompt_message, text)


async def case_full_of(desk: Desk, store: Store, message_id: int, secret: str) -> int:
    """A case with every kind of content: evidence with a caption and a file, the reporter's note,
    a moderator's internal note, an escalation note, a question and its answer."""
    await desk.intake.receive(SATU_P, evidence(message_id, secret))
    outcome = await desk.intake.report(SATU_P, SATU, message_id + 1, f"teror note-{secret}")
    case_id = outcome.case_id
    assert case_id is not None
    async with store.transaction() as tx:
        await tx.cards.record(case_id, GROUP, 5000 + case_id)
    assert await desk.moderation.moderator_reply(MOD1, GROUP, 5000 + case_id, f"mod-{secret}")
    await desk.moderation.press(MOD1, GROUP, CaseAction(Action.ESCALATE, case_id))
    await reply_to_prompt(desk, store, case_id, PromptKind.ESCALATION_NOTE, f"esc-{secret}")
    await desk.moderation.press(MOD1, GROUP, CaseAction(Action.ASK, case_id))
    await reply_to_prompt(desk, store, case_id, PromptKind.QUESTION, f"ask-{secret}")
    async with store.transaction() as tx:
        await tx.prompts.record_question(SATU, 7000 + case_id, case_id)
    answer = incoming_item(SATU, message_id + 2, Origin(type="own"), f"answer-{secret}")
    await desk.intake.receive(SATU_P, answer, 7000 + case_id)
    return case_id


async def decide_typed(desk: Desk, store: Store, case_id: int, reason: str) -> None:
    await desk.moderation.press(MOD1, GROUP, CaseAction(Action.TAKE_DOWN, case_id))
    await reply_to_prompt(desk, store, case_id, PromptKind.REASON_TAKE_DOWN, reason)


async def send_everything(store: Store) -> None:
    """What the outbox worker would do: every pending row sent."""
    async with store.transaction() as tx:
        for row in await tx.outbox.pending(limit=10_000):
            await tx.outbox.finish(row.id, OutboxState.SENT, result=[1])


def file_bytes(store: Store) -> bytes:
    database = Path(store.path)
    wal = database.with_name(database.name + "-wal")
    return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_a_purge_erases_exactly_what_retention_says(
    desk: Desk, store: Store, clock: FakeClock, config: Config
) -> None:
    old = await case_full_of(desk, store, 100, "OLDSECRET")
    await decide_typed(desk, store, old, "reason-OLDSECRET")
    await send_everything(store)
    async with store.read() as tx:
        facts_before = await tx.facts.timeline(old)
    clock.advance(POLICY.decided_content_days * DAY + 60)
    undecided = await case_full_of(desk, store, 200, "OPENSECRET")
    recent = await case_full_of(desk, store, 300, "NEWSECRET")
    await decide_typed(desk, store, recent, "reason-NEWSECRET")

    purged = await purge(store, POLICY)

    assert purged.decided.cases == 1
    assert (purged.decided.items, purged.decided.notes, purged.decided.typed_reasons) == (2, 1, 1)
    # the moderator's note, the escalation note, the question, the answer, the decision's reason
    assert purged.decided.event_texts == 5
    contents = file_bytes(store)
    for secret in (b"OLDSECRET",):
        assert secret not in contents
    for kept in (b"OPENSECRET", b"NEWSECRET"):
        assert kept in contents
    async with store.read() as tx:
        assert await tx.facts.timeline(old) == facts_before
        view = await tx.case_view(old)
        assert view is not None and view.case.state is State.TAKEN_DOWN
        assert all(item.erased_at is not None and item.file_id is None for item in view.items)
        assert [report.note for report in view.reports] == [""]
        assert view.events[-1].kind is EventKind.ERASED
        assert view.case.decision_reason is None
        assert await tx.items.evidence_waiting(old, GROUP) == []  # nothing left to copy
        for case_id in (undecided, recent):
            kept_view = await tx.case_view(case_id)
            assert kept_view is not None
            assert all(item.erased_at is None for item in kept_view.items)
            assert any(event.detail for event in kept_view.events)
    card = render_card(view, config).text
    assert "Evidence erased" in card and "content erased under the retention policy" in card

    # Nothing left to purge: a second purge changes nothing.
    again = await purge(store, POLICY)
    assert not again.anything


async def test_the_desk_keeps_working_on_every_case_after_a_purge(
    desk: Desk, store: Store, clock: FakeClock
) -> None:
    old = await case_full_of(desk, store, 100, "OLDSECRET")
    await decide_typed(desk, store, old, "reason")
    clock.advance(POLICY.decided_content_days * DAY + 60)
    undecided = await case_full_of(desk, store, 200, "OPENSECRET")
    await purge(store, POLICY)

    reopened = await desk.moderation.press(MOD1, GROUP, CaseAction(Action.REOPEN, old))
    assert reopened.answer == f"Reopened #{old}."
    await desk.moderation.press(MOD1, GROUP, CaseAction(Action.CLAIM, old))
    await desk.moderation.press(MOD1, GROUP, CaseAction(Action.DISMISS, old))
    decided = await desk.moderation.press(
        MOD1, GROUP, CaseAction(Action.REASON, old, Decision.DISMISS, "not_illegal")
    )
    assert "dismissed" in decided.answer
    await desk.moderation.press(MOD1, GROUP, CaseAction(Action.TAKE_DOWN, undecided))
    done = await desk.moderation.press(
        MOD1, GROUP, CaseAction(Action.REASON, undecided, Decision.TAKE_DOWN, "propaganda")
    )
    assert "taken down" in done.answer
    await desk.reporters.status(SATU_P, f"#{old}")
    async with store.read() as tx:
        rounds = (await tx.facts.timeline(old)).rounds  # type: ignore[union-attr]
    assert [r.decision for r in rounds] == ["taken_down", "dismissed"]


async def test_raw_updates_and_sent_messages_go_after_their_days(
    store: Store, clock: FakeClock
) -> None:
    async with store.transaction() as tx:
        await tx.inbox.record("message:1:1", 1, '{"text": "old raw"}')
        await tx.inbox.record("message:1:2", 2, '{"text": "waiting"}')
        first = (await tx.inbox.unprocessed())[0][0]
        await tx.inbox.mark_processed(first)
        sent = await tx.outbox.enqueue(SATU, "message", {"text": "hi"}, priority=0)  # type: ignore[arg-type]
        await tx.outbox.finish(sent, OutboxState.SENT, result=[1])
        await tx.outbox.enqueue(SATU, "message", {"text": "still to send"}, priority=0)  # type: ignore[arg-type]
    clock.advance(POLICY.raw_updates_days * DAY + 1)
    dry = await purge(store, POLICY, dry_run=True)
    assert (dry.raw_updates, dry.sent_messages) == (1, 0)
    clock.advance(POLICY.sent_messages_days * DAY)
    assert (await purge(store, POLICY)).raw_updates == 1
    async with store.read() as tx:
        assert [payload for _, payload in await tx.inbox.unprocessed()] == ['{"text": "waiting"}']
        assert (await tx.outbox.counts()) == {"pending": 1}


async def test_a_dry_run_counts_what_a_purge_removes_and_changes_nothing(
    desk: Desk, store: Store, clock: FakeClock
) -> None:
    old = await case_full_of(desk, store, 100, "OLDSECRET")
    await decide_typed(desk, store, old, "reason")
    await desk.intake.receive(SATU_P, evidence(400, "CANCELLED"))
    await desk.intake.cancel(SATU_P)
    await send_everything(store)
    clock.advance(POLICY.decided_content_days * DAY + 60)
    before = file_bytes(store)
    dry = await purge(store, POLICY, dry_run=True)
    assert b"OLDSECRET" in file_bytes(store) and len(file_bytes(store)) >= len(before) // 2
    done = await purge(store, POLICY)
    dry.full_vacuum = done.full_vacuum
    assert dry == done
    assert done.unfiled_items == 1 and b"CANCELLED" not in file_bytes(store)


async def test_the_event_log_refuses_every_other_change(desk: Desk, store: Store) -> None:
    case_id = await case_full_of(desk, store, 100, "SECRET")
    async with store.read() as tx:
        db = tx.events.db
    for statement in (
        "UPDATE events SET detail = NULL WHERE case_id = 1",  # undecided: not retention's
        "UPDATE events SET at = 0 WHERE case_id = 1",
        "DELETE FROM events WHERE case_id = 1",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            await db.execute(statement)
    await decide_typed(desk, store, case_id, "reason")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        # decided, but no erasure recorded for it
        await db.execute("UPDATE events SET detail = NULL WHERE case_id = 1")


async def test_an_existing_database_switches_to_incremental_vacuum_once(
    tmp_path: Path, clock: FakeClock
) -> None:
    copy = tmp_path / "desk.sqlite3"
    shutil.copyfile(FIXTURE, copy)
    store = await Store.open(copy, clock)
    try:
        clock.advance(10 * 365 * DAY)
        first = await purge(store, POLICY)
        assert first.full_vacuum and first.decided.cases >= 1
        assert not (await purge(store, POLICY)).full_vacuum
        async with store.read() as tx:
            mode = await (await tx.events.db.execute("PRAGMA auto_vacuum")).fetchone()
            assert mode is not None and mode[0] == 2
        assert copy.with_name(copy.name + "-wal").stat().st_size == 0
    finally:
        await store.close()


async def test_the_daily_purge_is_armed_from_the_database(
    store: Store, clock: FakeClock, config: Config
) -> None:
    daily = DailyPurge(store, lambda: config)
    assert await daily.run_if_due() is None
    clock.advance(FIRST_PURGE_DELAY)
    assert await daily.run_if_due() is not None
    restarted = DailyPurge(store, lambda: config)
    clock.advance(DAY - 10)
    assert await restarted.run_if_due() is None
    clock.advance(10)
    assert await restarted.run_if_due() is not None
