"""The desk's domain operations on a real SQLite file: reports, cases, actions, the outbox."""

from __future__ import annotations

import asyncio

from bot.config import Config
from bot.desk import Desk
from bot.desk.filing import ReportResult
from bot.desk.moderation import ActOutcome, ActResult
from bot.domain.lifecycle import Action, Decision
from bot.domain.models import IncomingItem, Origin, OutboxItem, Person, State
from bot.domain.vocabulary import OutboxKind
from bot.render.callback_data import CaseAction
from bot.store import Store
from tests.factories import DUA, GROUP, MOD_ONE, MOD_TWO, SATU, STRANGER, FakeClock, incoming_item

SATU_P = Person(SATU, "Liaison Satu", "id")
DUA_P = Person(DUA, "Liaison Dua", "en")
MOD1 = Person(MOD_ONE, "Mod One")
MOD2 = Person(MOD_TWO, "Mod Two")


def channel_post(reporter: int, message_id: int, post_id: int = 77) -> IncomingItem:
    origin = Origin(
        type="channel",
        chat_id=-1002000000001,
        message_id=post_id,
        title="Bad News",
        username="badnews",
        date=1_700_000_000,
    )
    return incoming_item(reporter, message_id, origin, "join us")


async def act(desk: Desk, moderator: Person, case_id: int, action: Action) -> ActOutcome:
    """Press a card button; Take down / Dismiss go straight through their picker."""
    if action in (Action.TAKE_DOWN, Action.DISMISS):
        decision = Decision(action.value)
        code = "propaganda" if decision is Decision.TAKE_DOWN else "not_illegal"
        await desk.moderation.press(moderator, GROUP, CaseAction(action, case_id))
        return await desk.moderation.press(
            moderator, GROUP, CaseAction(Action.REASON, case_id, decision, code)
        )
    if action is Action.ESCALATE:
        opened = await desk.moderation.press(moderator, GROUP, CaseAction(action, case_id))
        if opened.result is not ActResult.DONE:
            return opened
        return await desk.moderation.press(moderator, GROUP, CaseAction(Action.SKIP_NOTE, case_id))
    return await desk.moderation.press(moderator, GROUP, CaseAction(action, case_id))


async def outbox(store: Store) -> list[OutboxItem]:
    async with store.read() as tx:
        return await tx.outbox.pending()


async def report_post(desk: Desk, who: Person, message_id: int, post_id: int = 77) -> int:
    await desk.intake.receive(who, channel_post(who.id, message_id, post_id))
    outcome = await desk.intake.report(who, who.id, message_id + 1, "terrorism recruiting post")
    assert outcome.case_id is not None
    return outcome.case_id


async def test_report_opens_case_with_ack_card_and_evidence(desk: Desk, store: Store) -> None:
    await desk.intake.receive(SATU_P, channel_post(SATU, 10))
    outcome = await desk.intake.report(SATU_P, SATU, 11, "terrorism recruiting post")
    assert outcome.result is ReportResult.OPENED
    rows = await outbox(store)
    assert [(r.chat_id, r.kind) for r in rows] == [
        (SATU, OutboxKind.MESSAGE),
        (GROUP, OutboxKind.CARD),
        (GROUP, OutboxKind.EVIDENCE),
    ]
    assert f"#{outcome.case_id}" in rows[0].payload["text"]
    assert "Diterima" in rows[0].payload["text"]  # Satu's configured language is Indonesian
    assert rows[2].payload == {"from_chat_id": SATU, "message_ids": [10], "album": False}
    async with store.read() as tx:
        view = await tx.case_view(outcome.case_id or 0)
    assert view is not None
    assert view.case.category == "terrorism" and view.case.priority == 1
    assert view.reports[0].note == "recruiting post"
    assert [e.kind for e in view.events] == ["reported"]


async def test_report_with_empty_draft_records_nothing(desk: Desk, store: Store) -> None:
    outcome = await desk.intake.report(SATU_P, SATU, 5, "terrorism")
    assert outcome.result is ReportResult.EMPTY
    rows = await outbox(store)
    assert len(rows) == 1 and rows[0].chat_id == SATU
    assert "/report" in rows[0].payload["text"]
    async with store.read() as tx:
        assert await tx.cases.get(1) is None


