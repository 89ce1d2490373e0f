"""Restoring a backup: never under a running bot, the replaced database kept beside it, the
database marker made to name the restored database, and a plain warning about case numbers."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from bot.ops.backup import BackupError, DatabaseFacts, copy_database, facts_of, open_existing
from bot.ops.lock import RunLock, holder
from bot.store.files import companions, marker_of, write_marker
from bot.store.migrations import MIGRATIONS


def _recorded_id(database: Path) -> str | None:
    try:
        return marker_of(database).read_text("utf-8").strip() or None
    except FileNotFoundError:
        return None


def _set_aside(database: Path, now: float) -> tuple[Path, DatabaseFacts]:
    """Fold the database's WAL into it and move it aside; its new path and what it held."""
    db = open_existing(database)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        facts = facts_of(db, database)
    finally:
        db.close()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now))
    kept = database.with_name(f"{database.name}.replaced-{stamp}")
    os.replace(database, kept)
    for leftover in companions(database):
        leftover.unlink(missing_ok=True)
    return kept, facts


def restore(database: Path, backup: Path, *, other_desk: bool = False) -> list[str]:
    """Put `backup` in place of `database`; the lines to tell the operator."""
    lock = RunLock.take(database) if database.parent.is_dir() else None
    if lock is None and database.parent.is_dir():
        raise BackupError(
            f"the bot is running on {database} (process {holder(database)}): stop it first"
        )
    try:
        return _restore(database, backup, other_desk=other_desk)
    finally:
        if lock is not None:
            lock.release()


def _restore(database: Path, backup: Path, *, other_desk: bool) -> list[str]:
    source = open_existing(backup)
    try:
        restored = facts_of(source, backup)
        if restored.schema_version > len(MIGRATIONS):
            raise BackupError(
                f"{backup} was made by a newer version of the desk (schema "
                f"{restored.schema_version}); upgrade the desk first"
            )
        recorded = _recorded_id(database)
        another = restored.database_id is not None and recorded not in (None, restored.database_id)
        if another and not other_desk:
            raise BackupError(
                f"{backup} is a backup of another desk (database {restored.database_id}, this "
                f"desk's is {recorded}); add --other-desk to restore it anyway"
            )
        database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = database.with_name(f".{database.name}.restoring")
        partial.unlink(missing_ok=True)
        copy_database(source, partial)
    except sqlite3.Error as error:
        raise BackupError(f"cannot read {backup} ({error})") from None
    finally:
        source.close()
    lines = []
    replaced: DatabaseFacts | None = None
    if database.exists():
        kept, replaced = _set_aside(database, time.time())
        lines.append(f"The replaced database is kept at {kept} ({replaced.describe()}).")
    os.replace(partial, database)
    if restored.database_id is not None:
        write_marker(database, restored.database_id)
    else:  # made before databases had an id: the bot gives it one, and a marker, at start
        marker_of(database).unlink(missing_ok=True)
    lines.insert(0, f"Restored {backup} ({restored.describe()}) to {database}.")
    if replaced is not None and replaced.last_case > restored.last_case:
        first, last = restored.last_case + 1, replaced.last_case
        lines.append(
            f"Warning: cases #{first}–#{last} are not in the backup. New cases will be numbered "
            f"from #{first} again, so those numbers will name other cases; messages and cards "
            "about them stay in Telegram."
        )
    lines.append(
        "Messages that were waiting to be sent when the backup was made may be sent once more."
    )
    return lines
