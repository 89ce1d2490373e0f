"""The core loop end to end: forwarded post -> /report -> card -> decision -> reporter told."""

from __future__ import annotations

import asyncio

from bot.sandbox import FakeTelegram
from tests.factories import DUA, GROUP, MOD_ONE, MOD_TWO, SATU, STRANGER, World
from tests.harness import Harness


async def report_channel_post(
    h: Harness, who: int, post_id: int = 77, args: str = "terrorism recruiting for attacks"
) -> int:
    ack = await h.forward_and_report(who, post_id, args, "Join the cause <now>")
    assert "#" in ack, ack
    return int(ack.split("#", 1)[1].split()[0].rstrip("."))


async def test_report_reaches_moderators_as_a_card_with_evidence(harness: Harness) -> None:
    case_id = await report_channel_post(harness, SATU)
    assert "Diterima sebagai kasus #1" in harness.texts_to(SATU)[-1]  # Satu reads Indonesian
    card = harness.card(GROUP, case_id)
    text = card["text"]
    for expected in (
        "#1",
        "Terrorism",
        "🔴 P1",
        "Liaison Satu (Kominfo)",
        "recruiting for attacks",
        "Bad News",
        "@badnews",
        "https://t.me/badnews/77",
        "UTC",
        "State: new",
    ):
        assert expected in text, (expected, text)
    assert set(harness.buttons(card).values()) >= {"v1:c:1", "v1:t:1", "v1:d:1", "v1:e:1"}
    evidence = [
        m for m in harness.fake.messages_in(GROUP) if m.get("text") == "Join the cause <now>"
    ]
    assert len(evidence) == 1
    assert "forward_origin" not in evidence[0]  # a copy, not a forward


async def test_only_listed_reporters_may_report(harness: Harness, cast: World) -> None:
    cast.start(STRANGER)
    cast.forward_channel_post(STRANGER, cast.bad_news, 5)
    harness.fake.send_message(STRANGER, text="/report terrorism")
    await harness.idle()
    assert all("only registered liaisons" in t for t in harness.texts_to(STRANGER)[1:])
    assert str(STRANGER) in harness.texts_to(STRANGER)[-1]
    assert harness.fake.messages_in(GROUP) == []


async def test_report_with_nothing_forwarded_explains_and_records_nothing(
    harness: Harness,
) -> None:
    assert "Teruskan terlebih dahulu" in await harness.answer(SATU, "/report terrorism")
    assert "tangkapan layar" in harness.texts_to(SATU)[-1]
    assert harness.fake.messages_in(GROUP) == []


async def test_claim_escalate_and_take_down(harness: Harness, cast: World) -> None:
    fake = harness.fake
    case_id = await report_channel_post(harness, DUA)
    card = harness.card(GROUP, case_id)

    query = fake.press(MOD_ONE, GROUP, card["message_id"], f"v1:c:{case_id}")
    await harness.idle()
    assert fake.answered(query) is not None
    card = harness.card(GROUP, case_id)
    assert "claimed by Mod One" in card["text"]

    fake.press(MOD_TWO, GROUP, card["message_id"], f"v1:e:{case_id}")
    await harness.idle()
    card = harness.card(GROUP, case_id)
    fake.press(MOD_TWO, GROUP, card["message_id"], harness.button(card, f"v1:s:{case_id}"))
    await harness.idle()
    card = harness.card(GROUP, case_id)
    assert "State: escalated" in card["text"]
    assert f"v1:e:{case_id}" not in harness.buttons(card).values()

    fake.press(MOD_TWO, GROUP, card["message_id"], f"v1:t:{case_id}")
    await harness.idle()
    card = harness.card(GROUP, case_id)
    reason = harness.button(card, f"v1:r:{case_id}:t:")
    fake.press(MOD_TWO, GROUP, card["message_id"], reason)
    await harness.idle()
    card = harness.card(GROUP, case_id)
    assert "State: taken down" in card["text"] and "by Mod Two" in card["text"]
    assert list(harness.buttons(card).values()) == [f"v1:o:{case_id}"]

    told = harness.texts_to(DUA)[-1]
    assert f"#{case_id}" in told and "taken down" in told
    assert "Mod" not in told and "escalat" not in told


