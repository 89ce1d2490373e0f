"""GET /healthz names what is wrong: 503 while Telegram refuses the token and while storage
fails, each named in `problems`, and 200 again once it passes."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox import FakeTelegram
from tests.e2e.test_storage_faults import FailingStorage
from tests.factories import SATU, World
from tests.harness import Harness

JSONDict = dict[str, Any]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Watched:
    """A running desk with monitoring on, and its /healthz."""

    def __init__(self, harness: Harness, url: str) -> None:
        self.harness = harness
        self.url = url

    async def health(self) -> tuple[int, JSONDict]:
        async with aiohttp.ClientSession() as session, session.get(self.url) as response:
            return response.status, json.loads(await response.text())

    async def until(self, status: int, within: float = 60.0) -> JSONDict:
        deadline = asyncio.get_running_loop().time() + within
        last: tuple[int, JSONDict] = (0, {})
        while asyncio.get_running_loop().time() < deadline:
            last = await self.health()
            if last[0] == status:
                return last[1]
            await asyncio.sleep(0.2)
        raise AssertionError(f"/healthz never answered {status}; last: {last}")


@pytest.fixture
async def watched(tg: FakeTelegram, cast: World, tmp_path: Path) -> AsyncIterator[Watched]:
    port = free_port()
    extra = f'monitoring: {{listen: "127.0.0.1:{port}"}}\n'
    harness = Harness(tg, cast, tmp_path, extra_config=extra)
    await harness.start()
    try:
        yield Watched(harness, f"http://127.0.0.1:{port}/healthz")
    finally:
        await harness.stop()


@pytest.mark.parametrize("status", [401, 404])
async def test_a_refused_token_is_a_503_naming_it(
    watched: Watched, tg: FakeTelegram, status: int
) -> None:
    tg.refused_token_status = status
    body = await watched.until(200)
    assert body["telegram_accepts_token"] is True and body["problems"] == []
    await tg.wait_for(lambda: [c for c in tg.calls_to("getUpdates") if c.ok], timeout=60)
    token = tg.token
    tg.token = "999999:REFUSED-FOR-A-WHILE"  # Telegram answers `status` to the bot's token
    body = await watched.until(503)
    assert body["status"] == "failing" and body["telegram_accepts_token"] is False, body
    assert any("Telegram refuses the token" in p for p in body["problems"]), body
    assert body["database_writable"] is True
    assert not any("getUpdates" in p or "storage" in p for p in body["problems"]), body
    tg.token = token
    body = await watched.until(200)
    assert body["telegram_accepts_token"] is True and body["problems"] == []


async def test_failing_storage_is_a_503_naming_it(
    watched: Watched, tg: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    await watched.until(200)
    failing = FailingStorage(monkeypatch)
    failing.on = True
    tg.send_message(SATU, text="/mycases")  # its transaction cannot be written
    body = await watched.until(503)
    assert body["status"] == "failing" and body["database_writable"] is False
    assert any(
        "storage fails" in p and "database or disk is full" in p for p in body["problems"]
    ), body
    assert body["telegram_accepts_token"] is True
    failing.on = False  # the update is tried again, and written
    body = await watched.until(200)
    assert body["database_writable"] is True and body["problems"] == []
    await watched.harness.idle(seconds=60)