async def test_stranger_is_refused_and_nothing_reaches_moderators(desk: Desk, store: Store) -> None:
    stranger = Person(STRANGER, "Stranger")
    assert not await desk.intake.receive(stranger, channel_post(STRANGER, 1))
    outcome = await desk.intake.report(stranger, STRANGER, 2, "terrorism")
    assert outcome.result is ReportResult.NOT_REPORTER
    assert {r.chat_id for r in await outbox(store)} == {STRANGER}


async def test_same_command_processed_twice_changes_nothing(desk: Desk, store: Store) -> None:
    await desk.intake.receive(SATU_P, channel_post(SATU, 10))
    first = await desk.intake.report(SATU_P, SATU, 11, "terrorism")
    again = await desk.intake.report(SATU_P, SATU, 11, "terrorism")
    assert again.result is ReportResult.REPEATED and again.case_id == first.case_id
    assert len(await outbox(store)) == 3


async def test_second_reporter_joins_the_undecided_case(desk: Desk, store: Store) -> None:
    case_id = await report_post(desk, SATU_P, 10)
    await desk.intake.receive(DUA_P, channel_post(DUA, 20))
    joined = await desk.intake.report(DUA_P, DUA, 21, "hoax")
    assert joined.result is ReportResult.JOINED and joined.case_id == case_id
    async with store.read() as tx:
        view = await tx.case_view(case_id)
        assert await tx.reports.reporter_ids(case_id) == [SATU, DUA]
    assert view is not None and len(view.reports) == 2
    assert view.case.category == "terrorism"  # the more urgent category stays


async def test_reporter_repeating_own_report_gets_same_number(desk: Desk, store: Store) -> None:
    case_id = await report_post(desk, SATU_P, 10)
    before = len(await outbox(store))
    repeated = await report_post(desk, SATU_P, 30)
    assert repeated == case_id
    rows = await outbox(store)
    newest = max(rows, key=lambda r: r.id)
    assert len(rows) == before + 1 and newest.chat_id == SATU
    assert f"#{case_id}" in newest.payload["text"]


async def test_decided_case_is_not_joined(desk: Desk) -> None:
    case_id = await report_post(desk, SATU_P, 10)
    await act(desk, MOD1, case_id, Action.TAKE_DOWN)
    assert await report_post(desk, DUA_P, 20) != case_id


async def test_claim_escalate_and_decide(desk: Desk, store: Store) -> None:
    case_id = await report_post(desk, SATU_P, 10)
    assert (await act(desk, MOD1, case_id, Action.CLAIM)).result is ActResult.DONE
    assert (await act(desk, MOD1, case_id, Action.CLAIM)).result is ActResult.ALREADY_YOURS
    assert (await act(desk, MOD2, case_id, Action.ESCALATE)).result is ActResult.DONE
    assert (await act(desk, MOD2, case_id, Action.ESCALATE)).result is ActResult.NOT_APPLICABLE
    done = await act(desk, MOD2, case_id, Action.DISMISS)
    assert done.result is ActResult.DONE
    async with store.read() as tx:
        case = await tx.cases.get(case_id)
        events = await tx.events.of_case(case_id)
    assert case is not None and case.state is State.DISMISSED
    assert case.claimed_by == MOD_ONE and case.decided_by == MOD_TWO
    assert case.first_action_at is not None
    assert [e.kind for e in events] == ["reported", "claimed", "escalated", "dismissed"]


async def test_non_moderator_cannot_act(desk: Desk, store: Store) -> None:
    case_id = await report_post(desk, SATU_P, 10)
    outcome = await act(desk, Person(STRANGER, "Stranger"), case_id, Action.TAKE_DOWN)
    assert outcome.result is ActResult.NOT_MODERATOR and outcome.alert
    async with store.read() as tx:
        case = await tx.cases.get(case_id)
    assert case is not None and case.state is State.NEW


