"""A case's life on the desk, end to end: response-time alarms on a fake clock (across restarts
too), /queue, /case, /mycases, and earlier cases about the same origin on a card.

Time only moves when a test moves the FakeClock: the desk's timers, its case clocks and its
outbox pacer all run on it. `Harness.settle` waits until nothing is due or sendable, nudging the
clock on only as far as Telegram's send limits hold a message.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import FakeTelegram
from tests.factories import DUA, GROUP, MOD_ONE, MOD_TWO, SATU, FakeClock, World, origin_user
from tests.harness import Harness, Started

JSONDict = dict[str, Any]
MINUTE = 60.0


@pytest.fixture
async def desk(
    started: Started, tg: FakeTelegram, cast: World, tmp_path: Path, clock: FakeClock
) -> Harness:
    """A running desk whose clock is `clock`."""
    return await started(Harness(tg, cast, tmp_path, clock=clock))


# --- helpers ---------------------------------------------------------------------------------


def text_of(message: JSONDict) -> str:
    return message.get("text") or message.get("caption") or ""


def case_number(text: str) -> int:
    match = re.search(r"#(\d+)", text)
    assert match, text
    return int(match[1])


async def report(
    h: Harness,
    who: int,
    post_id: int,
    args: str = "terrorism",
    *,
    channel: JSONDict | None = None,
) -> int:
    """`who` forwards a channel post (@badnews unless told) and reports it; the case number."""
    h.world.forward_channel_post(who, channel or h.world.bad_news, post_id, text=f"post {post_id}")
    h.fake.send_message(who, text=f"/report {args}")
    await h.settle()
    return case_number(h.texts_to(who)[-1])


async def report_message(h: Harness, who: int, args: str, **message: Any) -> int:
    """`who` sends one message of any kind (a forward, a typed link) and reports it."""
    h.fake.send_message(who, **message)
    h.fake.send_message(who, text=f"/report {args}")
    await h.settle()
    return case_number(h.texts_to(who)[-1])


async def advance(h: Harness, clock: FakeClock, minutes: float) -> None:
    clock.advance(minutes * MINUTE)
    await h.settle()


def alarms(h: Harness, case_id: int | None = None) -> list[JSONDict]:
    prefix = "⏰ #" if case_id is None else f"⏰ #{case_id} "
    return [m for m in h.fake.messages_in(GROUP) if text_of(m).startswith(prefix)]


def alarm_texts(h: Harness, case_id: int | None = None) -> list[str]:
    return [text_of(m) for m in alarms(h, case_id)]


async def press(h: Harness, who: int, case_id: int, data: str) -> str:
    query = h.fake.press(who, GROUP, h.card(GROUP, case_id)["message_id"], data)
    await h.settle()
    return query


async def decide(h: Harness, case_id: int, kind: str = "t", who: int = MOD_ONE) -> None:
    """Take down (t) or dismiss (d) with the first reason the picker offers."""
    await press(h, who, case_id, f"v1:{kind}:{case_id}")
    reason = h.button(h.card(GROUP, case_id), f"v1:r:{case_id}:{kind}:")
    await press(h, who, case_id, reason)
    state = "taken down" if kind == "t" else "dismissed"
    assert f"State: {state}" in text_of(h.card(GROUP, case_id))


async def ask_reporter(
    h: Harness, case_id: int, reporter: int, question: str, moderator: int = MOD_ONE
) -> JSONDict:
    """The Ask reporter round trip up to the question: button, prompt, the moderator's reply."""
    await press(h, moderator, case_id, f"v1:a:{case_id}")
    prompt = [
        m
        for m in h.fake.messages_in(GROUP)
        if f"your question for the reporter of #{case_id}" in text_of(m)
    ][-1]
    h.fake.send_message(moderator, GROUP, text=question, reply_to_message_id=prompt["message_id"])
    await h.settle()
    asked = [m for m in h.fake.messages_in(reporter) if question in text_of(m)]
    assert len(asked) == 1, h.texts_to(reporter)
    return asked[0]


def pointer_of(h: Harness, message_id: int) -> JSONDict:
    return h.fake.message(GROUP, message_id)


def copies_of(h: Harness, text: str) -> list[JSONDict]:
    return [m for m in h.fake.messages_in(GROUP) if text_of(m) == text]


