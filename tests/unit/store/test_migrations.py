"""Every migration, run on a database the previous release wrote (tests/fixtures): the desk reads
it back whole and keeps working on its cases.

The fixture was written by release 0.1.0 (commit 161ef19) with cases in every state, reports of
every origin, an album, a typed link waiting for its category, a draft, a note, a question, prompts,
timers and a sent outbox.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Config
from bot.config.schema import Retention
from bot.desk import Desk
from bot.domain.lifecycle import Action, Decision
from bot.domain.models import Person, State
from bot.ops.retention import purge
from bot.render.callback_data import CaseAction
from bot.store import Store
from bot.store.migrations import MIGRATIONS
from tests.factories import GROUP, MOD_ONE, SATU, FakeClock

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "release-0.1.0.sqlite3"


@pytest.fixture
async def upgraded(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Store]:
    copy = tmp_path / "desk.sqlite3"
    shutil.copyfile(FIXTURE, copy)
    store = await Store.open(copy, clock)
    yield store
    await store.close()


def test_the_fixture_is_the_previous_release() -> None:
    with sqlite3.connect(FIXTURE) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 5


async def test_migrations_bring_it_to_the_current_schema_with_every_row(upgraded: Store) -> None:
    async with upgraded.read() as tx:
        version = await (await tx.cases.db.execute("PRAGMA user_version")).fetchone()
        assert version is not None and version[0] == len(MIGRATIONS)
        states = {case.id: case.state for case in await tx.cases.undecided(limit=100)}
        assert states == {
            1: State.NEW,
            2: State.NEW,
            4: State.NEW,
            5: State.WAITING,
            6: State.NEW,
            7: State.NEW,
            8: State.NEW,
        }
        decided = await tx.cases.get(3)
        assert decided is not None and decided.state is State.TAKEN_DOWN
        for case_id in range(1, 9):
            view = await tx.case_view(case_id)
            assert view is not None and view.reports and view.items, case_id
        assert [item.kind for item in await tx.items.draft(SATU)] == ["text"]
        assert await tx.timers.next_due() is not None
        assert (await tx.outbox.counts()) == {"sent": 50}


async def test_the_desk_keeps_working_on_an_upgraded_database(
    upgraded: Store, config: Config
) -> None:
    desk = Desk(upgraded, lambda: config)
    moderator = Person(MOD_ONE, "Mod One")
    opened = await desk.moderation.press(moderator, GROUP, CaseAction(Action.TAKE_DOWN, 1))
    assert opened.answer
    decided = await desk.moderation.press(
        moderator, GROUP, CaseAction(Action.REASON, 1, Decision.TAKE_DOWN, "propaganda")
    )
    assert "taken down" in decided.answer
    await desk.reporters.status(Person(SATU, "Liaison Satu"), "#1")
    async with upgraded.read() as tx:
        case = await tx.cases.get(1)
        assert case is not None and case.state is State.TAKEN_DOWN
        texts = [row.payload.get("text", "") for row in await tx.outbox.pending()]
    assert any("#1" in str(text) for text in texts)


async def test_existing_cases_get_their_timelines_back_filled(upgraded: Store) -> None:
    async with upgraded.read() as tx:
        timelines = {case_id: await tx.facts.timeline(case_id) for case_id in range(1, 9)}
    assert all(found is not None for found in timelines.values())
    claimed, decided, reopened, waiting = (timelines[n] for n in (2, 3, 4, 5))
    assert claimed is not None and decided is not None
    assert reopened is not None and waiting is not None
    # Every case was shown on a card at once; the previous release recorded it in cards.
    assert all(t.facts.first_visible_at == t.facts.reported_at for t in timelines.values() if t)
    assert [(r.first_action, r.to_first_action) for r in claimed.rounds] == [("claimed", 183.0)]
    (round_,) = decided.rounds
    assert (round_.decision, round_.reason_code, round_.to_decision) == (
        "taken_down",
        "hoax",
        366.0,
    )
    first, second = reopened.rounds
    assert (first.decision, first.decided_by_name, first.reason_code) == (
        "dismissed",
        "Mod Two",
        None,
    )
    assert (second.started_at, second.reopened_by_name, second.decided_at) == (
        1800001708.0,
        "Mod One",
        None,
    )
    assert [(r.first_action, r.decided_at) for r in waiting.rounds] == [("escalated", None)]
    joined = timelines[1]
    assert joined is not None
    assert [(r.reporter_name, r.organization) for r in joined.reporters] == [
        ("Liaison Satu", "Kominfo"),
        ("Liaison Dua", "BNPT"),
    ]


async def test_the_desk_records_timelines_on_an_upgraded_database(
    upgraded: Store, config: Config
) -> None:
    desk = Desk(upgraded, lambda: config)
    moderator = Person(MOD_ONE, "Mod One")
    await desk.moderation.press(moderator, GROUP, CaseAction(Action.CLAIM, 4))
    await desk.moderation.press(
        moderator, GROUP, CaseAction(Action.REASON, 4, Decision.DISMISS, "not_illegal")
    )
    async with upgraded.read() as tx:
        found = await tx.facts.timeline(4)
    assert found is not None
    assert [(r.round, r.first_action, r.decision, r.reason_code) for r in found.rounds] == [
        (0, "dismissed", "dismissed", None),
        (1, "claimed", "dismissed", "not_illegal"),
    ]


async def test_the_event_log_guard_allows_only_retentions_erasure(
    upgraded: Store, clock: FakeClock
) -> None:
    async with upgraded.read() as tx:
        db = tx.events.db
    for statement in ("UPDATE events SET detail = NULL", "DELETE FROM events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            await db.execute(statement)
    clock.now = 1_800_000_000 + 400 * 86400.0  # the fixture's decisions are a year old
    purged = await purge(upgraded, Retention())
    assert purged.decided.cases == 1  # case 3, the only case decided and not reopened
    async with upgraded.read() as tx:
        view = await tx.case_view(3)
    assert view is not None and view.events[-1].kind == "erased"
    assert all(item.erased_at is not None for item in view.items)
