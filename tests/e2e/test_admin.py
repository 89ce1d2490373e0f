"""Admins run the desk from YAML: reloads, menus, ids, unknown groups, the start-up check."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.sandbox import FakeTelegram
from tests.factories import (
    DUA,
    GROUP,
    MOD_ONE,
    MOD_TWO,
    SATU,
    STRANGER,
    FakeClock,
    World,
    write_config,
)
from tests.harness import Harness, spawn_bot

STRANGER_LINE = "  - {id: 555555, name: New Liaison, organization: Kominfo}\n"


def add_stranger_as_reporter(path: Path) -> None:
    text = path.read_text("utf-8")
    path.write_text(text.replace("reporters:\n", "reporters:\n" + STRANGER_LINE), "utf-8")


async def report(h: Harness, who: int, post: int) -> None:
    h.world.forward_channel_post(who, h.world.bad_news, post, text=f"post {post}")
    h.fake.send_message(who, text="/report fraud")
    await h.idle()


async def test_reload_command_applies_a_good_edit_and_rejects_a_bad_one(
    harness: Harness, cast: World
) -> None:
    cast.start(MOD_ONE)
    cast.start(STRANGER)
    add_stranger_as_reporter(harness.config_path)
    assert "Reloaded. Changed: reporters" in await harness.answer(MOD_ONE, "/reload")
    assert any("Configuration reloaded" in t for t in harness.texts_to(GROUP))
    await report(harness, STRANGER, 1)
    assert "#1" in harness.texts_to(STRANGER)[-1]

    good = harness.config_path.read_text("utf-8")
    harness.config_path.write_text(good.replace("id: 555555", "id: abc"), "utf-8")
    alert = await harness.answer(MOD_ONE, "/reload")
    assert "reporters[0].id" in alert and "config.yaml line" in alert and "integer" in alert
    await report(harness, STRANGER, 2)  # the previous configuration stays in force
    assert "#2" in harness.texts_to(STRANGER)[-1]

    assert "Hanya admin" in await harness.answer(SATU, "/reload")


async def test_file_change_removing_a_reporter_and_a_moderator_takes_effect_at_once(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    await report(harness, DUA, 1)
    card = harness.card(GROUP, 1)
    text = harness.config_path.read_text("utf-8")
    text = text.replace("  - {id: 444444, name: Liaison Dua, organization: BNPT}\n", "")
    text = text.replace("moderators: [111111, 222222]", "moderators: [111111]")
    harness.config_path.write_text(text, "utf-8")
    await tg.wait_for(
        lambda: any("Configuration reloaded" in t for t in harness.texts_to(GROUP)), timeout=10
    )
    await report(harness, DUA, 2)
    assert "only registered liaisons" in harness.texts_to(DUA)[-1]
    query = tg.press(MOD_TWO, GROUP, card["message_id"], "v1:c:1")
    await harness.idle()
    refused = tg.answered(query)
    assert refused is not None and "Only the desk's moderators" in refused.params["text"]
    tg.press(MOD_ONE, GROUP, card["message_id"], "v1:r:1:t:scam")
    await harness.idle()
    assert "taken down" in harness.texts_to(DUA)[-1]  # still told about earlier cases


async def test_invalid_file_edit_alerts_admins_once(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    cast.start(MOD_ONE)
    harness.config_path.write_text("moderation: [\n", "utf-8")
    await tg.wait_for(
        lambda: any("was not reloaded" in t for t in harness.texts_to(MOD_ONE)), timeout=10
    )
    await asyncio.sleep(4.5)  # two more watch rounds: the same problem is not told again
    assert sum("was not reloaded" in t for t in harness.texts_to(MOD_ONE)) == 1
    await report(harness, SATU, 1)
    assert harness.cards(GROUP)


async def test_menus_per_scope_and_language(harness: Harness, tg: FakeTelegram) -> None:
    await tg.wait_for(lambda: tg.commands_for({"type": "chat", "chat_id": SATU}), timeout=10)
    satu = {
        c["command"]: c["description"] for c in tg.commands_for({"type": "chat", "chat_id": SATU})
    }
    assert "report" in satu and "reload" not in satu
    assert satu["mycases"] == "Kasus terbaru saya"
    moderators = await tg.wait_for(
        lambda: tg.commands_for({"type": "chat_member", "chat_id": GROUP, "user_id": MOD_TWO})
    )
    assert [c["command"] for c in moderators] == ["queue", "case", "stats", "help"]
    everyone = [c["command"] for c in tg.commands_for()]
    assert everyone == ["start", "help", "whoami"]
    tg.send_message(SATU, text="/lang en")
    await harness.idle()
    await tg.wait_for(
        lambda: (
            {
                c["command"]: c["description"]
                for c in tg.commands_for({"type": "chat", "chat_id": SATU})
            }["mycases"]
            == "My recent cases"
        )
    )


async def test_whoami_and_chatid(harness: Harness, tg: FakeTelegram, cast: World) -> None:
    cast.start(STRANGER)
    tg.send_message(STRANGER, text="/whoami")
    tg.send_message(MOD_TWO, GROUP, text="/chatid")  # not an admin: nothing
    tg.send_message(MOD_ONE, GROUP, text="/chatid")
    await harness.idle()
    assert "555555" in harness.texts_to(STRANGER)[-1]
    said = [t for t in harness.texts_to(GROUP) if str(GROUP) in t]
    assert len(said) == 1


async def test_unknown_groups(tg: FakeTelegram, cast: World, tmp_path: Path) -> None:
    clock = FakeClock()
    harness = Harness(tg, cast, tmp_path, clock=clock)
    other = tg.add_group(-1009999999999, "Random", members=[MOD_ONE, STRANGER], bot_is_member=False)
    third = tg.add_group(-1008888888888, "Spam", members=[STRANGER], bot_is_member=False)
    await harness.start()
    try:
        tg.bot_added_to_group(other["id"], MOD_ONE)
        tg.bot_added_to_group(third["id"], STRANGER)
        await harness.idle()
        hello = harness.texts_to(other["id"])
        assert len(hello) == 1 and "-1009999999999" in hello[0] and "moderation.chat_id" in hello[0]
        assert [c.params["chat_id"] for c in tg.calls_to("leaveChat")] == [third["id"]]
        assert harness.texts_to(third["id"]) == []
        clock.advance(601)
        await tg.wait_for(lambda: len(tg.calls_to("leaveChat")) == 2, timeout=10)
    finally:
        await harness.stop()


async def test_start_up_check_alerts_once_about_missing_rights(
    tg: FakeTelegram, cast: World, tmp_path: Path
) -> None:
    cast.start(MOD_ONE)
    tg.set_bot_status(GROUP, "restricted", notify=False)
    harness = Harness(tg, cast, tmp_path)
    await harness.start()
    await tg.wait_for(lambda: any("cannot post" in t for t in harness.texts_to(MOD_ONE)))
    await harness.restart()
    await asyncio.sleep(1)
    await harness.idle()
    assert sum("cannot post" in t for t in harness.texts_to(MOD_ONE)) == 1
    await harness.stop()


async def test_sighup_reloads_the_running_process(
    tg: FakeTelegram, cast: World, tmp_path: Path
) -> None:
    cast.start(STRANGER)
    config = write_config(tmp_path, tg.base_url)
    log = tmp_path / "bot.log"
    process = await spawn_bot(config, tg.token, log=log)
    try:
        await tg.wait_for(lambda: tg.calls_to("getUpdates"), timeout=20)
        add_stranger_as_reporter(config)
        process.send_signal(signal.SIGHUP)
        await tg.wait_for(lambda: "reloaded (SIGHUP)" in log.read_text(), timeout=10)
        cast.forward_channel_post(STRANGER, cast.bad_news, 3)
        tg.send_message(STRANGER, text="/report fraud")
        await tg.wait_for(lambda: "#1" in (tg.messages_in(STRANGER)[-1].get("text") or ""))
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=20) == 0, log.read_text()


async def test_moving_the_moderator_group_by_reload_brings_every_open_case_along(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    new_group = -1007777777777
    tg.add_group(new_group, "Moderators 2", members=[MOD_ONE, MOD_TWO])
    tg.remove_bot_from_group(GROUP)
    for who, post in ((SATU, 1), (DUA, 2)):
        cast.forward_channel_post(who, cast.bad_news, post, text=f"post {post}")
        tg.send_message(who, text="/report fraud")
    await tg.wait_for(lambda: "#2" in harness.texts_to(DUA)[-1])
    text = harness.config_path.read_text("utf-8")
    harness.config_path.write_text(text.replace(str(GROUP), str(new_group)), "utf-8")
    tg.send_message(MOD_ONE, text="/reload")
    await tg.wait_for(lambda: len(harness.cards(new_group)) == 2, timeout=15)
    await harness.idle()
    copies = [m for m in tg.messages_in(new_group) if (m.get("text") or "").startswith("post ")]
    assert len(copies) == 2
    assert harness.cards(GROUP) == []
