"""Issue 7 end to end: decisions with reasons, escalation, notes, questions and /add.

Every scenario runs through the fake Bot API: moderators press buttons on cards and reply to
prompts in moderator space, reporters reply in their private chats. After each one, no trace of a
moderator's identity may have reached a reporter.
"""

from __future__ import annotations

import calendar
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import Call, FakeTelegram
from tests.factories import DUA, GROUP, MOD_ONE, MOD_TWO, SATU, STRANGER, World
from tests.harness import Harness

JSONDict = dict[str, Any]

ESCALATION = -1009876543210
REPORTERS = (SATU, DUA)
# Everything that would identify a moderator: names, usernames, user ids.
MODERATOR_MARKS = ("Mod One", "Mod Two", "mod_one", "mod_two", str(MOD_ONE), str(MOD_TWO))
MODERATORS_LINE = "  moderators: [111111, 222222]\n"
TIME_FORMAT = "%Y-%m-%d %H:%M"
DECIDED_AT = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC")

# The buttons of an undecided card with no picker open, per state.
NEW_BUTTONS = {"v1:c:{n}", "v1:t:{n}", "v1:d:{n}", "v1:e:{n}", "v1:a:{n}"}
ESCALATED_BUTTONS = {"v1:c:{n}", "v1:t:{n}", "v1:d:{n}", "v1:a:{n}"}
WAITING_BUTTONS = {"v1:t:{n}", "v1:d:{n}", "v1:q:{n}"}


def expect(buttons: set[str], case_id: int) -> set[str]:
    return {b.format(n=case_id) for b in buttons}


# --- a desk with a moderation section of our own ----------------------------------------------

MakeDesk = Callable[[str], Awaitable[Harness]]


@pytest.fixture
async def desk_with(tg: FakeTelegram, cast: World, tmp_path: Path) -> AsyncIterator[MakeDesk]:
    """Start a desk whose `moderation` section has extra keys (the standard one is fixed)."""
    started: list[Harness] = []

    async def make(moderation_extra: str) -> Harness:
        harness = Harness(tg, cast, tmp_path)
        text = harness.config_path.read_text("utf-8")
        assert MODERATORS_LINE in text
        harness.config_path.write_text(
            text.replace(MODERATORS_LINE, MODERATORS_LINE + moderation_extra), "utf-8"
        )
        await harness.start()
        started.append(harness)
        return harness

    try:
        yield make
    finally:
        for harness in started:
            await harness.stop()


# --- helpers ----------------------------------------------------------------------------------


async def report_post(
    h: Harness, who: int, post_id: int = 77, args: str = "terrorism recruiting for attacks"
) -> int:
    """`who` forwards a Bad News post and reports it; returns the acknowledged case number."""
    ack = await h.forward_and_report(who, post_id, args, f"Evidence post {post_id}")
    match = re.search(r"#(\d+)", ack)
    assert match, ack
    return int(match[1])


async def press(h: Harness, who: int, case_id: int, data: str, chat: int = GROUP) -> Call:
    """`who` presses a button with `data` on the live card of the case in `chat`."""
    card = h.card(chat, case_id)
    query = h.fake.press(who, chat, card["message_id"], data)
    await h.idle()
    answered = h.fake.answered(query)
    assert answered is not None and answered.ok, (data, answered)
    return answered


def answer_text(call: Call) -> str:
    return str(call.params.get("text", ""))


def button_data(h: Harness, case_id: int, chat: int = GROUP) -> set[str]:
    return set(h.buttons(h.card(chat, case_id)).values())


def card_text(h: Harness, case_id: int, chat: int = GROUP) -> str:
    return str(h.card(chat, case_id)["text"])


def sent_call(tg: FakeTelegram, chat: int, message_id: int) -> Call:
    """The sendMessage call that created a bot message."""
    for call in tg.calls_to("sendMessage", chat):
        if call.ok and isinstance(call.result, dict) and call.result["message_id"] == message_id:
            return call
    raise AssertionError(f"no sendMessage produced message {message_id} in {chat}")


def prompts(h: Harness, chat: int = GROUP) -> list[JSONDict]:
    return [m for m in h.fake.messages_in(chat) if "reply to this message" in m.get("text", "")]


def latest_prompt(h: Harness, case_id: int, moderator: int, chat: int = GROUP) -> JSONDict:
    """The newest prompt for the case, checked: a ForceReply to the card, addressed to one
    moderator (a mention of them), naming the case."""
    found = prompts(h, chat)
    assert found, h.texts_to(chat)
    prompt = found[-1]
    assert f"#{case_id}" in prompt["text"]
    card = h.card(chat, case_id)
    assert (prompt.get("reply_to_message") or {}).get("message_id") == card["message_id"]
    markup = sent_call(h.fake, chat, prompt["message_id"]).params.get("reply_markup")
    assert isinstance(markup, dict) and markup.get("force_reply") is True, markup
    mentioned = [
        e["user"]["id"] for e in prompt.get("entities", []) if e.get("type") == "text_mention"
    ]
    assert mentioned == [moderator], prompt
    return prompt


