"""Every role is greeted and helped: moderators and admins get their commands from /start and
/help, in a private chat and in moderator space; /queue and /case in a private chat point to the
group; menus exist for moderators and, for everyone else, in each language; in both languages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import FakeTelegram
from tests.factories import DUA, GROUP, MOD_ONE, MOD_TWO, SATU, STRANGER, World
from tests.harness import Harness

# An admin who is no moderator: the stranger of the cast.
ADMIN_ONLY = STRANGER


@pytest.fixture
async def desk(tg: FakeTelegram, cast: World, tmp_path: Path) -> AsyncIterator[Harness]:
    """The standard desk, with the stranger as a second admin (one who moderates nothing)."""
    h = Harness(tg, cast, tmp_path)
    text = h.config_path.read_text("utf-8")
    h.config_path.write_text(
        text.replace("admins: [111111]", f"admins: [111111, {ADMIN_ONLY}]"), "utf-8"
    )
    await h.start()
    await h.idle()  # the start-up notice about admins goes out before any test speaks
    try:
        yield h
    finally:
        await h.stop()


async def test_a_moderator_is_greeted_and_helped_in_private(desk: Harness, cast: World) -> None:
    cast.start(MOD_TWO)
    await desk.idle()
    greeting = desk.texts_to(MOD_TWO)[-1]
    assert greeting.startswith("Hello Mod Two! You are one of the desk's moderators.")
    for command in ("/queue", "/case N", "/stats", "/help"):
        assert command in greeting, command
    assert "Release" in greeting and "Take over" in greeting
    assert "only registered liaisons" not in greeting
    assert "/reload" not in greeting  # not an admin

    helped = await desk.answer(MOD_TWO, "/help")
    assert helped.startswith("Moderating\n") and "/queue" in helped and "/reload" not in helped


async def test_an_admin_who_moderates_too_gets_both_helps(desk: Harness) -> None:
    greeting = await desk.answer(MOD_ONE, "/start")
    assert greeting.startswith(
        "Hello Mod One! You are one of the desk's moderators and one of its admins."
    )
    helped = await desk.answer(MOD_ONE, "/help")
    assert "Moderating" in helped and "Running the desk" in helped
    for command in ("/queue", "/reload", "/quality", "/export", "/chatid"):
        assert command in helped, command


async def test_an_admin_only_gets_the_admins_help(desk: Harness, cast: World) -> None:
    cast.start(ADMIN_ONLY)
    await desk.idle()
    greeting = desk.texts_to(ADMIN_ONLY)[-1]
    assert greeting.startswith("Hello Stranger! You are one of the desk's admins.")
    assert "/reload" in greeting and "Moderating" not in greeting


async def test_help_in_moderator_space(desk: Harness, tg: FakeTelegram) -> None:
    helped = await desk.answer(MOD_TWO, "/help", GROUP)
    assert helped.startswith("Moderating\n") and "/case N" in helped and "/reload" not in helped
    helped = await desk.answer(MOD_ONE, "/start@report_desk_bot", GROUP)
    assert "Moderating" in helped and "Running the desk" in helped

    tg.add_member(GROUP, DUA)  # a member of the group is no moderator
    refused = await desk.answer(DUA, "/help", GROUP)
    assert refused == (
        f"Only the desk's moderators act here. Your Telegram id is {DUA}: give it to the desk's"
        " admins if you should be one."
    )
    assert "Moderating" not in refused


async def test_queue_and_case_in_private_point_to_the_group(desk: Harness, cast: World) -> None:
    cast.start(MOD_TWO)
    assert await desk.answer(MOD_TWO, "/queue") == (
        "Cards live in the moderator group only, where every moderator sees the same ones:"
        " send /queue there."
    )
    assert (await desk.answer(MOD_TWO, "/case 3")).endswith("send /case there.")
    assert await desk.answer(DUA, "/queue") == (
        "/queue is for the desk's moderators, in the moderator group."
    )
    assert await desk.answer(SATU, "/case 1") == (
        "/case hanya untuk moderator layanan ini, di grup moderator."
    )
    assert desk.cards(GROUP) == []
    assert not [t for t in desk.texts_to(GROUP) if "Queue" in t or "case" in t]


async def test_moderators_help_in_indonesian(desk: Harness, cast: World) -> None:
    cast.start(MOD_TWO)
    await desk.answer(MOD_TWO, "/lang id")
    helped = await desk.answer(MOD_TWO, "/help")
    assert helped.startswith("Moderasi\n") and "/queue" in helped and "🔁 Ambil alih" in helped
    greeting = await desk.answer(MOD_TWO, "/start")
    assert greeting.startswith("Halo Mod Two! Anda salah satu moderator layanan ini.")
    assert (await desk.answer(MOD_TWO, "/queue")).startswith("Kartu kasus hanya ada di grup")
    await desk.answer(ADMIN_ONLY, "/lang id")
    helped = await desk.answer(ADMIN_ONLY, "/help")
    assert helped.startswith("Mengelola layanan\n") and "/reload" in helped


async def test_moderator_space_help_in_indonesian(
    tg: FakeTelegram, cast: World, tmp_path: Path
) -> None:
    h = Harness(tg, cast, tmp_path, language="id")
    await h.start()
    try:
        helped = await h.answer(MOD_TWO, "/help", GROUP)
        assert helped.startswith("Moderasi\n") and "/stats" in helped
        tg.add_member(GROUP, DUA)
        refused = await h.answer(DUA, "/help", GROUP)
        assert refused.startswith("Hanya moderator layanan ini yang bertindak di sini.")
    finally:
        await h.stop()


async def test_menus_for_moderators_and_for_everyone_in_each_language(
    desk: Harness, tg: FakeTelegram, cast: World
) -> None:
    def menu(scope: dict[str, object] | None = None, language: str = "") -> dict[str, str]:
        return {c["command"]: c["description"] for c in tg.commands_for(scope, language)}

    await tg.wait_for(lambda: menu(language="id"), timeout=10)
    assert menu() == menu(language="en")
    assert menu(language="en")["help"] == "How to report"
    assert menu(language="id") == {
        "start": "Mulai dan pelajari cara melapor",
        "help": "Cara melapor",
        "whoami": "Tampilkan ID Telegram saya",
    }
    in_group = {"type": "chat_member", "chat_id": GROUP, "user_id": MOD_TWO}
    await tg.wait_for(lambda: menu(in_group), timeout=10)
    assert menu(in_group)["help"] == "Your commands on the desk"

    cast.start(MOD_TWO)
    await desk.answer(MOD_TWO, "/lang id")  # a language choice sets the private menu again
    private = {"type": "chat", "chat_id": MOD_TWO}
    await tg.wait_for(lambda: menu(private), timeout=10)
    assert menu(private) == {
        "help": "Perintah Anda di layanan ini",
        "whoami": "Tampilkan ID Telegram saya",
    }
    admin = menu({"type": "chat", "chat_id": MOD_ONE})
    assert {"reload", "stats", "quality", "export", "help"} <= set(admin)
