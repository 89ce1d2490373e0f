"""The words the desk stores: statuses and kinds, as enums whose values are the stored strings."""

from __future__ import annotations

from enum import StrEnum


class ReportStatus(StrEnum):
    CHOOSING = "choosing"  # waits for the reporter to pick a category
    OPEN = "open"  # filed on a case
    ADDED = "added"  # material added to a case with /add
    ANSWER = "answer"  # a reporter's answer to a question
    REPEAT = "repeat"  # the reporter reported the same content again
    EXPIRED = "expired"  # no category was chosen in time


# Reports whose reporters and notes a card shows.
SHOWN_ON_CARD = (ReportStatus.OPEN, ReportStatus.ADDED)


class ItemState(StrEnum):
    DRAFT = "draft"
    REPORTED = "reported"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class EventKind(StrEnum):
    """What the case history records; `history.<kind>` in the catalogues says it."""

    REPORTED = "reported"
    JOINED = "joined"
    CLAIMED = "claimed"
    RELEASED = "released"
    TAKEN_OVER = "taken_over"  # detail: the previous holder's name
    ESCALATED = "escalated"
    ASKED = "asked"
    ANSWERED = "answered"
    QUESTION_CANCELLED = "question_cancelled"
    ADDED = "added"
    NOTE = "note"
    OVERDUE = "overdue"
    TAKEN_DOWN = "taken_down"
    DISMISSED = "dismissed"
    REOPENED = "reopened"
    ERASED = "erased"  # retention erased the case's content; its facts stay


class OutboxKind(StrEnum):
    MESSAGE = "message"
    CARD = "card"
    CARD_EDIT = "card_edit"
    EVIDENCE = "evidence"
    POINTER = "pointer"
    DIGEST = "digest"
    LEAVE = "leave"
    FILE = "file"  # a photo or document written to disk for this send, removed once sent


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DROPPED = "dropped"  # the recipient blocked the bot: recorded, never retried
    SKIPPED = "skipped"  # nothing left to do (the card to edit is gone)
    FAILED = "failed"


class PromptKind(StrEnum):
    """What a moderator's reply to a ForceReply prompt is the input for."""

    REASON_TAKE_DOWN = "reason_t"
    REASON_DISMISS = "reason_d"
    ESCALATION_NOTE = "escalate"
    QUESTION = "ask"


class TimerKind(StrEnum):
    """Stored timers are keyed `<kind>:<argument>`, so each exists once and a restart re-arms it."""

    DRAFT_NOTICE = "draft_notice"  # argument: reporter id
    DRAFT_EXPIRY = "draft_expiry"  # argument: reporter id
    CHOICE_REMINDER = "choice_reminder"  # argument: report id
    CHOICE_EXPIRY = "choice_expiry"  # argument: report id
    ALARM = "alarm"  # argument: case id, target, level
    LEAVE = "leave"  # argument: chat id
    DRAFT_REFUSAL = "draft_refusal"  # argument: reporter id

    def key(self, *arguments: object) -> str:
        return ":".join([self.value, *(str(argument) for argument in arguments)])


def parse_timer_key(key: str) -> tuple[TimerKind, list[str]] | None:
    """(kind, arguments) of a stored timer key; None for a kind this version does not know."""
    kind, _, rest = key.partition(":")
    try:
        return TimerKind(kind), rest.split(":")
    except ValueError:
        return None