async def reply(
    h: Harness, who: int, chat: int, message_id: int, text: str, **kwargs: Any
) -> JSONDict:
    sent = h.fake.send_message(who, chat, text=text, reply_to_message_id=message_id, **kwargs)
    await h.idle()
    return sent


def evidence_copies(h: Harness, chat: int, text: str) -> list[JSONDict]:
    return [m for m in h.fake.messages_in(chat) if (m.get("text") or m.get("caption")) == text]


def history(h: Harness, case_id: int, chat: int = GROUP) -> list[str]:
    text = card_text(h, case_id, chat)
    assert "History (UTC):" in text, text
    return text.split("History (UTC):", 1)[1].strip().splitlines()


def in_history(h: Harness, case_id: int, fragment: str, chat: int = GROUP) -> bool:
    return any(fragment in line for line in history(h, case_id, chat))


def assert_no_moderator_identity(tg: FakeTelegram, *chats: int) -> None:
    """No name, username or id of a moderator in anything ever sent to these chats."""
    for chat in chats or REPORTERS:
        for call in tg.calls:
            if call.params.get("chat_id") not in (chat, str(chat)):
                continue
            blob = json.dumps(call.params, ensure_ascii=False, default=str)
            for mark in MODERATOR_MARKS:
                assert mark not in blob, (chat, mark, call.method, call.params)
        for message in tg.messages_in(chat):
            shown = " ".join(
                str(message.get(key) or "") for key in ("text", "caption", "_html", "reply_markup")
            )
            for mark in MODERATOR_MARKS:
                assert mark not in shown, (chat, mark, message)
            for entity in message.get("entities", []) + message.get("caption_entities", []):
                assert entity.get("user", {}).get("id") not in (MOD_ONE, MOD_TWO), message


def assert_decided_between(text: str, before: float, after: float) -> None:
    """The statement's time is the decision's: between `before` and `after` (minute precision)."""
    match = DECIDED_AT.search(text)
    assert match, text
    stamp = calendar.timegm(time.strptime(match[1], TIME_FORMAT))
    assert before - 60 < stamp <= after, (match[1], before, after)


# --- decisions with a reason ------------------------------------------------------------------

DECISIONS = [
    pytest.param(
        {
            "kind": "t",
            "category": "terrorism",
            "reasons_key": "take_down",
            "code": "propaganda",
            "label_en": "terrorist propaganda",
            "label_id": "propaganda terorisme",
            "state": "taken down",
            "told_en": "taken down",
            "told_id": "diturunkan",
        },
        id="take_down",
    ),
    pytest.param(
        {
            "kind": "d",
            "category": "hoax",
            "reasons_key": "dismiss",
            "code": "not_illegal",
            "label_en": "not illegal",
            "label_id": "tidak melanggar hukum",
            "state": "dismissed",
            "told_en": "dismissed",
            "told_id": "tidak ditindaklanjuti",
        },
        id="dismiss",
    ),
]


async def report_by_both(h: Harness, category: str) -> int:
    """Satu (Indonesian) and Dua (English) report the same post: one case, two reporters."""
    case_id = await report_post(h, SATU, args=f"{category} seen in three groups")
    assert await report_post(h, DUA, args=category) == case_id
    return case_id


@pytest.mark.parametrize("d", DECISIONS)
async def test_reason_picker_shows_the_categorys_codes_and_a_code_decides(
    harness: Harness, tg: FakeTelegram, d: dict[str, str]
) -> None:
    case_id = await report_by_both(harness, d["category"])
    category_key = harness.config.category_for_word(d["category"])
    assert category_key is not None
    codes = getattr(harness.config.categories[category_key].reasons, d["reasons_key"])
    kind = d["kind"]

    answered = await press(harness, MOD_ONE, case_id, f"v1:{kind}:{case_id}")
    assert "Choose a reason" in answer_text(answered)
    card = harness.card(GROUP, case_id)
    assert "State: new" in card["text"]
    picker = harness.buttons(card)
    assert set(picker.values()) == {f"v1:r:{case_id}:{kind}:{code}" for code in codes} | {
        f"v1:f:{case_id}:{kind}",
        f"v1:x:{case_id}",
    }
    # Buttons carry codes; their labels are the moderator-space (English) ones.
    assert picker[d["label_en"]] == f"v1:r:{case_id}:{kind}:{d['code']}"
    before_reporters = {r: len(harness.texts_to(r)) for r in REPORTERS}

    started = time.time()
    answered = await press(harness, MOD_ONE, case_id, f"v1:r:{case_id}:{kind}:{d['code']}")
    finished = time.time()
    assert f"#{case_id}" in answer_text(answered)
    text = card_text(harness, case_id)
    assert f"State: {d['state']} · by Mod One" in text
    assert f"Reason: {d['label_en']}" in text
    assert in_history(harness, case_id, f"{d['state']} by Mod One: {d['label_en']}")
    assert button_data(harness, case_id) == {f"v1:o:{case_id}"}

    # The statement of reasons: each reporter once, in their own language, with the time.
    for reporter, told, label in (
        (SATU, d["told_id"], d["label_id"]),
        (DUA, d["told_en"], d["label_en"]),
    ):
        new = harness.texts_to(reporter)[before_reporters[reporter] :]
        assert len(new) == 1, new
        statement = new[0]
        assert f"#{case_id}" in statement and told in statement and label in statement
        assert_decided_between(statement, started, finished)
    assert "Alasan: " + d["label_id"] in harness.texts_to(SATU)[-1]
    assert "Reason: " + d["label_en"] in harness.texts_to(DUA)[-1]
    assert_no_moderator_identity(tg)


