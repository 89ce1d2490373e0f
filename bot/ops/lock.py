"""Which process runs the desk on a database: a lock file beside it (`<database>.lock`), held by
the running bot for its whole life and released by the kernel when it ends, however it ends.
A restore refuses while it is held; a second bot on the same database refuses to start."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_SUFFIX = ".lock"


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + LOCK_SUFFIX)


class RunLock:
    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def take(cls, database: Path) -> RunLock | None:
        """Hold the lock for this process; None when another process holds it."""
        path = lock_path(database)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return cls(path, fd)

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)


def holder(database: Path) -> str:
    """The process id written by whoever holds the lock (for a message), or '?'."""
    try:
        return lock_path(database).read_text("utf-8").strip() or "?"
    except OSError:
        return "?"
