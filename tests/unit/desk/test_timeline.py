"""Case timelines recorded as the desk works (on a fake clock), and the migration's back-fill
giving the same facts from what the event log, the cards and the outbox hold."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.desk import Desk
from bot.domain.lifecycle import Action
from bot.domain.timeline import Round, Timeline
from bot.render.callback_data import CaseAction
from bot.store import Store
from bot.store.migrations import MIGRATIONS
from tests.factories import GROUP, FakeClock
from tests.unit.desk.test_desk import DUA_P, MOD1, MOD2, SATU_P, act, channel_post, report_post

MINUTE = 60.0
FACT_TABLES = ("case_facts", "case_rounds", "case_reporters")


async def timeline(store: Store, case_id: int) -> Timeline:
    async with store.read() as tx:
        found = await tx.facts.timeline(case_id)
    assert found is not None
    return found


async def a_case_decided_reopened_and_decided_again(
    desk: Desk, store: Store, clock: FakeClock
) -> int:
    """Reported by Satu, joined by Dua, claimed, a question answered by withdrawal, taken down,
    reopened, escalated and dismissed; shown on a card a minute after the report."""
    start = clock.now
    case_id = await report_post(desk, SATU_P, 10)
    clock.advance(1 * MINUTE)
    async with store.transaction() as tx:
        await tx.cards.record(case_id, GROUP, 500)
        await tx.facts.seen([case_id])
    clock.advance(1 * MINUTE)
    await desk.intake.receive(DUA_P, channel_post(DUA_P.id, 20))
    await desk.intake.report(DUA_P, DUA_P.id, 21, "hoax")
    clock.advance(3 * MINUTE)  # +5
    await act(desk, MOD1, case_id, Action.CLAIM)
    clock.advance(5 * MINUTE)  # +10
    async with store.transaction() as tx:
        case = await tx.cases.get(case_id)
        assert case is not None
        await desk.questions.ask(tx, case, MOD1, "where did you see it?")
    clock.advance(10 * MINUTE)  # +20
    await act(desk, MOD1, case_id, Action.CANCEL_QUESTION)
    clock.advance(10 * MINUTE)  # +30
    await act(desk, MOD1, case_id, Action.TAKE_DOWN)
    clock.advance(30 * MINUTE)  # +60
    await desk.moderation.press(MOD2, GROUP, CaseAction(Action.REOPEN, case_id))
    clock.advance(4 * MINUTE)  # +64
    await act(desk, MOD2, case_id, Action.ESCALATE)
    clock.advance(26 * MINUTE)  # +90
    await act(desk, MOD2, case_id, Action.DISMISS)
    assert clock.now == start + 90 * MINUTE
    return case_id


async def test_a_case_life_is_recorded_in_rounds(
    desk: Desk, store: Store, clock: FakeClock
) -> None:
    start = clock.now
    case_id = await a_case_decided_reopened_and_decided_again(desk, store, clock)
    found = await timeline(store, case_id)
    assert found.facts.reported_at == start
    assert found.facts.first_visible_at == start + MINUTE
    assert found.facts.category == "terrorism"
    assert [(r.reporter_name, r.organization) for r in found.reporters] == [
        ("Liaison Satu", "Kominfo"),
        ("Liaison Dua", "BNPT"),
    ]
    first, second = found.rounds
    assert first == Round(
        case_id=case_id,
        round=0,
        started_at=start,
        reopened_by=None,
        reopened_by_name=None,
        first_action_at=start + 5 * MINUTE,
        first_action="claimed",
        first_action_by=MOD1.id,
        first_action_by_name="Mod One",
        paused_seconds=10 * MINUTE,
        decided_at=start + 30 * MINUTE,
        decision="taken_down",
        reason_code="propaganda",
        decided_by=MOD1.id,
        decided_by_name="Mod One",
    )
    assert first.to_first_action == 5 * MINUTE
    assert first.to_decision == 20 * MINUTE  # the ten minutes waiting for the reporter paused it
    assert (second.round, second.started_at, second.reopened_by_name) == (
        1,
        start + 60 * MINUTE,
        "Mod Two",
    )
    assert (second.first_action, second.to_first_action) == ("escalated", 4 * MINUTE)
    assert (second.decision, second.reason_code, second.to_decision) == (
        "dismissed",
        "not_illegal",
        30 * MINUTE,
    )


async def test_a_note_is_a_first_action_and_an_undecided_round_stays_open(
    desk: Desk, store: Store, clock: FakeClock
) -> None:
    case_id = await report_post(desk, SATU_P, 10)
    async with store.transaction() as tx:
        await tx.cards.record(case_id, GROUP, 500)
    clock.advance(7 * MINUTE)
    assert await desk.moderation.moderator_reply(MOD2, GROUP, 500, "looks like a recruiter")
    clock.advance(7 * MINUTE)
    await act(desk, MOD1, case_id, Action.CLAIM)
    (only,) = (await timeline(store, case_id)).rounds
    assert (only.first_action, only.first_action_by_name, only.to_first_action) == (
        "note",
        "Mod Two",
        7 * MINUTE,
    )
    assert only.decided_at is None and only.to_decision is None


async def test_a_more_urgent_report_moves_the_case_to_its_category(
    desk: Desk, store: Store
) -> None:
    await desk.intake.receive(SATU_P, channel_post(SATU_P.id, 10))
    opened = await desk.intake.report(SATU_P, SATU_P.id, 11, "hoax")
    await desk.intake.receive(DUA_P, channel_post(DUA_P.id, 20))
    await desk.intake.report(DUA_P, DUA_P.id, 21, "terrorism")
    assert opened.case_id is not None
    facts = (await timeline(store, opened.case_id)).facts
    assert (facts.category, facts.priority) == ("terrorism", 1)


def facts_migration() -> str:
    """The migration that creates the facts (found by what it does: its number may change)."""
    (script,) = [m for m in MIGRATIONS if "CREATE TABLE case_facts" in m]
    return script


def fact_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as db:
        return {
            table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in FACT_TABLES
        }


async def test_the_back_fill_finds_what_the_desk_recorded(
    desk: Desk, store: Store, clock: FakeClock, tmp_path: Path
) -> None:
    case_id = await a_case_decided_reopened_and_decided_again(desk, store, clock)
    clock.advance(MINUTE)
    other = await report_post(desk, SATU_P, 40, post_id=78)
    clock.advance(MINUTE)
    await act(desk, MOD1, other, Action.TAKE_DOWN)
    recorded = fact_rows(Path(store.path))

    # The same database without its facts, and the migration that creates them run again.
    older = tmp_path / "older.sqlite3"
    with sqlite3.connect(store.path) as live, sqlite3.connect(older) as copy:
        live.backup(copy)
    with sqlite3.connect(older) as db:
        for table in FACT_TABLES:
            db.execute(f"DROP TABLE {table}")
        db.executescript(facts_migration())
    back_filled = fact_rows(older)

    assert back_filled["case_facts"] == recorded["case_facts"]
    assert back_filled["case_reporters"] == recorded["case_reporters"]
    # A decision before a reopen keeps everything but its reason code: the log has its label.
    with sqlite3.connect(older) as db:
        columns = [column[1] for column in db.execute("PRAGMA table_info(case_rounds)")]
    code_at = columns.index("reason_code")
    expected = [
        (*row[:code_at], None, *row[code_at + 1 :]) if (row[0], row[1]) == (case_id, 0) else row
        for row in recorded["case_rounds"]
    ]
    assert back_filled["case_rounds"] == expected
