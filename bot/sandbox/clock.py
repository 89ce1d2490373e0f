"""The fake's clock: monotonic seconds that a test can move forward.

Rate-limit windows, callback query ages and the arrival time of each call all read this clock,
so ``advance_time`` ages them together without sleeping.
"""

from __future__ import annotations

import time


class Clock:
    def __init__(self) -> None:
        self._shift = 0.0

    def now(self) -> float:
        """The fake's clock (monotonic seconds, shifted by :meth:`advance`)."""
        return time.monotonic() + self._shift

    def advance(self, seconds: float) -> None:
        """Move the clock forward: rate-limit windows and callback query ages see it."""
        self._shift += seconds
