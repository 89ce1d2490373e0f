"""The case state machine: which moderator actions apply in which state, and where they lead."""

from __future__ import annotations

from enum import StrEnum

from bot.models import UNDECIDED, State


class Action(StrEnum):
    CLAIM = "c"
    ESCALATE = "e"
    TAKE_DOWN = "t"
    DISMISS = "d"


ALLOWED_FROM: dict[Action, tuple[State, ...]] = {
    Action.CLAIM: (State.NEW, State.ESCALATED),
    Action.ESCALATE: (State.NEW,),
    Action.TAKE_DOWN: UNDECIDED,
    Action.DISMISS: UNDECIDED,
}

DECISIONS: dict[Action, State] = {
    Action.TAKE_DOWN: State.TAKEN_DOWN,
    Action.DISMISS: State.DISMISSED,
}

BUTTON_ORDER = (Action.CLAIM, Action.TAKE_DOWN, Action.DISMISS, Action.ESCALATE)


def allowed(action: Action, state: State) -> bool:
    return state in ALLOWED_FROM[action]


def available_actions(state: State) -> list[Action]:
    """The actions whose buttons a card in this state shows, in display order."""
    return [action for action in BUTTON_ORDER if allowed(action, state)]