@pytest.mark.parametrize("kind", ["t", "d", "e"])
async def test_cancel_closes_the_picker_and_changes_nothing(
    harness: Harness, tg: FakeTelegram, kind: str
) -> None:
    case_id = await report_post(harness, SATU)
    before_card = harness.card(GROUP, case_id)
    before_reporter = harness.texts_to(SATU)

    await press(harness, MOD_TWO, case_id, f"v1:{kind}:{case_id}")
    assert f"v1:x:{case_id}" in button_data(harness, case_id)
    answered = await press(harness, MOD_TWO, case_id, f"v1:x:{case_id}")
    assert "Cancelled" in answer_text(answered)

    card = harness.card(GROUP, case_id)
    assert card["message_id"] == before_card["message_id"]  # the same card, edited back
    assert card["text"] == before_card["text"]
    assert "State: new" in card["text"]
    assert button_data(harness, case_id) == expect(NEW_BUTTONS, case_id)
    assert harness.texts_to(SATU) == before_reporter
    assert len(prompts(harness)) == (1 if kind == "e" else 0)  # Escalate asks for a note
    assert_no_moderator_identity(tg)


@pytest.mark.parametrize("d", DECISIONS)
async def test_other_reason_is_typed_in_reply_to_a_prompt(
    harness: Harness, tg: FakeTelegram, d: dict[str, str]
) -> None:
    case_id = await report_by_both(harness, d["category"])
    kind = d["kind"]
    await press(harness, MOD_ONE, case_id, f"v1:{kind}:{case_id}")
    answered = await press(harness, MOD_ONE, case_id, f"v1:f:{case_id}:{kind}")
    assert "The reporter reads your reason word for word" in answer_text(answered)
    prompt = latest_prompt(harness, case_id, MOD_ONE)
    assert "Mod One" in prompt["text"]
    assert "State: new" in card_text(harness, case_id)

    # The prompt is addressed to Mod One: Mod Two's reply to it is not the input.
    await reply(harness, MOD_TWO, GROUP, prompt["message_id"], "not my prompt")
    assert "State: new" in card_text(harness, case_id)
    before_reporters = {r: len(harness.texts_to(r)) for r in REPORTERS}

    typed = "mirrors <b>a post</b> already ruled on"
    started = time.time()
    await reply(harness, MOD_ONE, GROUP, prompt["message_id"], typed)
    finished = time.time()
    text = card_text(harness, case_id)
    assert f"State: {d['state']} · by Mod One" in text
    assert f"Reason: {typed}" in text
    assert in_history(harness, case_id, f"{d['state']} by Mod One: {typed}")
    assert button_data(harness, case_id) == {f"v1:o:{case_id}"}
    for reporter, told in ((SATU, d["told_id"]), (DUA, d["told_en"])):
        new = harness.texts_to(reporter)[before_reporters[reporter] :]
        assert len(new) == 1, new
        assert f"#{case_id}" in new[0] and told in new[0] and typed in new[0]
        assert_decided_between(new[0], started, finished)
    assert_no_moderator_identity(tg)


async def test_a_long_typed_reason_still_reaches_the_reporter(
    harness: Harness, tg: FakeTelegram
) -> None:
    case_id = await report_post(harness, SATU)
    await press(harness, MOD_ONE, case_id, f"v1:t:{case_id}")
    await press(harness, MOD_ONE, case_id, f"v1:f:{case_id}:t")
    prompt = latest_prompt(harness, case_id, MOD_ONE)
    typed = "Reason " + "r" * 3993  # 4000 characters: a message Telegram accepts
    await reply(harness, MOD_ONE, GROUP, prompt["message_id"], typed)
    assert "State: taken down" in card_text(harness, case_id)
    told = harness.texts_to(SATU)[-1]
    assert f"#{case_id}" in told and "diturunkan" in told and "Reason rrr" in told
    assert all(c.ok for c in tg.calls_to("sendMessage", SATU))
    assert_no_moderator_identity(tg)


