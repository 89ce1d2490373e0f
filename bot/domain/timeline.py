"""The facts of a case that statistics are made of: when it was reported, seen, acted on and
decided, in rounds (the first report, then each reopen), and who reported it.

Time to first action and time to decision run from the start of a round; the decision clock
pauses while the case waits for its reporter.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CaseFacts:
    case_id: int
    reported_at: float
    category: str
    priority: int
    first_visible_at: float | None


@dataclass(frozen=True)
class Round:
    """From the first report (round 0) or a reopen to the decision that ends it."""

    case_id: int
    round: int
    started_at: float
    reopened_by: int | None
    reopened_by_name: str | None
    first_action_at: float | None
    first_action: str | None  # the event kind: claimed, escalated, asked, note, a decision
    first_action_by: int | None
    first_action_by_name: str | None
    paused_seconds: float
    decided_at: float | None
    decision: str | None  # taken_down or dismissed
    reason_code: str | None  # None for a typed reason (or one lost to the back-fill)
    decided_by: int | None
    decided_by_name: str | None

    @property
    def to_first_action(self) -> float | None:
        if self.first_action_at is None:
            return None
        return self.first_action_at - self.started_at

    @property
    def to_decision(self) -> float | None:
        """Seconds from the start of the round to its decision, the wait for the reporter
        left out."""
        if self.decided_at is None:
            return None
        return self.decided_at - self.started_at - self.paused_seconds


@dataclass(frozen=True)
class CaseReporter:
    case_id: int
    reporter_id: int
    reporter_name: str
    organization: str
    reported_at: float


@dataclass(frozen=True)
class Timeline:
    facts: CaseFacts
    rounds: list[Round]
    reporters: list[CaseReporter] = field(default_factory=list)