# --- response-time alarms --------------------------------------------------------------------


async def test_first_action_alarm_fires_once_at_the_target_and_again_at_twice_it(
    desk: Harness, clock: FakeClock
) -> None:
    case_id = await report(desk, DUA, 1)
    await advance(desk, clock, 14.5)
    assert alarms(desk) == []
    assert "Overdue" not in text_of(desk.card(GROUP, case_id))

    await advance(desk, clock, 1)  # 15.5 min: the first-action target (15) has passed
    assert alarm_texts(desk) == [
        f"⏰ #{case_id} (Terrorism) is overdue: no first action within 15 min."
    ]
    assert desk.buttons(alarms(desk)[0]) == {f"#{case_id}": f"v1:p:{case_id}"}
    card = text_of(desk.card(GROUP, case_id))
    assert "⏰ Overdue: first action · 15 min" in card, card
    assert "State: new" in card

    await advance(desk, clock, 14)  # 29.5 min: nothing more until twice the target
    assert len(alarms(desk)) == 1

    await advance(desk, clock, 1)  # 30.5 min
    assert alarm_texts(desk)[1:] == [
        f"⏰ #{case_id} (Terrorism) is overdue: no first action within 30 min."
    ]
    card = text_of(desk.card(GROUP, case_id))
    assert "Overdue: first action · 15 min; first action · 30 min" in card, card

    await advance(desk, clock, 29)  # 59.5 min: no third first-action notice, ever
    assert len(alarms(desk)) == 2
    assert len(desk.cards(GROUP)) == 1  # the card was edited, not posted again


async def test_alarm_mentions_the_moderators_on_duty(
    started: Started, tg: FakeTelegram, cast: World, tmp_path: Path, clock: FakeClock
) -> None:
    h = await started(Harness(tg, cast, tmp_path, clock=clock, on_duty=f"[{MOD_TWO}]"))
    case_id = await report(h, SATU, 1)
    await advance(h, clock, 16)
    [alarm] = alarms(h, case_id)
    assert text_of(alarm).endswith(f"within 15 min.\nOn duty: {MOD_TWO}"), text_of(alarm)
    mentioned = [e["user"]["id"] for e in alarm.get("entities", []) if "user" in e]
    assert mentioned == [MOD_TWO]


async def test_targets_follow_the_category(desk: Harness, clock: FakeClock) -> None:
    fraud = await report(desk, DUA, 1, "fraud")
    terror = await report(desk, SATU, 2, "terrorism")
    await advance(desk, clock, 16)
    assert [case_number(t) for t in alarm_texts(desk)] == [terror]
    await advance(desk, clock, 223)  # 239 min
    assert alarm_texts(desk, fraud) == []
    await advance(desk, clock, 2)  # 241 min
    assert alarm_texts(desk, fraud) == [
        f"⏰ #{fraud} (Fraud / scam) is overdue: no first action within 240 min."
    ]


async def test_a_claim_before_the_target_means_no_first_action_alarm(
    desk: Harness, clock: FakeClock
) -> None:
    case_id = await report(desk, SATU, 1)
    await advance(desk, clock, 5)
    await press(desk, MOD_TWO, case_id, f"v1:c:{case_id}")
    await advance(desk, clock, 54)  # 59 min: past 1x and 2x the first-action target
    assert alarms(desk) == []
    assert "Overdue" not in text_of(desk.card(GROUP, case_id))

    await advance(desk, clock, 2)  # 61 min: a claim is not a decision
    assert alarm_texts(desk) == [
        f"⏰ #{case_id} (Terrorism) is overdue: no decision within 60 min."
    ]
    card = text_of(desk.card(GROUP, case_id))
    assert "Overdue: decision · 60 min" in card and "first action ·" not in card


async def test_a_claim_after_the_first_alarm_stops_the_second_notice(
    desk: Harness, clock: FakeClock
) -> None:
    case_id = await report(desk, DUA, 1)
    await advance(desk, clock, 16)
    assert len(alarms(desk)) == 1
    await press(desk, MOD_ONE, case_id, f"v1:c:{case_id}")
    await advance(desk, clock, 20)  # 36 min: past twice the first-action target
    assert len(alarms(desk)) == 1
    card = text_of(desk.card(GROUP, case_id))
    assert "claimed by Mod One" in card and "first action · 30 min" not in card