async def test_simultaneous_decisions_yield_one_outcome_message(desk: Desk, store: Store) -> None:
    case_id = await report_post(desk, SATU_P, 10)
    first, second = await asyncio.gather(
        act(desk, MOD1, case_id, Action.TAKE_DOWN), act(desk, MOD2, case_id, Action.DISMISS)
    )
    assert first.result is ActResult.DONE
    assert second.result is ActResult.ALREADY_DECIDED
    assert "Mod One" in second.answer
    to_reporter = [r for r in await outbox(store) if r.chat_id == SATU]
    outcomes = [r for r in to_reporter if r.case_id == case_id]
    assert len(outcomes) == 1
    assert "diturunkan" in outcomes[0].payload["text"]
    assert "Mod" not in outcomes[0].payload["text"]


async def test_every_reporter_is_told_in_their_language(desk: Desk, store: Store) -> None:
    case_id = await report_post(desk, SATU_P, 10)
    await report_post(desk, DUA_P, 20)
    await act(desk, MOD1, case_id, Action.TAKE_DOWN)
    told = {
        r.chat_id: r.payload["text"]
        for r in await outbox(store)
        if r.case_id == case_id and r.kind == OutboxKind.MESSAGE
    }
    assert "diturunkan" in told[SATU]
    assert "taken down" in told[DUA]


async def test_decision_edits_card_once_per_pending_edit(desk: Desk, store: Store) -> None:
    case_id = await report_post(desk, SATU_P, 10)
    async with store.transaction() as tx:
        await tx.cards.record(case_id, GROUP, 500)
    await act(desk, MOD1, case_id, Action.CLAIM)
    await act(desk, MOD1, case_id, Action.TAKE_DOWN)
    edits = [r for r in await outbox(store) if r.kind == OutboxKind.CARD_EDIT]
    assert len(edits) == 1


async def test_category_buttons_when_first_word_is_not_a_category(desk: Desk, store: Store) -> None:
    await desk.intake.receive(SATU_P, channel_post(SATU, 10))
    outcome = await desk.intake.report(SATU_P, SATU, 11, "look at this")
    assert outcome.result is ReportResult.CHOOSE_CATEGORY
    rows = await outbox(store)
    assert len(rows) == 1 and rows[0].payload["buttons"]
    first_button = rows[0].payload["buttons"][0][0]
    report_data = first_button[1]
    assert report_data.startswith("v1:k:")
    report_id = int(report_data.split(":")[2])
    answer = await desk.intake.choose_category(SATU_P, report_id, "gambling")
    assert "#1" in answer
    again = await desk.intake.choose_category(SATU_P, report_id, "fraud")
    assert "#1" in again
    async with store.read() as tx:
        view = await tx.case_view(1)
    assert view is not None and view.case.category == "gambling"
    assert view.reports[0].note == "look at this"


async def test_draft_notice_is_debounced_and_skipped_by_a_quick_report(
    desk: Desk, store: Store, clock: FakeClock
) -> None:
    await desk.intake.receive(SATU_P, channel_post(SATU, 10, post_id=1))
    clock.advance(1)
    await desk.intake.receive(SATU_P, channel_post(SATU, 11, post_id=2))
    clock.advance(1.6)
    await fire_due(desk, store)  # the first notice was pushed back by the second item
    assert await outbox(store) == []
    clock.advance(1)
    await fire_due(desk, store)
    rows = await outbox(store)
    assert len(rows) == 1 and rows[0].payload["text"].startswith("2 item")
    await desk.intake.receive(DUA_P, channel_post(DUA, 20))
    await desk.intake.report(DUA_P, DUA, 21, "fraud")
    clock.advance(5)
    await fire_due(desk, store)
    assert not any(
        "waiting" in str(r.payload.get("text")) for r in await outbox(store) if r.chat_id == DUA
    )


