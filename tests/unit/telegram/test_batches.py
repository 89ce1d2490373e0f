"""Which recorded updates share a batch: button presses and commands whose effects reach
beyond the database (reload, charts, exports) are handled alone, so a batch never holds the
store while they wait on other locks, and a batch rolled back never runs them twice."""

from __future__ import annotations

import json

from bot.telegram.polling import _batches


def message(update_id: int, text: str) -> tuple[int, str]:
    return update_id, json.dumps(
        {"update_id": update_id, "message": {"message_id": update_id, "text": text}}
    )


def press(update_id: int) -> tuple[int, str]:
    return update_id, json.dumps({"update_id": update_id, "callback_query": {"id": "q"}})


def ids(groups: list[tuple[bool, list[tuple[int, str]]]]) -> list[list[int]]:
    return [[update_id for update_id, _ in group] for _, group in groups]


def alone(groups: list[tuple[bool, list[tuple[int, str]]]]) -> list[bool]:
    return [flag for flag, _ in groups]


def test_plain_updates_share_a_batch_and_presses_stand_alone() -> None:
    waiting = [message(1, "halo"), message(2, "/report fraud"), press(3), message(4, "/status")]
    assert ids(_batches(waiting)) == [[1, 2], [3], [4]]
    assert alone(_batches(waiting)) == [False, True, False]


def test_commands_acting_beyond_the_database_stand_alone() -> None:
    waiting = [
        message(1, "/report"),
        message(2, "/reload"),
        message(3, "/stats@report_desk_bot 7d"),
        message(4, "/Export 2026-11"),
        message(5, "/quality"),
        message(6, "/case 4"),
        message(7, "reload"),
    ]
    assert ids(_batches(waiting)) == [[1], [2], [3], [4], [5], [6, 7]]
    assert alone(_batches(waiting)) == [False, True, True, True, True, False]
