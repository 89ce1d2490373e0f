"""`purge`, `backup`, `restore` and `health` as processes, on the previous release's database:
what they print, files for the bot's user only, and one clear line (never a traceback) when they
cannot do what was asked."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.faults import CLOCK_OFFSET_KEY
from tests.factories import write_config
from tests.harness import spawn_bot

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "release-0.1.0.sqlite3"
TEN_YEARS = 10 * 365 * 86400


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = write_config(tmp_path)
    shutil.copyfile(FIXTURE, tmp_path / "desk.sqlite3")
    return path


async def run(config: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    process = await spawn_bot(config, None, args=args, extra_env=env)
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_purge_says_what_it_would_remove_then_removes_it(
    config: Path, tmp_path: Path
) -> None:
    offset = tmp_path / "clock-offset"
    offset.write_text(str(TEN_YEARS))
    later = {CLOCK_OFFSET_KEY: str(offset)}
    code, dry, err = await run(config, "purge", "--dry-run", env=later)
    assert code == 0, err
    assert "Retention would remove:" in dry and "content of cases decided more than 365" in dry
    with sqlite3.connect(tmp_path / "desk.sqlite3") as db:
        notes = db.execute("SELECT COUNT(*) FROM reports WHERE note != ''").fetchone()[0]
    assert notes > 0
    code, done, err = await run(config, "purge", env=later)
    assert code == 0, err
    assert "Retention removed:" in done and "compacted once (VACUUM)" in done
    assert dry.replace("would remove", "removed") in done
    with sqlite3.connect(tmp_path / "desk.sqlite3") as db:
        kinds = {row[0] for row in db.execute("SELECT kind FROM events")}
        assert "erased" in kinds
        assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2


async def test_a_backup_is_checked_private_and_never_overwrites(
    config: Path, tmp_path: Path
) -> None:
    target = tmp_path / "copy.sqlite3"
    code, out, err = await run(config, "backup", str(target))
    assert code == 0, err
    assert out.strip() == f"Backed up to {target}: integrity ok, 8 cases, up to #8."
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    code, _, err = await run(config, "backup", str(target))
    assert (
        code == 2 and err.strip() == f"Cannot backup: {target} already exists: choose another name"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["backup", "/nonexistent-folder/x.sqlite3"], "no folder /nonexistent-folder"),
        (["restore", "/nonexistent.sqlite3"], "no database at /nonexistent.sqlite3"),
        (["health"], "monitoring is off: set monitoring.listen"),
    ],
)
async def test_mistakes_end_with_one_line(config: Path, args: list[str], message: str) -> None:
    code, _, err = await run(config, *args)
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


async def test_health_without_a_running_bot_is_unhealthy(tmp_path: Path) -> None:
    config = write_config(tmp_path, extra='monitoring: {listen: "127.0.0.1:9"}\n')
    code, _, err = await run(config, "health")
    assert code == 1 and "no answer from http://127.0.0.1:9/healthz" in err


async def test_restore_keeps_the_marker_consistent_and_refuses_another_desk(
    config: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "backup.sqlite3"
    assert (await run(config, "purge", "--dry-run"))[0] == 0  # opened once: it has its id now
    assert (await run(config, "backup", str(backup)))[0] == 0
    code, out, err = await run(config, "restore", str(backup))
    assert code == 0, err
    assert out.splitlines()[0].startswith(f"Restored {backup} (8 cases, up to #8)")
    marker = (tmp_path / "desk.sqlite3.desk-id").read_text().strip()
    with sqlite3.connect(tmp_path / "desk.sqlite3") as db:
        assert db.execute("SELECT value FROM meta WHERE key='database_id'").fetchone()[0] == marker
    (tmp_path / "desk.sqlite3.desk-id").write_text("another-desk\n")
    code, _, err = await run(config, "restore", str(backup))
    assert code == 2 and "a backup of another desk" in err and "--other-desk" in err
    code, _, err = await run(config, "restore", "--other-desk", str(backup))
    assert code == 0, err
    assert (tmp_path / "desk.sqlite3.desk-id").read_text().strip() == marker
