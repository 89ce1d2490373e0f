"""Claims on a real SQLite file: the holder changes only from the holder the presser saw, so of
simultaneous presses one wins and the others are told who holds the case."""

from __future__ import annotations

import asyncio

from bot.desk import Desk
from bot.desk.moderation import ActResult, Press
from bot.domain.lifecycle import Action
from bot.domain.models import State
from bot.domain.vocabulary import EventKind
from bot.render.callback_data import CaseAction
from bot.store import Store
from tests.factories import GROUP, MOD_ONE, MOD_TWO
from tests.unit.desk.test_desk import MOD1, MOD2, SATU_P, act, outbox, report_post


async def test_the_holder_changes_only_from_the_holder_seen(desk: Desk, store: Store) -> None:
    case_id = await report_post(desk, SATU_P, 10)
    undecided = [State.NEW, State.ESCALATED]
    async with store.transaction() as tx:
        assert await tx.cases.change_holder(case_id, undecided, None, MOD_ONE, "Mod One")
        assert not await tx.cases.change_holder(case_id, undecided, None, MOD_TWO, "Mod Two")
        assert not await tx.cases.change_holder(case_id, [State.WAITING], MOD_ONE, MOD_TWO, "M")
        assert await tx.cases.change_holder(case_id, undecided, MOD_ONE, MOD_TWO, "Mod Two")
        case = await tx.cases.get(case_id)
    assert case is not None and (case.claimed_by, case.claimed_by_name) == (MOD_TWO, "Mod Two")


async def test_simultaneous_take_overs_one_wins(desk: Desk, store: Store) -> None:
    case_id = await report_post(desk, SATU_P, 10)
    assert (await act(desk, MOD1, case_id, Action.CLAIM)).result is ActResult.DONE
    outcomes = await asyncio.gather(
        act(desk, MOD2, case_id, Action.TAKE_OVER), act(desk, MOD2, case_id, Action.TAKE_OVER)
    )
    assert sorted(o.result for o in outcomes) == [ActResult.ALREADY_YOURS, ActResult.DONE]
    notices = [r for r in await outbox(store) if "took over" in r.payload.get("text", "")]
    assert len(notices) == 1 and notices[0].chat_id == GROUP


async def test_a_press_that_lost_the_race_is_told_who_holds_the_case(
    desk: Desk, store: Store
) -> None:
    case_id = await report_post(desk, SATU_P, 10)
    async with store.read() as tx:
        seen = await tx.cases.get(case_id)  # unclaimed, as the slower press saw it
    assert seen is not None
    assert (await act(desk, MOD1, case_id, Action.CLAIM)).result is ActResult.DONE
    async with store.transaction() as tx:
        pressed = CaseAction(Action.CLAIM, case_id)
        lost = await desk.moderation.claims.claim(Press(tx, seen, MOD2, GROUP, pressed))
        events = await tx.events.of_case(case_id)
    assert lost.result is ActResult.HELD_BY_ANOTHER and lost.alert
    assert lost.answer.startswith(f"Case #{case_id} is held by Mod One.")
    assert [e.kind for e in events].count(EventKind.CLAIMED) == 1


async def test_release_is_not_a_first_action_and_take_over_tells_the_group(
    desk: Desk, store: Store
) -> None:
    case_id = await report_post(desk, SATU_P, 10)
    await act(desk, MOD1, case_id, Action.CLAIM)
    assert (await act(desk, MOD2, case_id, Action.RELEASE)).result is ActResult.HELD_BY_ANOTHER
    assert (await act(desk, MOD1, case_id, Action.RELEASE)).result is ActResult.DONE
    assert (await act(desk, MOD2, case_id, Action.RELEASE)).result is ActResult.NOT_APPLICABLE
    async with store.read() as tx:
        case = await tx.cases.get(case_id)
        timeline = await tx.facts.timeline(case_id)
        events = await tx.events.of_case(case_id)
    assert case is not None and case.claimed_by is None
    assert timeline is not None and timeline.rounds[0].first_action == "claimed"
    assert [e.kind for e in events] == ["reported", "claimed", "released"]