async def test_a_decision_clears_further_alarms(desk: Harness, clock: FakeClock) -> None:
    case_id = await report(desk, DUA, 1)
    await advance(desk, clock, 16)
    assert len(alarms(desk)) == 1
    assert "Overdue" in text_of(desk.card(GROUP, case_id))

    await decide(desk, case_id)
    card = text_of(desk.card(GROUP, case_id))
    assert "Overdue" not in card and "State: taken down" in card
    await advance(desk, clock, 300)  # far past 2x both targets
    assert len(alarms(desk)) == 1
    assert text_of(desk.card(GROUP, case_id)) == card


async def test_waiting_for_the_reporter_pauses_the_decision_clock(
    desk: Harness, clock: FakeClock
) -> None:
    case_id = await report(desk, DUA, 1)
    await advance(desk, clock, 10)
    question = await ask_reporter(desk, case_id, DUA, "Which group was this posted in?")
    assert "State: waiting for the reporter" in text_of(desk.card(GROUP, case_id))

    await advance(desk, clock, 50)  # 60 min of age, 50 of them waiting
    await advance(desk, clock, 40)  # 100 min of age, 90 of them waiting
    assert alarms(desk) == []  # the question was the first action; the decision clock is paused

    desk.fake.send_message(DUA, text="A public group", reply_to_message_id=question["message_id"])
    await desk.settle()
    assert "Thank you" in desk.texts_to(DUA)[-1]
    card = text_of(desk.card(GROUP, case_id))
    assert "State: new" in card and "A public group" in card

    await advance(desk, clock, 45)  # 145 min: 55 of them counted
    assert alarms(desk) == []
    await advance(desk, clock, 10)  # 155 min: 65 counted
    assert alarm_texts(desk) == [
        f"⏰ #{case_id} (Terrorism) is overdue: no decision within 60 min."
    ]
    assert "Overdue: decision · 60 min" in text_of(desk.card(GROUP, case_id))

    await advance(desk, clock, 50)  # 205 min: 115 counted
    assert len(alarms(desk)) == 1
    await advance(desk, clock, 10)  # 215 min: 125 counted
    assert alarm_texts(desk)[1:] == [
        f"⏰ #{case_id} (Terrorism) is overdue: no decision within 120 min."
    ]


async def test_a_withdrawn_question_pauses_the_decision_clock_across_a_restart(
    desk: Harness, clock: FakeClock
) -> None:
    case_id = await report(desk, SATU, 1)
    await advance(desk, clock, 10)
    await ask_reporter(desk, case_id, SATU, "Kapan ini diposting?")
    await desk.stop()
    clock.advance(60 * MINUTE)  # 70 min of age, 60 of them waiting, while the desk is down
    await desk.start()
    await desk.settle()
    assert alarms(desk) == []
    await press(desk, MOD_TWO, case_id, f"v1:q:{case_id}")
    card = text_of(desk.card(GROUP, case_id))
    assert "State: new" in card and "question withdrawn by Mod Two" in card
    await advance(desk, clock, 45)  # 115 min: 55 counted
    assert alarms(desk) == []
    await advance(desk, clock, 10)  # 125 min: 65 counted
    assert alarm_texts(desk) == [
        f"⏰ #{case_id} (Terrorism) is overdue: no decision within 60 min."
    ]


async def test_an_alarm_that_came_due_while_stopped_fires_once_after_start(
    desk: Harness, clock: FakeClock
) -> None:
    case_id = await report(desk, DUA, 1)
    await desk.stop()
    clock.advance(20 * MINUTE)
    await desk.start()
    await desk.fake.wait_for(lambda: alarms(desk), timeout=10)
    await desk.settle()
    assert alarm_texts(desk) == [
        f"⏰ #{case_id} (Terrorism) is overdue: no first action within 15 min."
    ]
    assert "Overdue: first action · 15 min" in text_of(desk.card(GROUP, case_id))

    await desk.stop()
    clock.advance(MINUTE)
    await desk.start()
    await advance(desk, clock, 1)  # 22 min
    assert len(alarms(desk)) == 1


