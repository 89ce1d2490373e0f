"""Operations on `python -m bot` as a process: /healthz turns 503 when Telegram stops answering
and 200 when it is back, /metrics parses with prometheus_client's parser and counts the cases
made, logs come as JSON lines; a backup taken during a burst of reports holds every acknowledged
case, and restoring it brings the desk back with its cases and buttons working."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import sqlite3
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.faults import POLL_TIMEOUT_KEY
from bot.sandbox import FakeTelegram
from tests.factories import DUA, GROUP, MOD_ONE, SATU, World, write_config
from tests.harness import BotProcess, spawn_bot

ACK = re.compile(r"#(\d+)")
FAST_POLL = {POLL_TIMEOUT_KEY: "1"}  # the health limit: 2 x 1 s + 30 s


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def command(config: Path, *args: str) -> tuple[int, str, str]:
    process = await spawn_bot(config, None, args=args)
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


def metrics(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def acked(tg: FakeTelegram, reporter: int) -> list[int]:
    found = []
    for message in tg.messages_in(reporter):
        text = message.get("text") or ""
        if text.startswith(("✅", "Laporan", "Report")) and (match := ACK.search(text)):
            found.append(int(match[1]))
    return found


async def report(tg: FakeTelegram, cast: World, reporter: int, post: int) -> None:
    cast.forward_channel_post(reporter, cast.bad_news, post, text=f"post {post}")
    tg.send_message(reporter, text="/report teror")


async def test_health_and_metrics_follow_telegram_and_the_cases(
    tg: FakeTelegram, cast: World, tmp_path: Path
) -> None:
    port = free_port()
    config = write_config(tmp_path, tg.base_url, f'monitoring: {{listen: "127.0.0.1:{port}"}}\n')
    bot = await BotProcess.spawn(
        config, tg.token, args=["--log-format", "json"], extra_env=FAST_POLL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await bot.wait_for_line("is running")
        for post in (1, 2, 3):
            await report(tg, cast, SATU if post != 2 else DUA, post)
        await tg.wait_for(lambda: len(acked(tg, SATU) + acked(tg, DUA)) == 3, timeout=60)
        card = await tg.wait_for(
            lambda: [m for m in tg.messages_in(GROUP) if (m.get("text") or "").startswith("#1 ")],
            timeout=60,
        )
        query = tg.press(MOD_ONE, GROUP, card[0]["message_id"], "v1:c:1")
        await tg.wait_for(lambda: tg.answered(query) is not None, timeout=30)

        status, body = await get(f"{base}/healthz")
        assert status == 200, body
        health = json.loads(body)
        assert health["status"] == "ok" and health["telegram_accepts_token"] is True
        assert health["database_writable"] is True and health["last_poll_age_seconds"] < 32

        async def counted() -> dict | None:
            found = metrics((await get(f"{base}/metrics"))[1])
            first = found.get(
                ("desk_time_to_first_action_seconds_count", (("category", "terrorism"),))
            )
            return found if first == 1 else None

        found = await tg.wait_for(counted, timeout=30)
        assert found[("desk_cases", (("category", "terrorism"), ("state", "new")))] == 3
        assert found[("desk_reports_total", (("category", "terrorism"),))] == 3
        assert found[("desk_sends_total", (("result", "ok"),))] >= 6  # 3 acks, 3 cards
        assert found[("desk_update_processing_seconds_count", ())] >= 7
        assert ("desk_telegram_429_total", ()) in found

        code, out, _ = await command(config, "health")
        assert code == 0 and json.loads(out)["status"] == "ok"

        await tg.stop()
        unhealthy = await _wait_status(base, 503, within=120)
        assert "getUpdates" in " ".join(json.loads(unhealthy)["problems"])
        code, _, err = await command(config, "health")
        assert code == 1 and "unhealthy (503)" in err and "getUpdates" in err

        await tg.start()
        await _wait_status(base, 200, within=120)
    finally:
        exit_code = await bot.stop()
    assert exit_code == 0, bot.log
    lines = [line for line in bot.log.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line one JSON object
    assert any("is running" in entry["message"] for entry in entries)
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    assert tg.token.split(":")[1] not in bot.log


async def _wait_status(base: str, wanted: int, within: float) -> str:
    deadline = asyncio.get_running_loop().time() + within
    last: tuple[int, str] = (0, "")
    while asyncio.get_running_loop().time() < deadline:
        last = await get(f"{base}/healthz")
        if last[0] == wanted:
            return last[1]
        await asyncio.sleep(0.5)
    raise AssertionError(f"/healthz never answered {wanted}; last: {last}")


def cases_in(database: Path) -> set[int]:
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {row[0] for row in db.execute("SELECT id FROM cases")}


async def test_a_backup_during_a_burst_holds_every_acknowledged_case_and_restores(
    tg: FakeTelegram, cast: World, tmp_path: Path
) -> None:
    config = write_config(tmp_path, tg.base_url)
    backups = tmp_path / "backups"
    backups.mkdir()
    bot = await BotProcess.spawn(config, tg.token)
    try:
        await bot.wait_for_line("is running")
        for post in range(1, 31):
            await report(tg, cast, SATU if post % 2 else DUA, post)
            if post == 12:
                await tg.wait_for(lambda: acked(tg, SATU) or acked(tg, DUA), timeout=60)
                acknowledged = set(acked(tg, SATU) + acked(tg, DUA))
                code, out, err = await command(config, "backup", str(backups))
                assert code == 0, err
        assert "integrity ok" in out
        (backup,) = backups.iterdir()
        assert oct(backup.stat().st_mode & 0o777) == "0o600"
        in_backup = cases_in(backup)
        assert acknowledged and acknowledged <= in_backup
        await tg.wait_for(lambda: len(acked(tg, SATU) + acked(tg, DUA)) == 30, timeout=120)

        code, _, err = await command(config, "restore", str(backup))
        assert code == 2 and "the bot is running" in err and "Traceback" not in err
    finally:
        assert await bot.stop() == 0, bot.log

    code, out, err = await command(config, "restore", str(backup))
    assert code == 0, err
    last = max(in_backup)
    assert f"New cases will be numbered from #{last + 1} again" in out
    database = tmp_path / "desk.sqlite3"
    assert cases_in(database) == in_backup
    (replaced,) = [tmp_path / name for name in os.listdir(tmp_path) if ".replaced-" in name]
    assert cases_in(replaced) == set(range(1, 31))

    bot = await BotProcess.spawn(config, tg.token)
    try:
        await bot.wait_for_line("is running")
        card = next(m for m in tg.messages_in(GROUP) if (m.get("text") or "").startswith("#1 "))
        tg.press(MOD_ONE, GROUP, card["message_id"], "v1:r:1:t:propaganda")
        await tg.wait_for(
            lambda: any("diturunkan" in (m.get("text") or "") for m in tg.messages_in(SATU)),
            timeout=60,
        )
        await report(tg, cast, DUA, 99)
        await tg.wait_for(lambda: last + 1 in acked(tg, DUA), timeout=60)
    finally:
        assert await bot.stop() == 0, bot.log
