"""Shared fixtures: a configuration on disk, a real SQLite store, the desk, the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.config import Config, load_config
from bot.desk import Desk
from bot.sandbox import FakeTelegram
from bot.store import Store
from tests.factories import ADMIN, DUA, SATU, FakeClock, World, write_config

if TYPE_CHECKING:
    from tests.harness import Harness, Started


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(write_config(tmp_path))


@pytest.fixture
async def store(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "desk.sqlite3", clock)
    yield opened
    await opened.close()


@pytest.fixture
def desk(store: Store, config: Config) -> Desk:
    return Desk(store, lambda: config)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    """The fake Bot API, served over loopback."""
    server = FakeTelegram()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def cast(tg: FakeTelegram) -> World:
    """The standard cast; the reporters and the admin have opened their chat with the bot."""
    built = World.build(tg)
    built.start(SATU)
    built.start(DUA)
    built.start(ADMIN)
    return built


@pytest.fixture
async def started(tg: FakeTelegram) -> AsyncIterator[Started]:
    """`await started(h)` starts the desk `h`, closed when the test ends, however it ends (and
    before the fake Bot API it talks to stops)."""
    running: list[Harness] = []

    async def start(h: Harness) -> Harness:
        running.append(h)
        await h.start()
        return h

    yield start
    for h in running:
        await h.close()


@pytest.fixture
async def harness(tg: FakeTelegram, cast: World, tmp_path: Path) -> AsyncIterator[Harness]:
    """A running desk talking to the fake Bot API."""
    from tests.harness import Harness

    running = Harness(tg, cast, tmp_path)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