async def test_an_alarm_that_fired_never_fires_again_after_a_restart(
    desk: Harness, clock: FakeClock
) -> None:
    case_id = await report(desk, DUA, 1)
    await advance(desk, clock, 16)
    assert len(alarms(desk)) == 1
    for _ in range(2):
        await desk.stop()
        clock.advance(5 * MINUTE)
        await desk.start()
        await desk.settle()
    assert len(alarms(desk)) == 1  # 26 min
    await advance(desk, clock, 5)  # 31 min: the second notice, once
    assert alarm_texts(desk, case_id)[1:] == [
        f"⏰ #{case_id} (Terrorism) is overdue: no first action within 30 min."
    ]
    await desk.restart()
    await advance(desk, clock, 1)
    assert len(alarms(desk)) == 2


async def test_a_desk_stopped_past_twice_the_target_posts_each_notice_once(
    desk: Harness, clock: FakeClock
) -> None:
    case_id = await report(desk, DUA, 1)
    await desk.stop()
    clock.advance(35 * MINUTE)
    await desk.start()
    await desk.fake.wait_for(lambda: len(alarms(desk)) >= 2, timeout=10)
    await desk.settle()
    texts = alarm_texts(desk, case_id)
    assert len(texts) == len(set(texts)) == 2
    assert texts[-1].endswith("no first action within 30 min.")
    await desk.restart()
    await advance(desk, clock, 1)
    assert alarm_texts(desk, case_id) == texts


async def test_targets_restart_from_a_reopen(desk: Harness, clock: FakeClock) -> None:
    case_id = await report(desk, DUA, 1)
    await advance(desk, clock, 16)
    await decide(desk, case_id)
    await advance(desk, clock, 100)
    await press(desk, MOD_ONE, case_id, f"v1:o:{case_id}")
    card = text_of(desk.card(GROUP, case_id))
    assert "State: new" in card and "Overdue" not in card  # the old mark is history only
    await advance(desk, clock, 14)
    assert len(alarms(desk)) == 1
    await advance(desk, clock, 2)  # 16 min after the reopen
    assert alarm_texts(desk)[1:] == [
        f"⏰ #{case_id} (Terrorism) is overdue: no first action within 15 min."
    ]
    assert "⏰ Overdue: first action · 15 min\n" in text_of(desk.card(GROUP, case_id))
    desk.fake.send_message(MOD_ONE, GROUP, text="/queue")
    await desk.settle()
    assert text_of(desk.fake.messages_in(GROUP)[-1]).split("\n")[1:] == [
        f"#{case_id} · 🔴 P1 · Terrorism · 16m · new ⏰"
    ]


# --- /queue ----------------------------------------------------------------------------------


async def queue_of_four(h: Harness, clock: FakeClock) -> dict[str, int]:
    """Four undecided cases of mixed urgency and age, one claimed, one overdue; one decided."""
    cases = {"fraud": await report(h, DUA, 1, "fraud")}
    await advance(h, clock, 1)
    cases["terror_old"] = await report(h, SATU, 2, "terrorism")
    await advance(h, clock, 1)
    cases["terror_new"] = await report(h, DUA, 3, "terrorism")
    await press(h, MOD_TWO, cases["terror_new"], f"v1:c:{cases['terror_new']}")
    await advance(h, clock, 1)
    cases["gambling"] = await report(h, SATU, 4, "gambling")
    await advance(h, clock, 1)
    cases["decided"] = await report(h, DUA, 5, "fraud")
    await decide(h, cases["decided"], "d")
    await advance(h, clock, 13.5)  # 17.5 min after the first report
    return cases


async def test_queue_lists_undecided_cases_most_urgent_then_oldest(
    desk: Harness, clock: FakeClock
) -> None:
    cases = await queue_of_four(desk, clock)
    assert alarm_texts(desk) == [
        f"⏰ #{cases['terror_old']} (Terrorism) is overdue: no first action within 15 min."
    ]
    desk.fake.send_message(MOD_ONE, GROUP, text="/queue")
    await desk.settle()
    queue = desk.fake.messages_in(GROUP)[-1]
    assert text_of(queue).split("\n") == [
        "Queue (4 undecided, most urgent first)",
        f"#{cases['terror_old']} · 🔴 P1 · Terrorism · 16m · new ⏰",
        f"#{cases['terror_new']} · 🔴 P1 · Terrorism · 15m · new · Mod Two",
        f"#{cases['fraud']} · 🟡 P3 · Fraud / scam · 17m · new",
        f"#{cases['gambling']} · 🟡 P3 · Online gambling · 14m · new",
    ]
    order = [cases[k] for k in ("terror_old", "terror_new", "fraud", "gambling")]
    assert desk.buttons(queue) == {f"#{n}": f"v1:p:{n}" for n in order}
    rows = queue["reply_markup"]["inline_keyboard"]
    assert [b["text"] for row in rows for b in row] == [f"#{n}" for n in order]


