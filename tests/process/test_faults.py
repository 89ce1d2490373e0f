"""Faults an operator meets, reproduced with the bot as a real process against the fake Bot API:
a full disk (a real file-size limit), a storage error inside a handler, a refused token, failed
starts, operator mistakes, clock jumps, the token in DEBUG logs, a database deleted, replaced or
corrupt, and alerts that would reach nobody. Nothing is lost, nothing repeats, someone is told."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import resource
import shutil
import socket
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from bot.faults import CLOCK_OFFSET_KEY
from bot.sandbox import FakeTelegram
from tests.factories import (
    GROUP,
    MOD_ONE,
    World,
    many_reporters_config,
    write_config,
)
from tests.harness import BotProcess, spawn_bot

ACK = re.compile(r"#(\d+)")
REPORTERS = [700001 + i for i in range(20)]


def reporters_world(tg: FakeTelegram, tmp_path: Path) -> tuple[World, Path]:
    """The cast plus twenty reporters, every chat open (Mod One, the admin, too)."""
    world = World.build(tg)
    for reporter in REPORTERS:
        tg.add_user(reporter, f"Liaison {reporter}")
        world.start(reporter)
    world.start(MOD_ONE)
    config = tmp_path / "config.yaml"
    config.write_text(many_reporters_config(tmp_path, tg.base_url, REPORTERS, 4), "utf-8")
    return world, config


def acked_cases(tg: FakeTelegram, reporter: int) -> list[int]:
    return [
        int(match[1])
        for message in tg.messages_in(reporter)
        if "#" in (text := message.get("text") or "") and (match := ACK.search(text))
    ]


def carded_cases(tg: FakeTelegram) -> list[int]:
    cards = []
    for message in tg.messages_in(GROUP):
        first = (message.get("text") or "").split("\n")[0]
        if match := re.match(r"#(\d+) · ", first):
            cards.append(int(match[1]))
    return cards


def report_round(tg: FakeTelegram, world: World, round_number: int) -> int:
    """Every reporter forwards a distinct post and reports it; returns how many reports."""
    for index, reporter in enumerate(REPORTERS):
        post = 10_000 + round_number * 100 + index
        world.forward_channel_post(reporter, world.bad_news, post, text=f"post {post}")
        tg.send_message(reporter, text="/report fraud")
    return len(REPORTERS)


async def quiet_for(tg: FakeTelegram, seconds: float, within: float = 120.0) -> None:
    """Wait until the bot has made no successful send for `seconds` (a condition, not a nap)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    count = len([c for c in tg.calls if c.ok and c.method != "getUpdates"])
    since = loop.time()
    while loop.time() < deadline:
        await asyncio.sleep(0.2)
        now_count = len([c for c in tg.calls if c.ok and c.method != "getUpdates"])
        if now_count != count:
            count, since = now_count, loop.time()
        elif loop.time() - since >= seconds:
            return
    raise AssertionError("the bot never went quiet")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- 1. a full disk -----------------------------------------------------------------------


