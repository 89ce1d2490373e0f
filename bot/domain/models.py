"""Plain dataclasses that storage returns and the desk passes around (no Telegram types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.domain.vocabulary import EventKind, OutboxKind, PromptKind, ReportStatus


@dataclass(frozen=True)
class Person:
    """Whoever sent an update: their Telegram id, display name and app language."""

    id: int
    name: str
    language_code: str | None = None


@dataclass(frozen=True)
class UpdateSummary:
    """What an update was, without its content: enough to log it or tell the admins about it."""

    update_id: int
    kind: str
    chat_id: int | None
    user_id: int | None


class State(StrEnum):
    NEW = "new"
    ESCALATED = "escalated"
    WAITING = "waiting"
    TAKEN_DOWN = "taken_down"
    DISMISSED = "dismissed"

    @property
    def decided(self) -> bool:
        return self in (State.TAKEN_DOWN, State.DISMISSED)


UNDECIDED = (State.NEW, State.ESCALATED, State.WAITING)


@dataclass(frozen=True)
class Origin:
    """Where a reported item came from, as far as Telegram tells us."""

    type: str  # channel, chat, user, hidden_user, link, own
    chat_id: int | None = None
    message_id: int | None = None
    title: str | None = None
    username: str | None = None
    sender_user_id: int | None = None
    sender_name: str | None = None
    author_signature: str | None = None
    date: int | None = None

    @property
    def link(self) -> str | None:
        """A t.me link to the original post, where one exists."""
        if self.message_id is None:
            return None
        if self.username:
            return f"https://t.me/{self.username}/{self.message_id}"
        if self.type in ("channel", "link") and self.chat_id is not None:
            raw = str(self.chat_id)
            if raw.startswith("-100"):
                return f"https://t.me/c/{raw[4:]}/{self.message_id}"
        return None


@dataclass(frozen=True)
class IncomingItem:
    """One message a reporter sent the bot, translated out of Telegram's types."""

    chat_id: int
    message_id: int
    reporter_id: int
    kind: str  # text, photo, video, document, ...
    identity: str
    origin: Origin
    text: str | None = None
    file_id: str | None = None
    file_unique_id: str | None = None
    media_group_id: str | None = None
    # The formatting of the text or caption as Telegram gave it (JSON), so a copy keeps it.
    entities: str | None = None
    # A typed link, @mention or text mention makes typed text evidence, not a remark.
    links: bool = False

    @property
    def is_remark(self) -> bool:
        """Text the reporter typed themselves with nothing to report in it: no forward, no media,
        no link or mention. It is the note of their next report, not evidence."""
        return self.origin.type == "own" and self.kind == "text" and not self.links


@dataclass(frozen=True)
class Item:
    id: int
    chat_id: int
    message_id: int
    reporter_id: int
    report_id: int | None
    kind: str
    identity: str
    origin: Origin
    text: str | None
    file_id: str | None
    media_group_id: str | None
    received_at: float
    entities: str | None = None
    erased_at: float | None = None  # retention erased its text and file ids


@dataclass(frozen=True)
class Case:
    id: int
    category: str
    priority: int
    state: State
    state_before: State | None
    claimed_by: int | None
    claimed_by_name: str | None
    decided_by: int | None
    decided_by_name: str | None
    decision_reason: str | None
    created_at: float
    clock_start: float
    first_action_at: float | None
    decided_at: float | None
    waiting_since: float | None = None
    paused_seconds: float = 0.0


@dataclass(frozen=True)
class Report:
    id: int
    case_id: int | None
    reporter_id: int
    reporter_name: str
    organization: str
    chat_id: int
    command_message_id: int
    category: str | None
    note: str
    status: ReportStatus
    created_at: float


@dataclass(frozen=True)
class Event:
    id: int
    case_id: int
    at: float
    actor_id: int | None
    actor_name: str | None
    kind: EventKind
    detail: str | None


@dataclass(frozen=True)
class CaseView:
    """Everything a card needs to show about one case."""

    case: Case
    reports: list[Report]
    items: list[Item]
    events: list[Event]
    # Older cases whose content came from the same channel, chat, user or hidden sender.
    earlier: list[Case] = field(default_factory=list)
    # Older cases that hold this very content (the same post or message), with their outcome.
    same_content: list[Case] = field(default_factory=list)
    # When the view was read: a card names the day of history lines that are not from today.
    as_of: float | None = None
    # In the chat the card is for: distinct items the case has, and how many are posted there.
    evidence_total: int = 0
    evidence_posted: int = 0

    @property
    def evidence_more(self) -> int:
        """Items a moderator may still ask for in that chat."""
        return max(0, self.evidence_total - self.evidence_posted)

    @property
    def origins(self) -> list[Origin]:
        seen: list[Origin] = []
        for item in self.items:
            if item.origin not in seen:
                seen.append(item.origin)
        return seen


@dataclass(frozen=True)
class OutboxItem:
    id: int
    chat_id: int
    priority: int
    kind: OutboxKind
    payload: dict[str, Any]
    case_id: int | None
    attempts: int
    created_at: float
    turn: int = 0


@dataclass(frozen=True)
class Prompt:
    """A ForceReply prompt the bot posted for one moderator; their reply to it is the input."""

    chat_id: int
    message_id: int
    case_id: int
    kind: PromptKind
    moderator_id: int
