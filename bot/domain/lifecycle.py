"""The case state machine as a table: which moderator actions apply in which state."""

from __future__ import annotations

from enum import StrEnum

from bot.domain.models import UNDECIDED, State
from bot.domain.vocabulary import PromptKind


class Action(StrEnum):
    """A button's verb; the letter travels in callback data."""

    CLAIM = "c"
    RELEASE = "u"  # the holder gives a claimed case back
    TAKE_OVER = "g"  # another moderator takes a claimed case, and its holder is told
    TAKE_DOWN = "t"  # opens the reason picker for a take-down
    DISMISS = "d"  # opens the reason picker for a dismissal
    REASON = "r"  # decides, with a reason code from the picker
    OTHER_REASON = "f"  # asks for a free-text reason
    CANCEL = "x"  # closes a picker
    ESCALATE = "e"  # asks for an optional note
    SKIP_NOTE = "s"  # escalates without a note
    ASK = "a"  # asks for a question to the reporter
    CANCEL_QUESTION = "q"
    REOPEN = "o"
    POST = "p"  # (re)posts the case's card: from /queue, digests and alarms
    MORE_EVIDENCE = "m"  # posts the next batch of the case's evidence under its card


class Decision(StrEnum):
    TAKE_DOWN = "t"
    DISMISS = "d"

    @property
    def state(self) -> State:
        return State.TAKEN_DOWN if self is Decision.TAKE_DOWN else State.DISMISSED

    @property
    def reasons_key(self) -> str:
        return "take_down" if self is Decision.TAKE_DOWN else "dismiss"

    @property
    def reason_prompt(self) -> PromptKind:
        """The prompt that asks a moderator to type this decision's reason."""
        if self is Decision.TAKE_DOWN:
            return PromptKind.REASON_TAKE_DOWN
        return PromptKind.REASON_DISMISS

    @classmethod
    def of_reason_prompt(cls, kind: PromptKind) -> Decision | None:
        """The decision a typed-reason prompt is for; None for other prompts."""
        for decision in cls:
            if decision.reason_prompt is kind:
                return decision
        return None


ALLOWED_FROM: dict[Action, tuple[State, ...]] = {
    Action.CLAIM: (State.NEW, State.ESCALATED),
    Action.RELEASE: (State.NEW, State.ESCALATED),
    Action.TAKE_OVER: (State.NEW, State.ESCALATED),
    Action.TAKE_DOWN: UNDECIDED,
    Action.DISMISS: UNDECIDED,
    Action.REASON: UNDECIDED,
    Action.OTHER_REASON: UNDECIDED,
    Action.CANCEL: (*UNDECIDED, State.TAKEN_DOWN, State.DISMISSED),
    Action.ESCALATE: (State.NEW,),
    Action.SKIP_NOTE: (State.NEW,),
    Action.ASK: (State.NEW, State.ESCALATED),
    Action.CANCEL_QUESTION: (State.WAITING,),
    Action.REOPEN: (State.TAKEN_DOWN, State.DISMISSED),
    Action.POST: (*UNDECIDED, State.TAKEN_DOWN, State.DISMISSED),
    Action.MORE_EVIDENCE: (*UNDECIDED, State.TAKEN_DOWN, State.DISMISSED),
}

# The buttons a card shows when no picker is open, in display order.
CARD_ACTIONS = (
    Action.CLAIM,
    Action.RELEASE,
    Action.TAKE_OVER,
    Action.TAKE_DOWN,
    Action.DISMISS,
    Action.ESCALATE,
    Action.ASK,
    Action.CANCEL_QUESTION,
    Action.REOPEN,
)


def allowed(action: Action, state: State) -> bool:
    return state in ALLOWED_FROM[action]


# A card offers Claim while nobody holds the case, and Release and Take over while someone does.
WHEN_UNCLAIMED = (Action.CLAIM,)
WHEN_CLAIMED = (Action.RELEASE, Action.TAKE_OVER)


def available_actions(state: State, claimed: bool = False) -> list[Action]:
    """The actions whose buttons a card in this state shows, in display order."""
    hidden = WHEN_UNCLAIMED if claimed else WHEN_CLAIMED
    return [a for a in CARD_ACTIONS if allowed(a, state) and a not in hidden]
