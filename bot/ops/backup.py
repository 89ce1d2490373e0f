"""Backups: a consistent copy of the live database (SQLite's online backup API), checked before it
is kept, readable by the bot's user only; scheduled in the bot, or made on demand with
`python -m bot backup`.

The copy is taken in one step, inside one read transaction: in WAL mode that neither waits for
the bot's writer nor holds it up, and every case acknowledged before it began is in the copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from bot.config import Config
from bot.ops.files import private_dir
from bot.store import Store
from bot.store.errors import describe
from bot.store.files import DATABASE_ID_KEY, create_private_file

log = logging.getLogger(__name__)

PREFIX = "desk-"
SUFFIX = ".sqlite3"
MADE_AT_KEY = "backup_made_at"
# The first scheduled backup of a desk that never made one waits this long after start.
FIRST_BACKUP_DELAY = 60.0
MAX_WAIT = 60.0
BUSY_TIMEOUT_SECONDS = 30.0


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class DatabaseFacts:
    """What a database file holds, as far as a backup or a restore cares."""

    path: Path
    database_id: str | None
    schema_version: int
    cases: int
    last_case: int

    def describe(self) -> str:
        if not self.cases:
            return "no cases"
        return f"{self.cases} cases, up to #{self.last_case}"


def facts_of(db: sqlite3.Connection, path: Path) -> DatabaseFacts:
    """Check a database's integrity and read what it holds; BackupError if it is unsound."""
    try:
        found = [str(row[0]) for row in db.execute("PRAGMA integrity_check")]
        if found != ["ok"]:
            raise BackupError(f"{path} failed its integrity check ({'; '.join(found[:3])})")
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if not {"cases", "meta"} <= tables:
            raise BackupError(f"{path} is not a Report Desk database")
        row = db.execute("SELECT value FROM meta WHERE key = ?", (DATABASE_ID_KEY,)).fetchone()
        count, last = db.execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM cases").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} cannot be read as a database ({error})") from None
    return DatabaseFacts(path, str(row[0]) if row else None, version, int(count), int(last))


def open_existing(path: Path, *, timeout: float = BUSY_TIMEOUT_SECONDS) -> sqlite3.Connection:
    """A connection to a database that must exist (never creates an empty one)."""
    if not path.is_file():
        raise BackupError(f"no database at {path}")
    try:
        return sqlite3.connect(path.absolute().as_uri() + "?mode=rw", uri=True, timeout=timeout)
    except sqlite3.Error as error:
        raise BackupError(f"cannot open {path} ({error})") from None


def copy_database(source: sqlite3.Connection, target: Path) -> DatabaseFacts:
    """Copy a database into a new 0600 file at `target` (a journal of its own, no WAL), check
    it, and make it durable; the partial file is removed if anything fails."""
    create_private_file(target)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
            facts = facts_of(copy, target)
        finally:
            copy.close()
        with open(target, "rb") as handle:
            os.fsync(handle.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return facts


def backup_name(now: float) -> str:
    return PREFIX + time.strftime("%Y%m%d-%H%M%S", time.gmtime(now)) + SUFFIX


def make_backup(database: Path, destination: Path, now: float | None = None) -> DatabaseFacts:
    """Back the database up to `destination` (a file, or a folder to name one in)."""
    stamp = time.time() if now is None else now
    if destination.is_dir():
        destination = destination / backup_name(stamp)
    if destination.exists():
        raise BackupError(f"{destination} already exists: choose another name")
    if not destination.parent.is_dir():
        raise BackupError(f"no folder {destination.parent}: create it first")
    partial = destination.with_name(f".{destination.name}.partial")
    partial.unlink(missing_ok=True)
    source = open_existing(database)
    try:
        facts = copy_database(source, partial)
    except sqlite3.Error as error:
        raise BackupError(f"the backup failed ({error})") from None
    finally:
        source.close()
    os.replace(partial, destination)
    _sync_folder(destination.parent)
    return replace(facts, path=destination)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` scheduled backups in `folder`; the removed paths."""
    made = sorted(path for path in folder.glob(f"{PREFIX}*{SUFFIX}") if path.is_file())
    removed = made[:-keep] if keep > 0 else made
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


class ScheduledBackups:
    """`backup: {dir, every_hours, keep}` in the bot, armed from the time of the last backup in
    the database, made in a worker thread on a connection of its own."""

    def __init__(self, store: Store, config: Callable[[], Config]) -> None:
        self.store = store
        self.config = config
        self.started_at = store.clock()
        self.failing: str | None = None  # the problem already logged, so it is logged once

    async def due_at(self) -> float | None:
        settings = self.config().backup
        if settings is None:
            return None
        async with self.store.read() as tx:
            last = await tx.meta.get(MADE_AT_KEY)
        if last is None:
            return self.started_at + FIRST_BACKUP_DELAY
        return float(last) + settings.every_hours * 3600

    async def run_if_due(self) -> DatabaseFacts | None:
        settings = self.config().backup
        due = await self.due_at()
        if settings is None or due is None or self.store.clock() < due:
            return None
        folder = private_dir(Path(settings.dir))
        now = self.store.clock()
        made = await asyncio.to_thread(make_backup, Path(self.store.path), folder, now)
        async with self.store.transaction() as tx:
            await tx.meta.set(MADE_AT_KEY, repr(now))
        removed = await asyncio.to_thread(prune, folder, settings.keep)
        if self.failing is not None:
            log.warning("scheduled backups work again")
            self.failing = None
        log.info("backup %s made (%s); %d older removed", made.path, made.describe(), len(removed))
        return made

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            wait = MAX_WAIT
            try:
                await self.run_if_due()
                due = await self.due_at()
                if due is not None:
                    wait = min(MAX_WAIT, max(1.0, due - self.store.clock()))
            except Exception as error:  # a full disk, a bad folder: told once, tried again later
                problem = describe(error)
                if problem != self.failing:
                    log.error("the scheduled backup failed (%s); retrying every minute", problem)
                    self.failing = problem
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wait)
