"""Scheduled backups on a real SQLite file: armed from the database, private, checked, pruned to
`keep`; and the configuration's new sections."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.ops.backup import FIRST_BACKUP_DELAY, BackupError, ScheduledBackups, make_backup, prune
from bot.ops.monitoring import LISTEN_ENV, monitoring_address
from bot.store import Store
from tests.factories import FakeClock, write_config


async def test_scheduled_backups_are_armed_from_the_database_and_pruned(
    store: Store, clock: FakeClock, tmp_path: Path
) -> None:
    folder = tmp_path / "kept" / "backups"
    config = load_config(
        write_config(tmp_path, extra=f"backup: {{dir: {folder}, every_hours: 6, keep: 2}}\n")
    )
    scheduled = ScheduledBackups(store, lambda: config)
    assert await scheduled.run_if_due() is None
    made = []
    for _ in range(3):
        clock.advance(max(FIRST_BACKUP_DELAY, 6 * 3600))
        backup = await scheduled.run_if_due()
        assert backup is not None and backup.cases == 0 and backup.database_id
        made.append(backup.path)
    assert await ScheduledBackups(store, lambda: config).run_if_due() is None  # a restart
    assert sorted(os.listdir(folder)) == sorted(path.name for path in made[1:])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in made[1:]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_backup_never_replaces_a_file_and_needs_its_folder(store: Store, tmp_path: Path) -> None:
    database = Path(store.path)
    target = tmp_path / "one.sqlite3"
    make_backup(database, target)
    with pytest.raises(BackupError, match="already exists"):
        make_backup(database, target)
    with pytest.raises(BackupError, match="no folder"):
        make_backup(database, tmp_path / "missing" / "two.sqlite3")
    assert prune(tmp_path, keep=5) == []


def test_the_new_sections_of_the_configuration(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    assert (config.retention.raw_updates_days, config.retention.decided_content_days) == (7, 365)
    assert config.backup is None and config.monitoring is None
    assert monitoring_address(config, {}) is None
    assert monitoring_address(config, {LISTEN_ENV: "127.0.0.1:1"}) == "127.0.0.1:1"
    on = load_config(write_config(tmp_path, extra="monitoring: {}\nbackup: {}\n"))
    assert monitoring_address(on, {LISTEN_ENV: "127.0.0.1:1"}) == "127.0.0.1:9464"
    assert on.backup is not None and on.backup.keep == 7
    with pytest.raises(ConfigError, match="expected host:port"):
        load_config(write_config(tmp_path, extra='monitoring: {listen: "9464"}\n'))
    with pytest.raises(ConfigError, match=r"retention\.raw_updates_days"):
        load_config(write_config(tmp_path, extra="retention: {raw_updates_days: 0}\n"))