async def test_reopen_returns_the_case_to_review_and_the_next_decision_is_told_again(
    harness: Harness, tg: FakeTelegram
) -> None:
    case_id = await report_post(harness, SATU)
    await press(harness, MOD_ONE, case_id, f"v1:d:{case_id}")
    await press(harness, MOD_ONE, case_id, f"v1:r:{case_id}:d:insufficient")
    assert "bukti tidak cukup" in harness.texts_to(SATU)[-1]

    answered = await press(harness, MOD_TWO, case_id, f"v1:o:{case_id}")
    assert f"Reopened #{case_id}" in answer_text(answered)
    text = card_text(harness, case_id)
    assert "State: new" in text
    assert "Reason:" not in text and "· by Mod One" not in text
    assert in_history(harness, case_id, "reopened by Mod Two")
    assert button_data(harness, case_id) == expect(NEW_BUTTONS, case_id)
    assert "diputuskan" not in await harness.answer(SATU, f"/status {case_id}")

    before = len(harness.texts_to(SATU))
    await press(harness, MOD_TWO, case_id, f"v1:t:{case_id}")
    await press(harness, MOD_TWO, case_id, f"v1:r:{case_id}:t:recruitment")
    assert "State: taken down · by Mod Two" in card_text(harness, case_id)
    new = harness.texts_to(SATU)[before:]
    assert len(new) == 1, new
    assert f"#{case_id}" in new[0] and "diturunkan" in new[0]
    assert "perekrutan atau dukungan untuk kelompok teroris" in new[0]
    outcomes = [t for t in harness.texts_to(SATU) if "sudah diputuskan" in t]
    assert len(outcomes) == 2
    assert_no_moderator_identity(tg)


async def test_status_of_a_decided_case_gives_the_decision_and_its_reason(
    harness: Harness, tg: FakeTelegram
) -> None:
    case_id = await report_by_both(harness, "terrorism")
    await press(harness, MOD_ONE, case_id, f"v1:t:{case_id}")
    await press(harness, MOD_ONE, case_id, f"v1:r:{case_id}:t:propaganda")
    for reporter in REPORTERS:
        tg.send_message(reporter, text=f"/status {case_id}")
        tg.send_message(reporter, text="/mycases")
    await harness.idle()
    satu_status, satu_list = harness.texts_to(SATU)[-2:]
    dua_status, dua_list = harness.texts_to(DUA)[-2:]
    assert "diturunkan" in satu_status and "taken down" in dua_status
    for text in (satu_status, satu_list):
        assert "propaganda terorisme" in text, text
    for text in (dua_status, dua_list):
        assert "terrorist propaganda" in text, text
    assert_no_moderator_identity(tg)