async def test_queue_shows_waiting_and_escalated_states_and_an_empty_queue(
    desk: Harness, clock: FakeClock
) -> None:
    desk.fake.send_message(MOD_ONE, GROUP, text="/queue")
    await desk.settle()
    assert text_of(desk.fake.messages_in(GROUP)[-1]) == "The queue is empty: no undecided cases."

    first = await report(desk, DUA, 1, "hoax")
    second = await report(desk, SATU, 2, "hoax")
    await ask_reporter(desk, first, DUA, "Where did you see it?")
    await press(desk, MOD_ONE, second, f"v1:e:{second}")
    await press(desk, MOD_ONE, second, f"v1:s:{second}")
    await advance(desk, clock, 2.5)
    desk.fake.send_message(MOD_TWO, GROUP, text="/queue")
    await desk.settle()
    lines = text_of(desk.fake.messages_in(GROUP)[-1]).split("\n")
    assert lines[1:] == [
        f"#{first} · 🟡 P3 · Hoax / disinformation · 2m · waiting for the reporter",
        f"#{second} · 🟡 P3 · Hoax / disinformation · 2m · escalated",
    ]


async def test_queue_is_for_moderators_in_moderator_space_only(
    desk: Harness, tg: FakeTelegram, clock: FakeClock
) -> None:
    await report(desk, DUA, 1)
    tg.add_member(GROUP, SATU)
    tg.send_message(SATU, GROUP, text="/queue")  # a reporter in the group is no moderator
    tg.send_message(SATU, text="/queue")  # nor is /queue a reporter's command
    await desk.settle()
    assert not any(text_of(m).startswith("Queue") for m in tg.messages_in(GROUP))
    assert not any("Queue" in t or "Antrean" in t for t in desk.texts_to(SATU))


async def test_queue_button_reposts_the_card_and_its_evidence_at_the_bottom(
    desk: Harness, clock: FakeClock
) -> None:
    cases = await queue_of_four(desk, clock)
    fraud = cases["fraud"]
    old_card = desk.card(GROUP, fraud)
    desk.fake.send_message(MOD_ONE, GROUP, text="/queue")
    await desk.settle()
    queue = desk.fake.messages_in(GROUP)[-1]
    query = desk.fake.press(MOD_ONE, GROUP, queue["message_id"], f"v1:p:{fraud}")
    await desk.settle()
    answered = desk.fake.answered(query)
    assert answered is not None and answered.params.get("text") == f"Card #{fraud} posted below."

    card, evidence = desk.fake.messages_in(GROUP)[-2:]
    assert card["message_id"] == desk.card(GROUP, fraud)["message_id"] > queue["message_id"]
    assert text_of(card).startswith(f"#{fraud} · 🟡 P3 · Fraud / scam")
    assert f"v1:c:{fraud}" in desk.buttons(card).values()
    assert text_of(evidence) == "post 1" and len(copies_of(desk, "post 1")) == 2
    pointer = pointer_of(desk, old_card["message_id"])
    assert text_of(pointer) == f"#{fraud}: this card was re-posted below."
    assert desk.buttons(pointer) == {}

    # The re-posted card is the live one: its buttons work; the alarm's #N button works too.
    await press(desk, MOD_ONE, fraud, f"v1:c:{fraud}")
    assert "claimed by Mod One" in text_of(desk.card(GROUP, fraud))
    terror = cases["terror_old"]
    [alarm] = alarms(desk, terror)
    query = desk.fake.press(MOD_TWO, GROUP, alarm["message_id"], f"v1:p:{terror}")
    await desk.settle()
    answered = desk.fake.answered(query)
    assert answered is not None and answered.params.get("text") == f"Card #{terror} posted below."
    assert desk.fake.messages_in(GROUP)[-2]["message_id"] == desk.card(GROUP, terror)["message_id"]


# --- /case N ---------------------------------------------------------------------------------


