"""Crash points for the crash tests: a deliberate SIGKILL at a named moment, off unless asked.

`REPORT_DESK_CRASH_AT=commit:N` kills the process right after its Nth committed transaction, so a
test can hit the window between "recorded" and "sent" on purpose instead of by luck.
"""

from __future__ import annotations

import os
import signal

ENVIRONMENT_KEY = "REPORT_DESK_CRASH_AT"

_counts: dict[str, int] = {}


def _target() -> tuple[str, int] | None:
    raw = os.environ.get(ENVIRONMENT_KEY)
    if not raw or ":" not in raw:
        return None
    point, _, count = raw.partition(":")
    return (point, int(count)) if count.isdigit() else None


TARGET = _target()


def crash_point(point: str) -> None:
    """Die here (SIGKILL, no cleanup) if this is the configured point and occurrence."""
    if TARGET is None or TARGET[0] != point:
        return
    _counts[point] = _counts.get(point, 0) + 1
    if _counts[point] == TARGET[1]:
        os.kill(os.getpid(), signal.SIGKILL)
