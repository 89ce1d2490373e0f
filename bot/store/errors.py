"""Which errors mean that storage itself failed (a full disk, a lock, I/O, a file gone), as
opposed to a bug in a query: storage failures are retried until they pass, bugs are not."""

from __future__ import annotations

import errno
import logging
import sqlite3
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

# Fragments of SQLite's messages for failures of the storage, not of the statement.
STORAGE_FAILURES = (
    "database or disk is full",
    "disk i/o error",
    "database is locked",
    "database table is locked",
    "unable to open database file",
    "attempt to write a readonly database",
    "database disk image is malformed",
    "file is not a database",
)

_OS_STORAGE_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EIO, errno.EROFS, errno.EDQUOT}


def is_storage_failure(error: BaseException) -> bool:
    """True when the error says the database could not be read or written, whatever the query."""
    if isinstance(error, sqlite3.DatabaseError) and not isinstance(
        error, sqlite3.IntegrityError | sqlite3.ProgrammingError
    ):
        message = str(error).lower()
        return any(fragment in message for fragment in STORAGE_FAILURES)
    if isinstance(error, OSError):
        return error.errno in _OS_STORAGE_ERRNOS
    return False


def describe(error: BaseException) -> str:
    """A short, content-free description for logs and alerts."""
    return f"{type(error).__name__}: {error}"[:300]


class StorageHealth:
    """Whether storage works: the first failure of an episode and its end are told to listeners
    (a log line, a direct message to the admins), never every failed attempt."""

    def __init__(self) -> None:
        self.failing_since: float | None = None
        self.last_error: str | None = None
        self.on_failure: list[Callable[[str], None]] = []
        self.on_recovery: list[Callable[[], None]] = []

    @property
    def ok(self) -> bool:
        return self.failing_since is None

    def failed(self, error: BaseException) -> None:
        self.last_error = describe(error)
        if self.failing_since is not None:
            return
        self.failing_since = time.monotonic()
        log.error("storage fails (%s): intake and sending wait until it works", self.last_error)
        for listener in self.on_failure:
            listener(self.last_error)

    def worked(self) -> None:
        if self.failing_since is None:
            return
        log.warning("storage works again after %.0f s", time.monotonic() - self.failing_since)
        self.failing_since = None
        for listener in self.on_recovery:
            listener()