async def test_case_reposts_the_card_with_full_history_and_evidence(
    desk: Harness, clock: FakeClock
) -> None:
    case_id = await report(desk, SATU, 7, "terrorism recruiting")
    await advance(desk, clock, 1)
    await report(desk, DUA, 7, "terrorism")  # joins: two reporters, one post, one copy
    await advance(desk, clock, 15)  # 16 min: an overdue mark joins the history
    await press(desk, MOD_ONE, case_id, f"v1:c:{case_id}")
    evidence = copies_of(desk, "post 7")[0]
    desk.fake.send_message(
        MOD_TWO, GROUP, text="Same post seen elsewhere", reply_to_message_id=evidence["message_id"]
    )
    await desk.settle()
    old_card = desk.card(GROUP, case_id)

    desk.fake.send_message(MOD_TWO, GROUP, text=f"/case #{case_id}")
    await desk.settle()
    posted = [m for m in desk.fake.messages_in(GROUP) if m["message_id"] > old_card["message_id"]]
    card = desk.card(GROUP, case_id)
    assert card["message_id"] > old_card["message_id"]
    text = text_of(card)
    for expected in (
        f"#{case_id} · 🔴 P1 · Terrorism",
        "claimed by Mod One",
        "Liaison Satu (Kominfo), Liaison Dua (BNPT) · reports: 2",
        "recruiting",
        "⏰ Overdue: first action · 15 min",
    ):
        assert expected in text, (expected, text)
    history = text.split("History (UTC):\n", 1)[1].split("\n")
    assert [line.split(" ", 1)[1] for line in history] == [
        "reported by Liaison Satu",
        "also reported by Liaison Dua",
        "overdue: first action · 15 min",
        "claimed by Mod One",
        "note by Mod Two: Same post seen elsewhere",
    ]
    assert set(desk.buttons(card).values()) >= {f"v1:t:{case_id}", f"v1:d:{case_id}"}
    after_card = [m for m in posted if m["message_id"] > card["message_id"]]
    assert [text_of(m) for m in after_card] == ["post 7"]
    assert len(copies_of(desk, "post 7")) == 2
    pointer = pointer_of(desk, old_card["message_id"])
    assert text_of(pointer) == f"#{case_id}: this card was re-posted below."
    assert desk.buttons(pointer) == {}

    # The live card is the new one: presses on it work, and its edits go to it.
    await decide(desk, case_id)
    assert "State: taken down" in text_of(desk.fake.message(GROUP, card["message_id"]))
    assert text_of(pointer_of(desk, old_card["message_id"])) == text_of(pointer)


async def test_case_copies_each_piece_of_evidence_once_after_a_repeated_report(
    desk: Harness, clock: FakeClock
) -> None:
    case_id = await report(desk, SATU, 7)
    await advance(desk, clock, 1)
    assert await report(desk, SATU, 7) == case_id  # "you already reported this": nothing new
    assert len(copies_of(desk, "post 7")) == 1
    desk.fake.send_message(MOD_ONE, GROUP, text=f"/case {case_id}")
    await desk.settle()
    card = desk.card(GROUP, case_id)
    after = [m for m in desk.fake.messages_in(GROUP) if m["message_id"] > card["message_id"]]
    assert [text_of(m) for m in after] == ["post 7"]


async def test_case_with_a_bad_number_gets_usage_help(desk: Harness) -> None:
    await report(desk, SATU, 1)
    cards = len(desk.cards(GROUP))
    for command, answer in (
        ("/case", "Send /case N with a case number."),
        ("/case abc", "Send /case N with a case number."),
        ("/case 0", "Send /case N with a case number."),
        ("/case #x1", "Send /case N with a case number."),
        ("/case 42", "There is no case #42."),
    ):
        desk.fake.send_message(MOD_ONE, GROUP, text=command)
        await desk.settle()
        assert text_of(desk.fake.messages_in(GROUP)[-1]) == answer, command
    assert len(desk.cards(GROUP)) == cards


# --- /mycases --------------------------------------------------------------------------------


