"""The pacer counts a send from when Telegram answered it, so its windows never close earlier
than Telegram's."""

from __future__ import annotations

import pytest

from bot.outbox.pacing import Pacer
from tests.factories import GROUP, SATU, FakeClock


def test_a_send_counts_from_when_telegram_answered() -> None:
    clock = FakeClock()
    pacer = Pacer(clock)
    with pacer.sending(SATU):
        clock.advance(0.4)  # the request takes this long to be answered
    assert pacer.wait(SATU) == pytest.approx(1.0)


def test_a_send_that_failed_still_counts() -> None:
    clock = FakeClock()
    pacer = Pacer(clock)
    with pytest.raises(ConnectionError), pacer.sending(GROUP):
        raise ConnectionError("Telegram may have taken it")
    assert not pacer.has_room(GROUP, 20)
    assert pacer.has_room(GROUP, 19)


def test_thirty_a_second_overall_counted_at_the_answers() -> None:
    clock = FakeClock()
    pacer = Pacer(clock)
    start = clock()
    for chat in range(30):
        with pacer.sending(SATU + chat):
            clock.advance(0.01)
    # The first answer came 0.01 s in: the window holds 30 until 1.01 s, not 1.00 s.
    assert pacer.wait(SATU + 99) == pytest.approx(start + 1.01 - clock())
