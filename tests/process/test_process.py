"""`python -m bot` as a real process against the fake Bot API served over loopback."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.sandbox import FakeTelegram
from tests.factories import GROUP, MOD_ONE, SATU, World, write_config
from tests.harness import spawn_bot


async def test_bot_process_runs_the_loop_and_stops_cleanly_on_sigterm(
    tg: FakeTelegram, cast: World, tmp_path: Path
) -> None:
    config = write_config(tmp_path, tg.base_url)
    process = await spawn_bot(config, tg.token)
    try:
        await tg.wait_for(lambda: tg.calls_to("getUpdates"), timeout=20)
        cast.forward_channel_post(SATU, cast.bad_news, 42, text="violent propaganda")
        tg.send_message(SATU, text="/report teror please check")
        await tg.wait_for(lambda: any("#1" in (m.get("text") or "") for m in tg.messages_in(SATU)))
        card = await tg.wait_for(
            lambda: [m for m in tg.messages_in(GROUP) if (m.get("text") or "").startswith("#1 ")]
        )
        tg.press(MOD_ONE, GROUP, card[0]["message_id"], "v1:t:1")
        await tg.wait_for(
            lambda: "v1:r:1:t:propaganda" in str(tg.message(GROUP, card[0]["message_id"]))
        )
        tg.press(MOD_ONE, GROUP, card[0]["message_id"], "v1:r:1:t:propaganda")
        await tg.wait_for(lambda: "diturunkan" in (tg.messages_in(SATU)[-1].get("text") or ""))
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=20)
        _, stderr = await process.communicate()
    log = stderr.decode()
    assert code == 0, log
    assert "stopped" in log
    assert tg.token.split(":")[1] not in log  # the token is never logged


async def test_bad_config_names_file_line_and_key_without_traceback(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "moderation:\n  chat_id: -1001\n  moderators: [1]\nreporters:\n"
        "  - {id: abc, name: A, organization: B}\n",
        "utf-8",
    )
    process = await spawn_bot(config, "1:x")
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    text = stderr.decode()
    assert process.returncode == 2
    assert "reporters[0].id" in text and "line 5" in text and "config.yaml" in text
    assert "Traceback" not in text


async def test_yaml_syntax_error_and_missing_token(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("moderation:\n  chat_id: [\n", "utf-8")
    process = await spawn_bot(broken, "1:x")
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2
    assert "broken.yaml" in stderr.decode() and "line" in stderr.decode()

    good = write_config(tmp_path)
    process = await spawn_bot(good, None)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2
    assert "BOT_TOKEN" in stderr.decode() and "Traceback" not in stderr.decode()
