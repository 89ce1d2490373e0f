"""What a button press on a case card is, and what it answers (use cases share these)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.models import Case, Person
from bot.render.callback_data import CaseAction
from bot.render.i18n import plain
from bot.store import Tx


class ActResult(StrEnum):
    DONE = "done"
    NOT_MODERATOR = "not_moderator"
    NOT_FOUND = "not_found"
    ALREADY_DECIDED = "already_decided"
    ALREADY_YOURS = "already_yours"
    HELD_BY_ANOTHER = "held_by_another"  # another moderator holds the case
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class ActOutcome:
    result: ActResult
    answer: str
    alert: bool = False


@dataclass(frozen=True)
class Press:
    """One button press on a case card, as a use case sees it."""

    tx: Tx
    case: Case
    moderator: Person
    chat_id: int
    pressed: CaseAction


def answered(
    language: str, result: ActResult, key: str, *, alert: bool = False, **values: object
) -> ActOutcome:
    """The outcome of a press, with its answer (a catalogue text in moderator space's language)."""
    return ActOutcome(result, plain(language, key, **values), alert)