async def test_non_moderator_press_is_refused_and_changes_nothing(
    harness: Harness, tg: FakeTelegram
) -> None:
    case_id = await report_channel_post(harness, SATU)
    card = harness.card(GROUP, case_id)
    tg.add_member(GROUP, STRANGER)
    query = tg.press(STRANGER, GROUP, card["message_id"], f"v1:c:{case_id}")
    await harness.idle()
    answer = tg.answered(query)
    assert answer is not None and answer.params.get("show_alert") in (True, "true")
    assert "Only the desk's moderators" in answer.params["text"]
    assert harness.card(GROUP, case_id)["text"] == card["text"]


async def test_simultaneous_decisions_yield_one_outcome(harness: Harness, tg: FakeTelegram) -> None:
    case_id = await report_channel_post(harness, SATU)
    card = harness.card(GROUP, case_id)
    for moderator, kind in ((MOD_ONE, "t"), (MOD_TWO, "d")):
        tg.press(moderator, GROUP, card["message_id"], f"v1:{kind}:{case_id}")
    await harness.idle()
    before = len(harness.texts_to(SATU))
    first = tg.press(MOD_ONE, GROUP, card["message_id"], f"v1:r:{case_id}:t:propaganda")
    second = tg.press(MOD_TWO, GROUP, card["message_id"], f"v1:r:{case_id}:d:not_illegal")
    repeat = tg.press(MOD_ONE, GROUP, card["message_id"], f"v1:r:{case_id}:t:propaganda")
    await harness.idle()
    outcomes = harness.texts_to(SATU)[before:]
    assert len(outcomes) == 1 and "diturunkan" in outcomes[0]
    late = tg.answered(second)
    assert late is not None and "already decided" in late.params["text"]
    assert "Mod One" in late.params["text"]
    assert tg.answered(first) is not None and tg.answered(repeat) is not None


async def test_forged_and_stale_callback_data_change_nothing(
    harness: Harness, tg: FakeTelegram
) -> None:
    first = await report_channel_post(harness, SATU, post_id=1)
    second = await report_channel_post(harness, DUA, post_id=2)
    card = harness.card(GROUP, first)
    queries = [
        tg.press(MOD_ONE, GROUP, card["message_id"], data)
        for data in (
            "v9:c:1",
            "v1:t:99999",
            f"v1:r:{first}:t:not_a_reason",
            f"v1:r:{second}:t:propaganda",  # another case's data on this card
            "' OR 1=1 --",
        )
    ]
    await harness.idle()
    for query in queries:
        answered = tg.answered(query)
        assert answered is not None and answered.ok
    assert "State: new" in harness.card(GROUP, first)["text"]
    assert "State: new" in harness.card(GROUP, second)["text"]
    tg.press(MOD_ONE, GROUP, card["message_id"], f"v1:t:{first}")
    tg.press(MOD_ONE, GROUP, card["message_id"], f"v1:r:{first}:t:propaganda")
    await harness.idle()
    stale = tg.press(MOD_TWO, GROUP, card["message_id"], f"v1:c:{first}")
    await harness.idle()
    answered = tg.answered(stale)
    assert answered is not None and "does not apply" in answered.params["text"]


async def test_hostile_text_never_breaks_a_card(harness: Harness, cast: World) -> None:
    hostile = "</b><script>alert(1)</script> & <a href='x'>" + "🚫" * 3000
    cast.forward_channel_post(SATU, cast.bad_news, 9, text=hostile[:4000])
    harness.fake.send_message(SATU, text=f"/report terrorism {hostile}"[:4096])
    await harness.idle()
    card = harness.card(GROUP, 1)
    assert "<script>" in card["text"]  # shown as text, not markup
    assert len(card["text"].encode("utf-16-le")) // 2 <= 4096


async def test_buttons_work_after_a_restart(harness: Harness, tg: FakeTelegram) -> None:
    case_id = await report_channel_post(harness, SATU)
    card = harness.card(GROUP, case_id)
    await harness.restart()
    tg.press(MOD_ONE, GROUP, card["message_id"], f"v1:c:{case_id}")
    await harness.idle()
    assert "claimed by Mod One" in harness.card(GROUP, case_id)["text"]


async def test_presses_in_quick_succession_are_all_answered(
    harness: Harness, tg: FakeTelegram
) -> None:
    case_id = await report_channel_post(harness, SATU)
    card = harness.card(GROUP, case_id)
    queries = [tg.press(MOD_ONE, GROUP, card["message_id"], f"v1:c:{case_id}") for _ in range(5)]
    await asyncio.sleep(0)
    await harness.idle()
    assert all(tg.answered(q) is not None for q in queries)
    claims = [m for m in tg.messages_in(GROUP) if "claimed by" in (m.get("text") or "")]
    assert len(claims) == 1