async def test_draft_expires_with_a_notice(desk: Desk, store: Store, clock: FakeClock) -> None:
    await desk.intake.receive(DUA_P, channel_post(DUA, 20))
    clock.advance(24 * 3600 + 1)
    await fire_due(desk, store)
    texts = [r.payload["text"] for r in await outbox(store)]
    assert any("discarded" in text for text in texts)
    empty = await desk.intake.report(DUA_P, DUA, 21, "fraud")
    assert empty.result is ReportResult.EMPTY


async def test_cancel_empties_the_draft(desk: Desk, store: Store) -> None:
    await desk.intake.receive(DUA_P, channel_post(DUA, 20))
    await desk.intake.cancel(DUA_P)
    assert (await desk.intake.report(DUA_P, DUA, 21, "fraud")).result is ReportResult.EMPTY


async def test_reply_report_takes_one_message_and_leaves_the_rest(desk: Desk, store: Store) -> None:
    await desk.intake.receive(DUA_P, channel_post(DUA, 20, post_id=1))
    await desk.intake.receive(DUA_P, channel_post(DUA, 21, post_id=2))
    outcome = await desk.intake.report(DUA_P, DUA, 22, "fraud", reply_to_message_id=21)
    assert outcome.result is ReportResult.OPENED
    async with store.read() as tx:
        assert [i.message_id for i in await tx.items.draft(DUA)] == [20]
        assert [i.message_id for i in await tx.items.of_case(outcome.case_id or 0)] == [21]


async def test_status_shows_own_cases_only_without_moderator_names(
    desk: Desk, store: Store
) -> None:
    case_id = await report_post(desk, SATU_P, 10)
    await act(desk, MOD1, case_id, Action.ESCALATE)
    await desk.reporters.status(SATU_P, f"#{case_id}")
    await desk.reporters.status(DUA_P, str(case_id))
    await desk.reporters.status(DUA_P, "abc")
    texts = {r.chat_id: r.payload["text"] for r in await outbox(store) if r.kind == "message"}
    assert "ditinjau" in texts[SATU] and "eskalasi" not in texts[SATU]
    assert "Mod" not in texts[SATU]
    dua = [r.payload["text"] for r in await outbox(store) if r.chat_id == DUA]
    assert any("no case" in text for text in dua)
    assert any("/status N" in text for text in dua)


async def fire_due(desk: Desk, store: Store) -> None:
    async with store.read() as tx:
        due = await tx.timers.due()
    for key, at in due:
        await desk.timers.fire(key, at)


async def test_reply_report_of_an_already_reported_message_changes_nothing(
    desk: Desk, store: Store
) -> None:
    case_id = await report_post(desk, SATU_P, 10)
    again = await desk.intake.report(SATU_P, SATU, 50, "terrorism", reply_to_message_id=10)
    assert again.result is ReportResult.REPEATED and again.case_id == case_id
    async with store.read() as tx:
        assert [i.message_id for i in await tx.items.of_case(case_id)] == [10]
        assert await tx.cases.get(case_id + 1) is None


async def test_a_typed_link_joins_the_case_of_the_forwarded_post(desk: Desk) -> None:
    case_id = await report_post(desk, SATU_P, 10, post_id=77)
    origin = Origin(type="link", username="BadNews", message_id=77)
    link = incoming_item(DUA, 5, origin, "https://t.me/BadNews/77")
    await desk.intake.receive(DUA_P, link)
    joined = await desk.intake.report(DUA_P, DUA, 6, "terrorism")
    assert joined.result is ReportResult.JOINED and joined.case_id == case_id


async def test_on_duty_mentions_use_names_the_bot_has_seen(store: Store, config: Config) -> None:
    on_duty = config.model_copy(
        update={"moderation": config.moderation.model_copy(update={"on_duty": [MOD_TWO]})}
    )
    desk = Desk(store, lambda: on_duty)
    case_id = await report_post(desk, SATU_P, 10)
    await desk.moderation.press(MOD2, GROUP, CaseAction(Action.CLAIM, case_id))
    await act(desk, MOD1, case_id, Action.ESCALATE)
    texts = [str(r.payload.get("text")) for r in await outbox(store) if r.chat_id == GROUP]
    assert any('<a href="tg://user?id=222222">Mod Two</a>' in text for text in texts)