async def test_mycases_lists_a_reporters_recent_cases_in_their_language(
    desk: Harness, clock: FakeClock
) -> None:
    desk.fake.send_message(SATU, text="/mycases")
    await desk.settle()
    assert desk.texts_to(SATU)[-1] == "Anda belum melaporkan apa pun."

    decided = await report(desk, SATU, 1, "terrorism")
    await advance(desk, clock, 1)
    others = await report(desk, DUA, 2, "fraud")  # not Satu's
    in_review = await report(desk, SATU, 3, "fraud")
    await advance(desk, clock, 1)
    waiting = await report(desk, SATU, 4, "hoax")
    received = await report(desk, SATU, 5, "gambling")
    await decide(desk, decided)
    await press(desk, MOD_TWO, in_review, f"v1:c:{in_review}")
    await ask_reporter(desk, waiting, SATU, "Di grup mana?")

    desk.fake.send_message(SATU, text="/mycases")
    await desk.settle()
    lines = desk.texts_to(SATU)[-1].split("\n")
    assert lines[0] == "Kasus terbaru Anda"
    assert [re.sub(r" · \d{4}-\d\d-\d\d \d\d:\d\d UTC$", "", line) for line in lines[1:]] == [
        f"#{received} · diterima",
        f"#{waiting} · menunggu jawaban Anda",
        f"#{in_review} · sedang ditinjau",
        f"#{decided} · diputuskan: diturunkan (propaganda terorisme)",
    ]
    assert f"#{others}" not in desk.texts_to(SATU)[-1]
    assert "Mod" not in desk.texts_to(SATU)[-1]

    desk.fake.send_message(DUA, text="/mycases")
    await desk.settle()
    assert re.fullmatch(
        rf"Your recent cases\n#{others} · received · \d{{4}}-\d\d-\d\d \d\d:\d\d UTC",
        desk.texts_to(DUA)[-1],
    ), desk.texts_to(DUA)[-1]


# --- earlier cases, same channel or sender ----------------------------------------------------


async def test_a_new_case_from_the_same_channel_shows_the_earlier_case_and_outcome(
    desk: Harness, clock: FakeClock
) -> None:
    first = await report(desk, SATU, 10, "terrorism")
    await decide(desk, first)
    other = await report(desk, DUA, 1, "terrorism", channel=desk.world.secret_cell)
    assert "earlier cases" not in text_of(desk.card(GROUP, other))

    second = await report(desk, DUA, 11, "hoax")  # another post of @badnews
    assert f"Same channel or sender, earlier cases: #{first} taken down" in text_of(
        desk.card(GROUP, second)
    )
    await decide(desk, second, "d")
    third = await report(desk, SATU, 12, "hoax")
    assert (
        f"Same channel or sender, earlier cases: #{second} dismissed, #{first} taken down"
        in text_of(desk.card(GROUP, third))
    )


async def test_earlier_cases_by_the_forwarded_user(
    desk: Harness, tg: FakeTelegram, cast: World, clock: FakeClock
) -> None:
    first = await report_message(
        desk, DUA, "fraud", text="Send me 1 BTC", forward_origin=origin_user(cast.stranger)
    )
    await decide(desk, first, "d")
    someone = tg.add_user(777777, "Someone Else")
    unrelated = await report_message(
        desk, DUA, "fraud", text="Other scam", forward_origin=origin_user(someone)
    )
    assert "earlier cases" not in text_of(desk.card(GROUP, unrelated))
    second = await report_message(
        desk, SATU, "fraud", text="Send me 2 BTC", forward_origin=origin_user(cast.stranger)
    )
    card = text_of(desk.card(GROUP, second))
    assert f"Same channel or sender, earlier cases: #{first} dismissed" in card, card
    assert f"#{unrelated}" not in card.split("earlier cases", 1)[1].split("\n", 1)[0]


async def test_earlier_cases_by_a_typed_link_to_the_same_channel(
    desk: Harness, clock: FakeClock
) -> None:
    first = await report(desk, SATU, 10, "terrorism")  # a forward of @badnews post 10
    await decide(desk, first)
    second = await report_message(desk, DUA, "terrorism", text="look https://t.me/badnews/555")
    card = text_of(desk.card(GROUP, second))
    assert "https://t.me/badnews/555" in card
    assert f"Same channel or sender, earlier cases: #{first} taken down" in card, card
    await decide(desk, second, "d")
    third = await report(desk, DUA, 30, "terrorism")  # and a forward finds the typed link's case
    assert (
        f"Same channel or sender, earlier cases: #{second} dismissed, #{first} taken down"
        in text_of(desk.card(GROUP, third))
    )
