"""The database's files are the bot's user's alone, whatever the umask: the folder 0700, the
database, its WAL and shared-memory files and its marker 0600; check-config warns about an
existing database others may read."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.store import Store
from bot.store.files import companions, marker_of
from tests.factories import FakeClock, write_config


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_every_file_is_private_under_a_permissive_umask(
    tmp_path: Path, permissive_umask: None
) -> None:
    database = tmp_path / "data" / "nested" / "desk.sqlite3"
    store = await Store.open(database, FakeClock())
    try:
        async with store.transaction() as tx:
            await tx.meta.set("written", "so the WAL has frames")
        wal, shm = companions(database)
        assert wal.exists() and shm.exists()
        assert {path.name: mode(path) for path in (database, wal, shm, marker_of(database))} == {
            "desk.sqlite3": 0o600,
            "desk.sqlite3-wal": 0o600,
            "desk.sqlite3-shm": 0o600,
            "desk.sqlite3.desk-id": 0o600,
        }
        assert mode(database.parent) == 0o700 and mode(database.parent.parent) == 0o700
    finally:
        await store.close()


async def test_check_config_warns_about_a_database_others_may_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    store = await Store.open(tmp_path / "desk.sqlite3", FakeClock())
    await store.close()
    assert main(["check-config", "--config", str(config)]) == 0
    assert "open to other users" not in capsys.readouterr().out
    (tmp_path / "desk.sqlite3").chmod(0o644)
    assert main(["check-config", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path / 'desk.sqlite3'} is open to other users (-rw-r--r--)" in out
    assert "chmod 600" in out
