"""Test knobs for faults on purpose, all off unless a test sets them in the environment.

- `REPORT_DESK_CRASH_AT=commit:N` kills the process (SIGKILL, no cleanup) right after its Nth
  committed transaction, so a test can hit the window between "recorded" and "sent" on purpose.
- `REPORT_DESK_FAIL_AT=commit:N[,M...]` makes the Nth (Mth, ...) commit fail as SQLite does when
  another process holds the lock ("database is locked"): the transaction rolls back.
- `REPORT_DESK_CLOCK_OFFSET_FILE=PATH` adds the number of seconds in that file to the wall clock
  (re-read as it changes), so a test can move the bot's clock without touching the machine's.
- `REPORT_DESK_POLL_TIMEOUT=N` makes each getUpdates long poll last N seconds instead of 25, so a
  test of the health check's limit (twice the long poll plus 30 s) need not wait 80 s.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time

CRASH_KEY = "REPORT_DESK_CRASH_AT"
FAIL_KEY = "REPORT_DESK_FAIL_AT"
CLOCK_OFFSET_KEY = "REPORT_DESK_CLOCK_OFFSET_FILE"
POLL_TIMEOUT_KEY = "REPORT_DESK_POLL_TIMEOUT"
ENVIRONMENT_KEYS = (CRASH_KEY, FAIL_KEY, CLOCK_OFFSET_KEY, POLL_TIMEOUT_KEY)

_crash_counts: dict[str, int] = {}
_fail_counts: dict[str, int] = {}


def _points(key: str) -> dict[str, set[int]]:
    points: dict[str, set[int]] = {}
    for spec in (os.environ.get(key) or "").split(";"):
        point, _, counts = spec.partition(":")
        numbers = {int(n) for n in counts.split(",") if n.strip().isdigit()}
        if point and numbers:
            points.setdefault(point, set()).update(numbers)
    return points


CRASH_AT = _points(CRASH_KEY)
FAIL_AT = _points(FAIL_KEY)


def _reached(point: str, wanted_at: dict[str, set[int]], counts: dict[str, int]) -> bool:
    """Count this pass through `point`; whether it is an occurrence the knob names."""
    wanted = wanted_at.get(point)
    if not wanted:
        return False
    counts[point] = counts.get(point, 0) + 1
    return counts[point] in wanted


def crash_point(point: str) -> None:
    """Die here (SIGKILL, no cleanup) if this is a configured point and occurrence."""
    if _reached(point, CRASH_AT, _crash_counts):
        os.kill(os.getpid(), signal.SIGKILL)


def fault_point(point: str) -> None:
    """Fail here as a locked database does, if this is a configured point and occurrence."""
    if _reached(point, FAIL_AT, _fail_counts):
        raise sqlite3.OperationalError("database is locked")


class _OffsetFile:
    """The offset written in a file, read again at most every half second."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.offset = 0.0
        self.read_at = float("-inf")

    def __call__(self) -> float:
        now = time.monotonic()
        if now - self.read_at >= 0.5:
            self.read_at = now
            try:
                with open(self.path, encoding="utf-8") as file:
                    self.offset = float(file.read().strip() or 0)
            except (OSError, ValueError):
                pass
        return self.offset


_OFFSET = _OffsetFile(os.environ[CLOCK_OFFSET_KEY]) if os.environ.get(CLOCK_OFFSET_KEY) else None


def wall_clock() -> float:
    """Seconds since the epoch: the machine's clock, moved by the test knob when it is set."""
    return time.time() + (_OFFSET() if _OFFSET is not None else 0.0)


def poll_timeout(default: int) -> int:
    """The long poll's seconds: the test knob's when set, else `default`."""
    value = os.environ.get(POLL_TIMEOUT_KEY, "")
    return int(value) if value.isdigit() and int(value) > 0 else default