async def test_a_reporter_removed_from_the_config_still_answers_and_is_told(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    case_id = await report_post(harness, SATU)
    await harness.stop()
    text = harness.config_path.read_text("utf-8")
    satu_line = "  - {id: 333333, name: Liaison Satu, organization: Kominfo, language: id}\n"
    assert satu_line in text
    harness.config_path.write_text(text.replace(satu_line, ""), "utf-8")
    await harness.start()
    assert harness.config.reporter(SATU) is None

    # No longer a reporter: /add is refused...
    cast.forward_channel_post(SATU, cast.bad_news, 90, text="After removal")
    assert "narahubung terdaftar" in await harness.answer(SATU, f"/add {case_id}")
    assert evidence_copies(harness, GROUP, "After removal") == []

    # ...but a question about their earlier case reaches them, and their answer counts.
    await ask(harness, MOD_ONE, case_id, "Still there?")
    [question] = questions_to(harness, SATU, case_id)
    assert "Tentang kasus" in question["text"]
    await reply(harness, SATU, SATU, question["message_id"], "Ya")
    assert "State: new" in card_text(harness, case_id)
    assert in_history(harness, case_id, "answered: Ya")

    await press(harness, MOD_TWO, case_id, f"v1:d:{case_id}")
    await press(harness, MOD_TWO, case_id, f"v1:r:{case_id}:d:duplicate")
    told = harness.texts_to(SATU)[-1]
    assert (
        f"#{case_id}" in told and "tidak ditindaklanjuti" in told and "duplikat kasus lain" in told
    )
    assert_no_moderator_identity(tg)


# --- escalation -------------------------------------------------------------------------------


def reporter_texts(h: Harness) -> str:
    return "\n".join(t for r in REPORTERS for t in h.texts_to(r))


async def test_escalate_without_a_note_mentions_the_moderators_on_duty(
    desk_with: MakeDesk, tg: FakeTelegram
) -> None:
    h = await desk_with("  on_duty: [222222]\n")
    case_id = await report_post(h, SATU)
    before_reporter = h.texts_to(SATU)

    answered = await press(h, MOD_ONE, case_id, f"v1:e:{case_id}")
    assert "Escalate without a note" in answer_text(answered)
    assert button_data(h, case_id) == {f"v1:s:{case_id}", f"v1:x:{case_id}"}
    assert "State: new" in card_text(h, case_id)
    prompt = latest_prompt(h, case_id, MOD_ONE)
    assert "note for escalating" in prompt["text"]

    answered = await press(h, MOD_ONE, case_id, f"v1:s:{case_id}")
    assert f"Escalated #{case_id}" in answer_text(answered)
    assert "State: escalated" in card_text(h, case_id)
    assert in_history(h, case_id, "escalated by Mod One")
    assert button_data(h, case_id) == expect(ESCALATED_BUTTONS, case_id)
    alerts = [m for m in tg.messages_in(GROUP) if "was escalated" in m.get("text", "")]
    assert len(alerts) == 1 and f"#{case_id}" in alerts[0]["text"]
    mentioned = [e["user"]["id"] for e in alerts[0].get("entities", []) if "user" in e]
    assert mentioned == [MOD_TWO]

    # The prompt, answered after all, is too late: escalating twice changes nothing.
    await reply(h, MOD_ONE, GROUP, prompt["message_id"], "late note")
    assert not in_history(h, case_id, "late note")
    assert len([m for m in tg.messages_in(GROUP) if "was escalated" in m.get("text", "")]) == 1

    # Escalation is not told to the reporter; /status says "in review", never "escalated".
    assert h.texts_to(SATU) == before_reporter
    assert "sedang ditinjau" in await h.answer(SATU, f"/status {case_id}")
    assert "eskal" not in reporter_texts(h).lower() and "escalat" not in reporter_texts(h).lower()
    assert_no_moderator_identity(tg)


async def test_escalate_with_a_note_puts_the_note_in_the_history(
    harness: Harness, tg: FakeTelegram
) -> None:
    case_id = await report_post(harness, DUA)
    await press(harness, MOD_TWO, case_id, f"v1:e:{case_id}")
    prompt = latest_prompt(harness, case_id, MOD_TWO)
    await reply(harness, MOD_TWO, GROUP, prompt["message_id"], "needs a legal opinion")
    assert "State: escalated" in card_text(harness, case_id)
    assert in_history(harness, case_id, "escalated by Mod Two: needs a legal opinion")
    assert button_data(harness, case_id) == expect(ESCALATED_BUTTONS, case_id)
    # No escalation chat and nobody on duty: the group is still told, once.
    alerts = [m for m in tg.messages_in(GROUP) if "was escalated" in m.get("text", "")]
    assert len(alerts) == 1 and f"#{case_id}" in alerts[0]["text"]
    assert "legal opinion" not in reporter_texts(harness)
    assert "escalat" not in reporter_texts(harness).lower()
    assert_no_moderator_identity(tg)


async def test_escalation_chat_gets_card_and_evidence_and_decides_for_both(
    desk_with: MakeDesk, tg: FakeTelegram
) -> None:
    tg.add_group(ESCALATION, "Second tier", members=[MOD_ONE, MOD_TWO])
    h = await desk_with(f"  escalation_chat_id: {ESCALATION}\n")
    case_id = await report_post(h, SATU)
    assert h.cards(ESCALATION) == []

    await press(h, MOD_ONE, case_id, f"v1:e:{case_id}")
    prompt = latest_prompt(h, case_id, MOD_ONE)
    await reply(h, MOD_ONE, GROUP, prompt["message_id"], "second opinion please")
    assert "State: escalated" in card_text(h, case_id)

    # The second tier sees the card, the note and the evidence.
    text = card_text(h, case_id, ESCALATION)
    assert "State: escalated" in text and "Liaison Satu (Kominfo)" in text
    assert in_history(h, case_id, "escalated by Mod One: second opinion please", ESCALATION)
    copies = evidence_copies(h, ESCALATION, "Evidence post 77")
    assert len(copies) == 1
    assert button_data(h, case_id, ESCALATION) == expect(ESCALATED_BUTTONS, case_id)

    # A note on the evidence copy in the escalation chat shows on both cards.
    await reply(h, MOD_TWO, ESCALATION, copies[0]["message_id"], "same network as #0")
    for chat in (GROUP, ESCALATION):
        assert in_history(h, case_id, "note by Mod Two: same network as #0", chat)

    # A picker opens on the card that was pressed only; the decision updates both cards.
    await press(h, MOD_TWO, case_id, f"v1:t:{case_id}", chat=ESCALATION)
    assert f"v1:x:{case_id}" in button_data(h, case_id, ESCALATION)
    assert button_data(h, case_id) == expect(ESCALATED_BUTTONS, case_id)
    before = len(h.texts_to(SATU))
    await press(h, MOD_TWO, case_id, f"v1:r:{case_id}:t:incitement", chat=ESCALATION)
    for chat in (GROUP, ESCALATION):
        text = card_text(h, case_id, chat)
        assert "State: taken down · by Mod Two" in text, (chat, text)
        assert "Reason: incitement to violence" in text
        assert button_data(h, case_id, chat) == {f"v1:o:{case_id}"}
    new = h.texts_to(SATU)[before:]
    assert len(new) == 1 and "hasutan kekerasan" in new[0] and "diturunkan" in new[0]
    assert "eskal" not in reporter_texts(h).lower()
    assert_no_moderator_identity(tg)


async def test_question_asked_from_the_escalation_chat_is_answered_on_both_cards(
    desk_with: MakeDesk, tg: FakeTelegram
) -> None:
    tg.add_group(ESCALATION, "Second tier", members=[MOD_ONE, MOD_TWO])
    h = await desk_with(f"  escalation_chat_id: {ESCALATION}\n")
    case_id = await report_post(h, DUA)
    await press(h, MOD_ONE, case_id, f"v1:e:{case_id}")
    await press(h, MOD_ONE, case_id, f"v1:s:{case_id}")
    assert "State: escalated" in card_text(h, case_id, ESCALATION)

    await press(h, MOD_TWO, case_id, f"v1:a:{case_id}", chat=ESCALATION)
    prompt = latest_prompt(h, case_id, MOD_TWO, chat=ESCALATION)
    await reply(h, MOD_TWO, ESCALATION, prompt["message_id"], "Which account posted it first?")
    for chat in (GROUP, ESCALATION):
        assert "State: waiting for the reporter" in card_text(h, case_id, chat)
    [question] = questions_to(h, DUA, case_id)
    assert "Which account posted it first?" in question["text"]

    await reply(h, DUA, DUA, question["message_id"], "@fake_news_acc")
    for chat in (GROUP, ESCALATION):
        assert "State: escalated" in card_text(h, case_id, chat)
        assert in_history(h, case_id, "Liaison Dua answered: @fake_news_acc", chat)
        assert len(evidence_copies(h, chat, "@fake_news_acc")) == 1
    assert "escalat" not in reporter_texts(h).lower()
    assert_no_moderator_identity(tg)


async def test_escalation_chat_gets_every_piece_of_evidence(
    desk_with: MakeDesk, tg: FakeTelegram, cast: World
) -> None:
    tg.add_group(ESCALATION, "Second tier", members=[MOD_ONE, MOD_TWO])
    h = await desk_with(f"  escalation_chat_id: {ESCALATION}\n")
    case_id = await report_post(h, DUA)
    cast.forward_channel_post(DUA, cast.bad_news, 78, text="Added with /add")
    tg.send_message(DUA, text=f"/add {case_id}")
    await h.idle()
    await ask(h, MOD_ONE, case_id, "Anything else?")
    [question] = questions_to(h, DUA, case_id)
    await reply(h, DUA, DUA, question["message_id"], "An answer with a link t.me/x/1")
    for text in ("Evidence post 77", "Added with /add", "An answer with a link t.me/x/1"):
        assert len(evidence_copies(h, GROUP, text)) == 1, text

    await press(h, MOD_ONE, case_id, f"v1:e:{case_id}")
    await press(h, MOD_ONE, case_id, f"v1:s:{case_id}")
    assert "State: escalated" in card_text(h, case_id, ESCALATION)
    for text in ("Evidence post 77", "Added with /add", "An answer with a link t.me/x/1"):
        assert len(evidence_copies(h, ESCALATION, text)) == 1, (text, h.texts_to(ESCALATION))


# --- internal notes ---------------------------------------------------------------------------


async def test_replies_to_the_card_or_its_evidence_are_internal_notes(
    harness: Harness, tg: FakeTelegram
) -> None:
    case_id = await report_post(harness, SATU)
    card = harness.card(GROUP, case_id)
    [copy] = evidence_copies(harness, GROUP, "Evidence post 77")
    before_reporter = harness.texts_to(SATU)

    await reply(harness, MOD_TWO, GROUP, card["message_id"], "looks coordinated")
    await reply(harness, MOD_ONE, GROUP, copy["message_id"], "seen this channel before")
    assert in_history(harness, case_id, "note by Mod Two: looks coordinated")
    assert in_history(harness, case_id, "note by Mod One: seen this channel before")
    assert "State: new" in card_text(harness, case_id)
    assert harness.card(GROUP, case_id)["message_id"] == card["message_id"]  # edited in place

    # A group member who is not a moderator leaves no note.
    tg.add_member(GROUP, STRANGER)
    await reply(harness, STRANGER, GROUP, card["message_id"], "stranger's words")
    assert not in_history(harness, case_id, "stranger's words")

    # Notes stay in moderator space; a note counts as the first action ("in review").
    assert harness.texts_to(SATU) == before_reporter
    assert "sedang ditinjau" in await harness.answer(SATU, f"/status {case_id}")
    assert "coordinated" not in reporter_texts(harness)
    assert_no_moderator_identity(tg)


# --- questions to the reporter ----------------------------------------------------------------


def questions_to(h: Harness, reporter: int, case_id: int) -> list[JSONDict]:
    return [
        m
        for m in h.fake.messages_in(reporter)
        if f"#{case_id}" in m.get("text", "") and "❓" in m.get("text", "")
    ]


async def ask(h: Harness, moderator: int, case_id: int, question: str) -> None:
    answered = await press(h, moderator, case_id, f"v1:a:{case_id}")
    assert "Type your reply" in answer_text(answered)
    prompt = latest_prompt(h, case_id, moderator)
    assert "question for the reporter" in prompt["text"]
    await reply(h, moderator, GROUP, prompt["message_id"], question)


async def test_ask_reporter_round_trip_returns_to_the_state_before(
    harness: Harness, tg: FakeTelegram
) -> None:
    case_id = await report_by_both(harness, "terrorism")
    await press(harness, MOD_TWO, case_id, f"v1:e:{case_id}")
    await press(harness, MOD_TWO, case_id, f"v1:s:{case_id}")
    assert "State: escalated" in card_text(harness, case_id)

    await ask(harness, MOD_ONE, case_id, "Where did you first see it?")
    # Each reporter gets the question, in their language, naming the case only.
    [satu_q] = questions_to(harness, SATU, case_id)
    assert "Tentang kasus #" in satu_q["text"] and "moderator bertanya" in satu_q["text"]
    assert "Where did you first see it?" in satu_q["text"]
    [dua_q] = questions_to(harness, DUA, case_id)
    assert "About case #" in dua_q["text"] and "Where did you first see it?" in dua_q["text"]
    markup = sent_call(tg, SATU, satu_q["message_id"]).params.get("reply_markup")
    assert isinstance(markup, dict) and markup.get("force_reply") is True

    assert "State: waiting for the reporter" in card_text(harness, case_id)
    assert in_history(harness, case_id, "Mod One asked the reporter: Where did you first see it?")
    assert button_data(harness, case_id) == expect(WAITING_BUTTONS, case_id)
    assert "menunggu jawaban Anda" in await harness.answer(SATU, f"/status {case_id}")

    # Satu answers by replying to the question: the answer joins the case, not the draft.
    await reply(harness, SATU, SATU, satu_q["message_id"], "Di grup WhatsApp alumni")
    assert f"jawaban Anda ditambahkan ke kasus #{case_id}" in harness.texts_to(SATU)[-1]
    copies = evidence_copies(harness, GROUP, "Di grup WhatsApp alumni")
    assert len(copies) == 1
    assert copies[0]["reply_to_message"]["message_id"] == harness.card(GROUP, case_id)["message_id"]
    assert in_history(harness, case_id, "Liaison Satu answered: Di grup WhatsApp alumni")
    assert "State: escalated" in card_text(harness, case_id)
    assert button_data(harness, case_id) == expect(ESCALATED_BUTTONS, case_id)
    tg.send_message(SATU, text="/report terrorism")  # the answer did not go into the draft
    await harness.idle()
    assert "Belum ada yang dapat dilaporkan" in harness.texts_to(SATU)[-1]
    assert "eskal" not in reporter_texts(harness).lower()
    assert_no_moderator_identity(tg)


async def test_a_long_question_still_reaches_the_reporter(
    harness: Harness, tg: FakeTelegram
) -> None:
    case_id = await report_post(harness, SATU)
    await ask(harness, MOD_ONE, case_id, "Q " + "q" * 3998)  # 4000 characters
    assert "State: waiting for the reporter" in card_text(harness, case_id)
    assert questions_to(harness, SATU, case_id), harness.texts_to(SATU)
    assert all(c.ok for c in tg.calls_to("sendMessage", SATU))


async def test_a_photo_answer_is_copied_and_resumes_a_new_case(
    harness: Harness, tg: FakeTelegram
) -> None:
    case_id = await report_post(harness, DUA)
    await ask(harness, MOD_TWO, case_id, "Do you have a screenshot?")
    [question] = questions_to(harness, DUA, case_id)
    tg.send_message(
        DUA, photo=True, caption="here it is", reply_to_message_id=question["message_id"]
    )
    await harness.idle()
    assert f"your answer was added to case #{case_id}" in harness.texts_to(DUA)[-1]
    photos = [m for m in tg.messages_in(GROUP) if "photo" in m]
    assert len(photos) == 1 and photos[0].get("caption") == "here it is"
    assert "State: new" in card_text(harness, case_id)
    assert in_history(harness, case_id, "Liaison Dua answered")
    assert_no_moderator_identity(tg)


async def test_withdrawn_question_returns_to_the_state_before(
    harness: Harness, tg: FakeTelegram
) -> None:
    case_id = await report_post(harness, SATU)
    await ask(harness, MOD_ONE, case_id, "Is the channel still online?")
    assert "State: waiting for the reporter" in card_text(harness, case_id)
    before_reporter = harness.texts_to(SATU)

    answered = await press(harness, MOD_TWO, case_id, f"v1:q:{case_id}")
    assert "Question withdrawn" in answer_text(answered)
    assert "State: new" in card_text(harness, case_id)
    assert in_history(harness, case_id, "question withdrawn by Mod Two")
    assert button_data(harness, case_id) == expect(NEW_BUTTONS, case_id)
    assert harness.texts_to(SATU) == before_reporter
    assert "menunggu" not in await harness.answer(SATU, f"/status {case_id}")

    # A late answer to the withdrawn question still goes to the case (never to the draft).
    [question] = questions_to(harness, SATU, case_id)
    await reply(harness, SATU, SATU, question["message_id"], "Ya, masih aktif")
    assert in_history(harness, case_id, "Liaison Satu answered: Ya, masih aktif")
    assert "State: new" in card_text(harness, case_id)
    assert len(evidence_copies(harness, GROUP, "Ya, masih aktif")) == 1
    assert_no_moderator_identity(tg)


async def test_a_case_waiting_for_the_reporter_can_still_be_decided(
    harness: Harness, tg: FakeTelegram
) -> None:
    case_id = await report_post(harness, DUA)
    await ask(harness, MOD_ONE, case_id, "Any more context?")
    await press(harness, MOD_TWO, case_id, f"v1:d:{case_id}")
    await press(harness, MOD_TWO, case_id, f"v1:r:{case_id}:d:already_removed")
    assert "State: dismissed · by Mod Two" in card_text(harness, case_id)
    told = harness.texts_to(DUA)[-1]
    assert f"#{case_id}" in told and "dismissed" in told and "already removed" in told
    assert_no_moderator_identity(tg)


# --- /add -------------------------------------------------------------------------------------


async def test_add_attaches_the_draft_to_the_reporters_open_case(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    case_id = await report_post(harness, SATU)
    cast.forward_channel_post(SATU, cast.bad_news, 78, text="Follow-up post 78")
    cast.forward_channel_post(SATU, cast.secret_cell, 5, text="Mirror in Secret Cell")
    await harness.idle()
    assert f"2 item ditambahkan ke kasus #{case_id}" in await harness.answer(
        SATU, f"/add #{case_id}"
    )

    card = harness.card(GROUP, case_id)
    for text in ("Follow-up post 78", "Mirror in Secret Cell"):
        [copy] = evidence_copies(harness, GROUP, text)
        assert "forward_origin" not in copy and copy["message_id"] > card["message_id"]
    assert in_history(harness, case_id, "Liaison Satu added material")
    assert "State: new" in card["text"]
    # The draft is empty now.
    assert "Belum ada yang dapat dilaporkan" in await harness.answer(SATU, "/report terrorism")
    assert_no_moderator_identity(tg)


async def test_add_history_on_the_card_is_in_the_moderators_language(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    case_id = await report_post(harness, SATU)
    cast.forward_channel_post(SATU, cast.bad_news, 78, text="Follow-up post 78")
    cast.forward_channel_post(SATU, cast.bad_news, 79, text="Follow-up post 79")
    await harness.answer(SATU, f"/add {case_id}")
    assert in_history(harness, case_id, "Liaison Satu added material: 2 more item(s)")
    assert "item tambahan" not in card_text(harness, case_id)


async def test_add_with_a_note_shows_the_note_on_the_card(harness: Harness, cast: World) -> None:
    case_id = await report_post(harness, DUA)
    cast.forward_channel_post(DUA, cast.bad_news, 78, text="Follow-up post 78")
    assert f"Added 1 item(s) to case #{case_id}" in await harness.answer(
        DUA, f"/add {case_id} the same admins run this one"
    )
    assert "the same admins run this one" in card_text(harness, case_id)


async def test_add_while_a_question_is_pending_answers_it(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    case_id = await report_post(harness, DUA)
    await press(harness, MOD_ONE, case_id, f"v1:e:{case_id}")
    await press(harness, MOD_ONE, case_id, f"v1:s:{case_id}")
    await ask(harness, MOD_ONE, case_id, "Do you have the original post?")
    cast.forward_channel_post(DUA, cast.secret_cell, 9, text="The original post")
    assert f"Added 1 item(s) to case #{case_id}" in await harness.answer(DUA, f"/add {case_id}")
    assert "State: escalated" in card_text(harness, case_id)
    assert in_history(harness, case_id, "Liaison Dua answered: 1 more item(s)")
    assert len(evidence_copies(harness, GROUP, "The original post")) == 1
    assert_no_moderator_identity(tg)


async def test_add_to_a_decided_or_someone_elses_case_is_refused(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    satus_case = await report_post(harness, SATU, post_id=1)
    duas_case = await report_post(harness, DUA, post_id=2)
    await press(harness, MOD_ONE, duas_case, f"v1:t:{duas_case}")
    await press(harness, MOD_ONE, duas_case, f"v1:r:{duas_case}:t:incitement")
    group_before = len(tg.messages_in(GROUP))
    cards_before = {c: card_text(harness, c) for c in (satus_case, duas_case)}

    cast.forward_channel_post(DUA, cast.bad_news, 3, text="Dua's new find")
    decided = await harness.answer(DUA, f"/add {duas_case}")
    assert f"Case #{duas_case} is already decided; report new content with /report" in decided
    refusal = await harness.answer(DUA, f"/add {satus_case}")
    assert f"found no case #{satus_case} among your reports" in refusal
    assert "Liaison Satu" not in refusal

    # Nothing was attached anywhere; the draft is still there to report.
    assert len(tg.messages_in(GROUP)) == group_before
    assert {c: card_text(harness, c) for c in cards_before} == cards_before
    ack = await harness.answer(DUA, "/report terrorism")
    opened = re.search(r"#(\d+)", ack)
    assert opened, ack
    assert int(opened[1]) not in (satus_case, duas_case)
    assert len(evidence_copies(harness, GROUP, "Dua's new find")) == 1

    tg.send_message(SATU, text="/add")
    tg.send_message(SATU, text=f"/add {satus_case}")  # nothing forwarded
    await harness.idle()
    assert "/add N" in harness.texts_to(SATU)[-2]
    assert "Belum ada yang dapat dilaporkan" in harness.texts_to(SATU)[-1]
    assert_no_moderator_identity(tg)
