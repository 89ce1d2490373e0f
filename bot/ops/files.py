"""Files the desk writes (exports, reports, charts waiting to be sent): readable by the bot's
user only, and a spool beside the database for files that wait in the outbox."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
SPOOL = "outgoing"
# A spool file older than this belongs to a send that failed for good; it is removed.
SPOOL_KEEP_SECONDS = 7 * 24 * 3600.0


@contextmanager
def private_file(path: Path, mode: str = "wb") -> Iterator[IO[bytes]]:
    """Open `path` for writing as a new 0600 file (an old one is replaced, never widened)."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(descriptor, mode) as handle:
        yield handle


def write_private(path: Path, content: bytes) -> Path:
    with private_file(path) as handle:
        handle.write(content)
    return path


def private_dir(path: Path) -> Path:
    """A directory for the bot's user only (an existing one keeps its mode)."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    return path


def spool_dir(database_path: str) -> Path:
    """Where files wait for their send: `outgoing/` beside the database."""
    return private_dir(Path(database_path).absolute().parent / SPOOL)


def spool_path(database_path: str, name: str) -> Path:
    """A fresh path in the spool for a file to be sent as `name`; old leftovers are swept."""
    folder = spool_dir(database_path)
    sweep(folder, time.time() - SPOOL_KEEP_SECONDS)
    return folder / f"{secrets.token_hex(6)}-{name}"


def sweep(folder: Path, before: float) -> None:
    for leftover in folder.iterdir():
        try:
            if leftover.is_file() and leftover.stat().st_mtime < before:
                leftover.unlink()
        except OSError:
            continue