def limit_file_size(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


async def test_a_full_disk_repeats_nothing_and_loses_no_acknowledged_report(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    world, config = reporters_world(tg, tmp_path)
    bot = await BotProcess.spawn(config, tg.token)
    await tg.wait_for(lambda: tg.calls_to("getUpdates"), timeout=60)
    assert await bot.stop() == 0
    database = tmp_path / "desk.sqlite3"
    # Room for some reports, not for all: the database and its WAL may not grow past this.
    limit = database.stat().st_size + 3_000_000

    bot = await BotProcess.spawn(config, tg.token, preexec_fn=lambda: limit_file_size(limit))
    await tg.wait_for(lambda: tg.calls_to("getUpdates"), timeout=60)
    sent = sum(report_round(tg, world, n) for n in range(4))
    await bot.wait_for_line("storage fails", within=120)
    await tg.wait_for(
        lambda: any("cannot write its database" in t for t in texts(tg, MOD_ONE)), timeout=60
    )
    await quiet_for(tg, 5.0)
    during = {reporter: acked_cases(tg, reporter) for reporter in REPORTERS}
    acknowledged = [case for cases in during.values() for case in cases]
    assert acknowledged, "some reports fit before the disk filled"
    assert len(acknowledged) < sent, "the disk filled before every report was taken in"
    # Each acknowledgement and each card appears at most once while the disk is full.
    for reporter, cases in during.items():
        assert len(cases) == len(set(cases)), (reporter, cases)
    assert not [case for case, n in Counter(carded_cases(tg)).items() if n > 1]
    assert "Traceback" not in bot.log
    assert await bot.stop() == 0

    # Space returns: every report is taken in, every acknowledged one is kept as acknowledged.
    bot = await BotProcess.spawn(config, tg.token)
    try:
        await tg.wait_for(
            lambda: sum(len(set(acked_cases(tg, r))) for r in REPORTERS) >= sent, timeout=240
        )
    finally:
        assert await bot.stop() == 0
    with sqlite3.connect(database) as db:
        kept = {
            (reporter, case)
            for reporter, case in db.execute("SELECT reporter_id, case_id FROM reports")
        }
    for reporter, cases in during.items():
        for case in cases:
            assert (reporter, case) in kept
    repeats = [
        case
        for reporter in REPORTERS
        for case, n in Counter(acked_cases(tg, reporter)).items()
        if n > 1
    ]
    # Only the one window Telegram leaves open (accepted, not yet recorded) may repeat, once.
    assert len(repeats) <= 1, repeats


def texts(tg: FakeTelegram, chat_id: int) -> list[str]:
    return [m.get("text") or "" for m in tg.messages_in(chat_id)]


# --- 2. a storage error inside a handler --------------------------------------------------


async def test_a_locked_database_in_handlers_loses_and_repeats_nothing(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    world, config = reporters_world(tg, tmp_path)
    failing = ",".join(str(n) for n in range(8, 200, 7))
    bot = await BotProcess.spawn(
        config, tg.token, extra_env={"REPORT_DESK_FAIL_AT": f"commit:{failing}"}
    )
    try:
        await tg.wait_for(lambda: tg.calls_to("getUpdates"), timeout=60)
        sent = report_round(tg, world, 0) + report_round(tg, world, 1)
        await tg.wait_for(
            lambda: sum(len(acked_cases(tg, r)) for r in REPORTERS) >= sent, timeout=180
        )
        await quiet_for(tg, 3.0)
    finally:
        assert await bot.stop() == 0
    acknowledged = [case for r in REPORTERS for case in acked_cases(tg, r)]
    assert len(acknowledged) == sent and len(set(acknowledged)) == sent
    with sqlite3.connect(tmp_path / "desk.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == sent
        assert db.execute("SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL").fetchone() == (
            0,
        )
    assert "database is locked" in bot.log
    assert "Traceback" not in bot.log


# --- 3. a refused token ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 404])
async def test_a_refused_token_pauses_sending_and_every_case_is_carded_after(
    tg: FakeTelegram, tmp_path: Path, status: int
) -> None:
    tg.refused_token_status = status
    world, config = reporters_world(tg, tmp_path)
    token = tg.token
    bot = await BotProcess.spawn(config, token)
    try:
        await tg.wait_for(lambda: tg.calls_to("getUpdates"), timeout=60)
        await quiet_for(tg, 1.0)
        for index, reporter in enumerate(REPORTERS[:5]):
            world.forward_channel_post(reporter, world.bad_news, 500 + index, text=f"p{index}")
            tg.send_message(reporter, text="/report terrorism")
        # The long poll in flight delivers the reports; every send after it is refused.
        tg.token = "999999:REFUSED-FOR-A-WHILE"
        await bot.wait_for_line("refuses the bot's token", within=60)
        await asyncio.sleep(6.0)  # the refusal lasts a while, as a revoked-then-restored token
        tg.token = token
        await tg.wait_for(lambda: len(set(carded_cases(tg))) >= 5, timeout=180)
        await tg.wait_for(
            lambda: all(acked_cases(tg, reporter) for reporter in REPORTERS[:5]), timeout=60
        )
        await tg.wait_for(
            lambda: any("refused the bot's token" in t for t in texts(tg, MOD_ONE)), timeout=60
        )
    finally:
        assert await bot.stop() == 0
    with sqlite3.connect(tmp_path / "desk.sqlite3") as db:
        failed = db.execute("SELECT COUNT(*) FROM outbox WHERE state='failed'").fetchone()[0]
    assert failed == 0
    assert bot.log.count("refuses the bot's token") == 1
    assert "REFUSED-FOR-A-WHILE" not in bot.log and token.split(":")[1] not in bot.log


# --- 4. failed starts -------------------------------------------------------------------------


async def test_a_refused_token_at_start_is_one_line_and_exit_2(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    config = write_config(tmp_path, tg.base_url)
    bot = await BotProcess.spawn(config, "424242:WRONG-SECRET-TOKEN-abc")
    assert await bot.exit_code(within=60) == 2
    assert "Telegram refused the token of bot 424242" in bot.log
    assert "WRONG-SECRET" not in bot.log and "Traceback" not in bot.log
    assert len(bot.log.strip().splitlines()) <= 3, bot.log


async def test_telegram_out_of_reach_is_retried_one_line_each_and_sigterm_stops_it(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path, f"http://127.0.0.1:{free_port()}/bot")
    bot = await BotProcess.spawn(config, "424242:SECRET-TOKEN-abcdefgh")
    await bot.wait_for_line("retrying in 2 s", within=60)
    await bot.wait_for_line("retrying in 4 s", within=60)
    assert await bot.stop(within=20) == 0
    assert "Traceback" not in bot.log and "SECRET-TOKEN" not in bot.log
    unreachable = [line for line in bot.lines if "unreachable" in line]
    assert len(unreachable) >= 2 and all("Telegram is unreachable" in x for x in unreachable)


# --- 5. operator mistakes ---------------------------------------------------------------------


async def test_an_unusable_storage_path_is_a_clear_message_for_run_and_check_config(
    tmp_path: Path,
) -> None:
    (tmp_path / "not-a-folder").write_text("a file", "utf-8")
    config = write_config(tmp_path)
    text = config.read_text("utf-8").replace(
        str(tmp_path / "desk.sqlite3"), str(tmp_path / "not-a-folder" / "desk.sqlite3")
    )
    config.write_text(text, "utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "path:" in row)
    for args in ((), ("check-config",)):
        bot = await BotProcess.spawn(config, "424242:SECRET-TOKEN-abcdefgh", args=args)
        assert await bot.exit_code() == 2
        assert "storage.path:" in bot.log and f"config.yaml line {line}" in bot.log, bot.log
        assert "Traceback" not in bot.log


async def test_a_bad_log_level_is_a_usage_error(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    bot = await BotProcess.spawn(config, "1:x", args=("--log-level", "LOUD"))
    assert await bot.exit_code() == 2
    assert "--log-level" in bot.log and "LOUD" in bot.log and "Traceback" not in bot.log


async def test_check_config_warns_when_no_admin_is_configured(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    config.write_text(config.read_text("utf-8").replace("admins: [111111]\n", ""), "utf-8")
    process = await spawn_bot(config, None, args=("check-config",))
    printed, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0
    assert "no admins are configured" in printed.decode()


# --- 6. clock jumps ---------------------------------------------------------------------------


async def spawn_with_a_movable_clock(tg: FakeTelegram, config: Path) -> tuple[BotProcess, Path]:
    """The bot, and the file whose number of seconds moves its wall clock (0 to begin with)."""
    offset = config.parent / "clock-offset"
    offset.write_text("0", "utf-8")
    bot = await BotProcess.spawn(config, tg.token, extra_env={CLOCK_OFFSET_KEY: str(offset)})
    return bot, offset


async def test_the_clock_moved_back_an_hour_freezes_nothing(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    world, config = reporters_world(tg, tmp_path)
    bot, offset = await spawn_with_a_movable_clock(tg, config)
    reporter = REPORTERS[0]
    try:
        await tg.wait_for(lambda: tg.calls_to("getUpdates"), timeout=60)
        world.forward_channel_post(reporter, world.bad_news, 1, text="one")
        tg.send_message(reporter, text="/report fraud")
        await tg.wait_for(lambda: len(acked_cases(tg, reporter)) == 1, timeout=60)
        offset.write_text("-3600", "utf-8")
        await asyncio.sleep(1.0)  # the bot reads the offset file every half second
        world.forward_channel_post(reporter, world.bad_news, 2, text="two")
        tg.send_message(reporter, text="/report fraud")
        # Within a minute, not an hour: the pacer's window runs on a monotonic clock.
        await tg.wait_for(lambda: len(acked_cases(tg, reporter)) == 2, timeout=60)
    finally:
        assert await bot.stop() == 0


async def test_the_clock_moved_forward_fires_due_alarms_folded_in_one_message(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    world, config = reporters_world(tg, tmp_path)
    bot, offset = await spawn_with_a_movable_clock(tg, config)
    try:
        await tg.wait_for(lambda: tg.calls_to("getUpdates"), timeout=60)
        for index, reporter in enumerate(REPORTERS[:3]):
            world.forward_channel_post(reporter, world.bad_news, 700 + index, text=f"t{index}")
            tg.send_message(reporter, text="/report terrorism")
        await tg.wait_for(lambda: len(set(carded_cases(tg))) == 3, timeout=120)
        offset.write_text("1200", "utf-8")  # 20 minutes on: past the 15-minute first action
        await tg.wait_for(lambda: [t for t in texts(tg, GROUP) if t.startswith("⏰")], timeout=60)
        await quiet_for(tg, 3.0)
    finally:
        assert await bot.stop() == 0
    overdue = [t for t in texts(tg, GROUP) if t.startswith("⏰")]
    assert len(overdue) == 1, overdue
    assert "3 cases are overdue" in overdue[0]
    assert all(f"#{n}" in overdue[0] for n in (1, 2, 3))


# --- 7. the token and contents in logs --------------------------------------------------------


async def test_no_token_at_debug_and_no_message_content_at_info(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    world, config = reporters_world(tg, tmp_path)
    for level in ("DEBUG", "INFO"):
        bot = await BotProcess.spawn(config, tg.token, args=("--log-level", level))
        try:
            await tg.wait_for(lambda: tg.calls_to("getUpdates"), timeout=60)
            reporter = REPORTERS[0 if level == "DEBUG" else 1]
            world.forward_channel_post(reporter, world.bad_news, 9, text=f"secret words {level}")
            tg.send_message(reporter, text="/report fraud a note nobody else reads")
            await tg.wait_for(lambda: acked_cases(tg, reporter), timeout=60)  # noqa: B023
        finally:
            assert await bot.stop() == 0
        assert tg.token.split(":")[1] not in bot.log
        assert "getUpdates" in bot.log or level == "INFO"
        if level == "INFO":
            assert "secret words" not in bot.log and "nobody else reads" not in bot.log


# --- 8. the database deleted, replaced, missing or corrupt ------------------------------------


async def test_a_database_deleted_while_running_stops_the_bot_and_is_not_recreated(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    world, config = reporters_world(tg, tmp_path)
    database = tmp_path / "desk.sqlite3"
    bot = await BotProcess.spawn(config, tg.token)
    await tg.wait_for(lambda: tg.calls_to("getUpdates"), timeout=60)
    world.forward_channel_post(REPORTERS[0], world.bad_news, 1, text="one")
    tg.send_message(REPORTERS[0], text="/report fraud")
    await tg.wait_for(lambda: acked_cases(tg, REPORTERS[0]), timeout=60)
    database.unlink()
    assert await bot.exit_code(within=60) == 3
    assert "deleted or replaced" in bot.log
    await tg.wait_for(
        lambda: any("deleted or replaced" in t for t in texts(tg, MOD_ONE)), timeout=30
    )

    restarted = await BotProcess.spawn(config, tg.token)
    assert await restarted.exit_code(within=60) == 2
    assert "is missing" in restarted.log and "--init" in restarted.log
    fresh = await BotProcess.spawn(config, tg.token, args=("--init",))
    await fresh.wait_for_line("is running", within=60)
    assert await fresh.stop() == 0


async def test_a_database_replaced_while_running_or_before_a_start_is_refused(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    _, config = reporters_world(tg, tmp_path)
    database = tmp_path / "desk.sqlite3"
    other = tmp_path / "other" / "desk.sqlite3"
    other.parent.mkdir()
    bot = await BotProcess.spawn(config, tg.token)
    await bot.wait_for_line("is running", within=60)
    assert await bot.stop() == 0
    shutil.copyfile(database, other)  # a copy of another desk's database, moved in later

    bot = await BotProcess.spawn(config, tg.token)
    await bot.wait_for_line("is running", within=60)
    with sqlite3.connect(other) as db:  # its own file, no WAL: another desk's database
        db.execute("PRAGMA journal_mode=DELETE")
        db.execute("UPDATE meta SET value='someone-else' WHERE key='database_id'")
    os.replace(other, database)
    assert await bot.exit_code(within=60) == 3
    assert "deleted or replaced" in bot.log
    await tg.wait_for(
        lambda: any("deleted or replaced" in t for t in texts(tg, MOD_ONE)), timeout=30
    )
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{database}{suffix}")

    again = await BotProcess.spawn(config, tg.token)
    assert await again.exit_code(within=60) == 2
    assert "is not the database this desk created" in again.log


async def test_a_corrupt_database_refuses_to_start(tg: FakeTelegram, tmp_path: Path) -> None:
    _, config = reporters_world(tg, tmp_path)
    database = tmp_path / "desk.sqlite3"
    bot = await BotProcess.spawn(config, tg.token)
    await bot.wait_for_line("is running", within=60)
    assert await bot.stop() == 0
    with database.open("r+b") as file:
        file.seek(100)
        file.write(b"\xff" * 4000)  # the first page's b-tree header and cells
    bot = await BotProcess.spawn(config, tg.token)
    assert await bot.exit_code(within=60) == 2
    assert "restore it from a backup" in bot.log and "Traceback" not in bot.log


# --- 9. alerts that would reach nobody --------------------------------------------------------


async def test_admins_who_never_started_the_bot_are_named_once(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    World.build(tg)  # Mod One, the admin, has not opened a chat with the bot
    config = write_config(tmp_path, tg.base_url)
    for _ in range(2):
        bot = await BotProcess.spawn(config, tg.token)
        await bot.wait_for_line("have never opened a chat", within=60)
        await tg.wait_for(
            lambda: any("never opened a chat" in t for t in texts(tg, GROUP)), timeout=60
        )
        await quiet_for(tg, 2.0)
        assert await bot.stop() == 0
    assert len([t for t in texts(tg, GROUP) if "never opened a chat" in t]) == 1
    assert str(MOD_ONE) in bot.log
