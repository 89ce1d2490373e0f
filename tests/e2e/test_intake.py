"""Every kind of evidence and every way to report, end to end, in both languages."""

from __future__ import annotations

from bot.sandbox import FakeTelegram
from tests.factories import (
    DUA,
    GROUP,
    MOD_ONE,
    SATU,
    World,
    channel_post_link,
    next_date,
    origin_chat,
    origin_hidden_user,
    origin_user,
)
from tests.harness import Harness


def last_text(h: Harness, chat: int) -> str:
    return h.texts_to(chat)[-1]


async def test_every_forward_origin_is_described_on_the_card(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    group = tg.add_group(-1003000000003, "Hate Group", username="hategroup")
    tg.send_message(DUA, text="msg from a user", forward_origin=origin_user(cast.stranger))
    tg.send_message(DUA, text="msg from hidden", forward_origin=origin_hidden_user("Anon Rider"))
    tg.send_message(
        DUA, text="msg as a chat", forward_origin=origin_chat(group, author_signature="Boss")
    )
    cast.forward_channel_post(DUA, cast.secret_cell, 314, text="private channel post")
    tg.send_message(DUA, text="see https://t.me/badnews/1234 now")
    tg.send_message(DUA, text="/report radikal mixed origins")
    await harness.idle()
    text = harness.card(GROUP, 1)["text"]
    for expected in (
        "user Stranger (id 555555)",
        "hidden sender «Anon Rider»",
        "chat «Hate Group» @hategroup (Boss)",
        "channel «Secret Cell»",
        channel_post_link(cast.secret_cell, 314),
        "https://t.me/badnews/1234",
        "Radicalism",
    ):
        assert expected in text, (expected, text)
    copies = [m for m in tg.messages_in(GROUP) if m.get("text", "").startswith("msg ")]
    assert len(copies) == 3


async def test_every_media_kind_is_copied_as_evidence(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    origin = origin_user(cast.stranger)
    kinds = ("photo", "video", "animation", "document", "voice", "audio", "sticker")
    for kind in kinds:
        tg.send_message(
            DUA,
            caption=f"{kind} caption" if kind != "sticker" else None,
            forward_origin=origin,
            **{kind: True},  # type: ignore[arg-type]
        )
    tg.send_message(DUA, text="/report porn")
    await harness.idle()
    copied = [m for m in tg.messages_in(GROUP) if any(k in m for k in kinds)]
    assert len(copied) == len(kinds)
    assert {k for m in copied for k in kinds if k in m} == set(kinds)
    assert any(m.get("caption") == "photo caption" for m in copied)
    assert "Pornography" in harness.card(GROUP, 1)["text"]


async def test_album_is_copied_together_even_out_of_order_and_across_a_restart(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    await harness.stop()
    album = cast.forward_album(SATU, cast.bad_news, 500, 3)
    tg._updates[-3:] = [  # the items arrive in reverse order, with ascending update ids
        {"update_id": u["update_id"], "message": v["message"]}
        for u, v in zip(tg._updates[-3:], reversed(tg._updates[-3:]), strict=True)
    ]
    await harness.start()
    await harness.idle()
    await harness.restart()
    tg.send_message(SATU, text="/report terrorism")
    await harness.idle()
    copies = [m for m in tg.messages_in(GROUP) if "photo" in m]
    assert len(copies) == 3
    assert len({m.get("media_group_id") for m in copies}) == 1
    assert copies[0]["media_group_id"] is not None
    assert len(album) == 3


async def test_album_interrupted_by_a_restart_stays_one_report(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    group = f"album-{next_date()}"
    for _ in range(2):
        tg.send_message(
            SATU, photo=True, media_group_id=group, forward_origin=origin_user(cast.stranger)
        )
    await harness.idle()
    await harness.restart()
    tg.send_message(
        SATU, photo=True, media_group_id=group, forward_origin=origin_user(cast.stranger)
    )
    await harness.idle()
    tg.send_message(SATU, text="/report fraud")
    await harness.idle()
    copies = [m for m in tg.messages_in(GROUP) if "photo" in m]
    assert len(copies) == 3 and len({m["media_group_id"] for m in copies}) == 1
    assert len(harness.cards(GROUP)) == 1


async def test_draft_notice_cancel_and_reply_report(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    first = cast.forward_channel_post(DUA, cast.bad_news, 1, text="first")
    cast.forward_channel_post(DUA, cast.bad_news, 2, text="second")
    await tg.wait_for(lambda: "2 item(s) waiting" in last_text(harness, DUA), timeout=8)
    tg.send_message(
        DUA, text="/report gambling only the first", reply_to_message_id=first["message_id"]
    )
    await harness.idle()
    assert "#1" in last_text(harness, DUA)
    copies = [m.get("text") for m in tg.messages_in(GROUP) if m.get("text") in ("first", "second")]
    assert copies == ["first"]
    assert "Discarded 1 item" in await harness.answer(DUA, "/cancel")
    assert "nothing to report" in await harness.answer(DUA, "/report gambling")


async def test_category_buttons_when_none_is_named(harness: Harness, tg: FakeTelegram) -> None:
    await harness.forward_and_report(DUA, 3, "please look at this")
    offer = tg.messages_in(DUA)[-1]
    assert "Which category" in offer["text"]
    buttons = harness.buttons(offer)
    assert len(buttons) == 9 and "Online gambling" in buttons
    assert harness.cards(GROUP) == []
    await harness.restart()  # the choice waits across a restart
    query = tg.press(DUA, DUA, offer["message_id"], buttons["Online gambling"])
    await harness.idle()
    assert "#1" in tg.answered(query).params["text"]  # type: ignore[union-attr]
    assert "#1" in last_text(harness, DUA)
    card = harness.card(GROUP, 1)["text"]
    assert "Online gambling" in card and "please look at this" in card


async def test_reports_of_the_same_post_join_one_case_and_both_are_told(
    harness: Harness, tg: FakeTelegram
) -> None:
    await harness.forward_and_report(SATU, 88, "hoax")
    joined = await harness.forward_and_report(DUA, 88, "terrorism urgent")
    assert "already under review as case #1" in joined
    cards = harness.cards(GROUP)
    assert len(cards) == 1
    text = cards[0]["text"]
    assert "Liaison Satu (Kominfo), Liaison Dua (BNPT)" in text and "reports: 2" in text
    assert "Terrorism" in text  # the most urgent category wins
    again = await harness.forward_and_report(DUA, 88, "terrorism")
    assert "You already reported this content: it is case #1" in again
    card = harness.card(GROUP, 1)
    tg.press(MOD_ONE, GROUP, card["message_id"], "v1:d:1")
    await harness.idle()
    tg.press(MOD_ONE, GROUP, card["message_id"], "v1:r:1:d:insufficient")
    await harness.idle()
    assert "bukti tidak cukup" in last_text(harness, SATU)
    assert "insufficient evidence" in last_text(harness, DUA)


async def test_status_and_language_switch(harness: Harness, tg: FakeTelegram) -> None:
    await harness.forward_and_report(SATU, 5, "fraud")
    assert "Kasus #1: diterima" in await harness.answer(SATU, "/status #1")
    assert "no case #1" in await harness.answer(DUA, "/status 1")
    assert "English" in await harness.answer(SATU, "/lang en")
    card = harness.card(GROUP, 1)
    tg.press(MOD_ONE, GROUP, card["message_id"], "v1:c:1")
    assert "Case #1: in review" in await harness.answer(SATU, "/status 1")
    assert "Mod" not in last_text(harness, SATU)
    assert "screenshot" in await harness.answer(SATU, "/help")
    tg.send_message(SATU, text="/lang id")
    assert "tangkapan layar" in await harness.answer(SATU, "/help")
