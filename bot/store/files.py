"""The database file on disk: where it may be created, that it is the one this desk made, that it
is sound, and that it is still there while the bot runs.

A new database is created only on the first run (no database, no WAL and no marker beside it) or
when the operator asks (`--init`). The marker (`<database>.desk-id`) holds the id written into the
database when it was created; a database missing where the marker says one existed, or another
database in its place, is refused rather than silently starting again at case #1.
"""

from __future__ import annotations

import os
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path

MARKER_SUFFIX = ".desk-id"
DATABASE_ID_KEY = "database_id"


class StorageError(Exception):
    """A problem with the database file an operator must fix; the message says what to do."""


def marker_of(database: Path) -> Path:
    return database.with_name(database.name + MARKER_SUFFIX)


def companions(database: Path) -> list[Path]:
    """The files SQLite keeps beside a database in WAL mode."""
    return [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm")]


def prepare_location(database: Path, *, init: bool) -> bool:
    """Make sure the database may be opened here; True when it is to be created now."""
    folder = database.parent
    try:
        # Each missing folder 0700 (mkdir -p would give the parents the umask's mode).
        for missing in reversed([folder, *folder.parents]):
            if not missing.exists():
                missing.mkdir(mode=0o700, exist_ok=True)
                os.chmod(missing, 0o700)
    except OSError as error:
        raise StorageError(
            f"cannot create the folder {folder} ({error.strerror or error}): create it, or point "
            "storage.path at a folder the bot's user may write"
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(
            f"cannot write in the folder {folder} (permission denied): make it writable by the "
            "bot's user, or point storage.path elsewhere"
        )
    if database.exists():
        if not os.access(database, os.R_OK | os.W_OK):
            raise StorageError(f"cannot read and write {database} (permission denied)")
        return False
    marker = marker_of(database)
    leftovers = [path for path in companions(database) if path.exists()]
    if (marker.exists() or leftovers) and not init:
        found = marker if marker.exists() else leftovers[0]
        raise StorageError(
            f"the database {database} is missing, but {found} shows the desk ran here before. "
            "Restore the database from a backup, or start with --init to begin a new, empty "
            "desk (case numbers start again at #1)"
        )
    for path in leftovers:
        path.unlink()
    return True


def create_private_file(path: Path) -> None:
    """An empty file only the bot's user may read, whatever the umask (SQLite gives its WAL and
    shared-memory files the database's own mode)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def new_database_id() -> str:
    return uuid.uuid4().hex


def check_marker(database: Path, database_id: str) -> None:
    """The marker names this database; a marker naming another one means it was replaced."""
    marker = marker_of(database)
    try:
        recorded = marker.read_text("utf-8").strip()
    except FileNotFoundError:
        write_marker(database, database_id)
        return
    except OSError as error:
        raise StorageError(f"cannot read {marker} ({error.strerror or error})") from None
    if recorded != database_id:
        raise StorageError(
            f"{database} is not the database this desk created ({marker} names another one). "
            "If you restored or moved it on purpose, delete the marker and start again"
        )


def write_marker(database: Path, database_id: str) -> None:
    marker = marker_of(database)
    fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(database_id + "\n")
    os.chmod(marker, 0o600)


def exposure_warnings(database: Path) -> list[str]:
    """Warnings about the database's files (and its folder) that other users may read: they
    hold the reporters' identities and evidence."""
    warnings: list[str] = []
    for path in [database, *companions(database), marker_of(database)]:
        try:
            mode = path.stat().st_mode
        except OSError:
            continue
        if mode & 0o077:
            warnings.append(
                f"storage.path: {path} is open to other users ({stat.filemode(mode)}): "
                f"chmod 600 {path}"
            )
    folder = database.parent
    try:
        folder_mode = folder.stat().st_mode
    except OSError:
        return warnings
    if warnings and folder_mode & 0o077:
        warnings.append(
            f"storage.path: its folder {folder} is open to other users "
            f"({stat.filemode(folder_mode)}): chmod 700 {folder}"
        )
    return warnings


@dataclass(frozen=True)
class FileIdentity:
    """Which file a path names (device and inode): another file there means it was replaced."""

    device: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileIdentity | None:
        try:
            status = path.stat()
        except FileNotFoundError:
            return None
        return cls(status.st_dev, status.st_ino)


def location_problem(database: Path) -> str | None:
    """Why the bot could not keep its database at this path; None when it can (creates nothing)."""
    if database.exists():
        if database.is_dir():
            return f"{database} is a folder; name a file inside it"
        if not os.access(database, os.R_OK | os.W_OK):
            return f"cannot read and write {database} (permission denied)"
        return None
    folder = database.parent
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        return f"cannot create the folder {folder}: {existing} is a file"
    if not os.access(existing, os.W_OK | os.X_OK):
        verb = "write in the folder" if existing == folder else "create the folder"
        return (
            f"cannot {verb} {folder} (permission denied): make it writable by the bot's user, "
            "or point storage.path elsewhere"
        )
    return None
