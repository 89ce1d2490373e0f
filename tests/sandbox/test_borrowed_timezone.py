"""`python -m bot sandbox --config FILE` borrows the file's time zone (with its categories and
language): the demo desk shows its times in that zone, and never uses the file's token, Bot API
server or storage."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_config
from bot.sandbox.app import Sandbox, SandboxOptions
from bot.sandbox.demo import MODERATOR_GROUP, borrowed_settings, write_sandbox_config

AYU = 7101
WAIT = 60.0

ADMINS_FILE = """\
telegram:
  token: "123456:real-token"
  api_base_url: https://api.telegram.org/bot
moderation: {{chat_id: -1001234567890, moderators: [111]}}
admins: [111]
reporters: [{{id: 333, name: Real Liaison, organization: Real Org}}]
storage: {{path: {storage}}}
timezone: Asia/Jakarta
"""


def admins_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(ADMINS_FILE.format(storage=tmp_path / "production.sqlite3"), "utf-8")
    return path


def test_the_time_zone_is_borrowed_and_the_token_and_storage_are_not(tmp_path: Path) -> None:
    borrowed = borrowed_settings(str(admins_file(tmp_path)))
    assert borrowed == {"timezone": "Asia/Jakarta"}
    path = write_sandbox_config(tmp_path, "http://127.0.0.1:1/bot", tmp_path / "s.db", borrowed)
    config = load_config(path)
    assert config.timezone == "Asia/Jakarta"
    assert config.telegram.token is None
    assert config.telegram.api_base_url == "http://127.0.0.1:1/bot"
    assert config.storage.path == str(tmp_path / "s.db")


async def test_the_sandbox_shows_times_in_the_borrowed_zone(tmp_path: Path) -> None:
    sandbox = Sandbox(SandboxOptions(port=0, config=str(admins_file(tmp_path))))
    await sandbox.start()
    try:
        runtime = sandbox.runtime
        assert runtime is not None
        config = runtime.holder.get()
        assert config.timezone == "Asia/Jakarta"
        assert config.telegram.api_base_url == sandbox.fake.base_url
        assert runtime.token == sandbox.fake.token != "123456:real-token"
        assert not (tmp_path / "production.sqlite3").exists()

        sandbox.fake.send_message(AYU, text="see https://t.me/kabarbebas/5")
        sandbox.fake.send_message(AYU, text="/report terrorism")
        card = await sandbox.fake.wait_for(
            lambda: [
                m
                for m in sandbox.fake.messages_in(MODERATOR_GROUP)
                if (m.get("text") or "").startswith("#1 ·")
            ],
            timeout=WAIT,
            description="the card",
        )
        received = [line for line in card[-1]["text"].split("\n") if "Received" in line]
        assert received and received[0].endswith(" WIB"), card[-1]["text"]
    finally:
        await sandbox.stop()
    assert not (tmp_path / "production.sqlite3").exists()
