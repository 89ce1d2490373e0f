"""What statistics say about a period: counts, medians and 90th percentiles of the times to act,
shares within target; and, for admins only, the quality of each flagger's reports.

Percentiles interpolate between the two nearest ranks (as numpy's default and spreadsheets'
PERCENTILE.INC do), so the median of an even count is the mean of the middle two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from bot.domain.periods import Period

MEDIAN = Fraction(1, 2)
P90 = Fraction(9, 10)


def rank(count: int, share: Fraction) -> tuple[int, Fraction]:
    """Where a percentile lies among `count` sorted values: the lower index (from 0) and how
    far towards the next one."""
    position = (count - 1) * share
    lower = position.numerator // position.denominator
    return lower, position - lower


def percentile(values_at: dict[int, float], count: int, share: Fraction) -> float | None:
    """The percentile from the values at the ranks `rank` names (or from all of them)."""
    if count == 0:
        return None
    lower, fraction = rank(count, share)
    value = values_at[lower]
    if fraction:
        value += float(fraction) * (values_at[lower + 1] - value)
    return value


@dataclass(frozen=True)
class Spread:
    """How long something took: how many, median and 90th percentile, in seconds."""

    count: int = 0
    median: float | None = None
    p90: float | None = None

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        """The spread of these values (sorted here, in place)."""
        values.sort()
        at = dict(enumerate(values))
        return cls(
            len(values), percentile(at, len(values), MEDIAN), percentile(at, len(values), P90)
        )


@dataclass(frozen=True)
class Share:
    part: int = 0
    whole: int = 0

    @property
    def percent(self) -> float | None:
        return 100.0 * self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class GroupFigures:
    """One line of the statistics: all cases, a category, or an organization."""

    key: str
    cases: int = 0
    decisions: int = 0
    to_first_action: Spread = Spread()
    to_decision: Spread = Spread()
    first_action_in_target: Share = Share()
    decision_in_target: Share = Share()


class GroupTally:
    """One group's rounds, added one at a time in a single pass; its figures at the end."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.cases: set[int] = set()
        self.to_first_action: list[float] = []
        self.to_decision: list[float] = []
        self.action_in = self.action_all = self.decision_in = self.decision_all = 0

    def add(
        self,
        case_id: int,
        to_first_action: float | None,
        to_decision: float | None,
        targets: tuple[float, float] | None,
    ) -> None:
        """A round of a case; `targets` are its category's (first action, decision), if any."""
        self.cases.add(case_id)
        if to_first_action is not None:
            self.to_first_action.append(to_first_action)
            if targets is not None:
                self.action_all += 1
                self.action_in += to_first_action <= targets[0]
        if to_decision is not None:
            self.to_decision.append(to_decision)
            if targets is not None:
                self.decision_all += 1
                self.decision_in += to_decision <= targets[1]

    def figures(self) -> GroupFigures:
        return GroupFigures(
            key=self.key,
            cases=len(self.cases),
            decisions=len(self.to_decision),
            to_first_action=Spread.of(self.to_first_action),
            to_decision=Spread.of(self.to_decision),
            first_action_in_target=Share(self.action_in, self.action_all),
            decision_in_target=Share(self.decision_in, self.decision_all),
        )


@dataclass(frozen=True)
class DecisionCount:
    decision: str  # taken_down or dismissed
    reason_code: str | None  # None: a typed reason
    count: int


@dataclass(frozen=True)
class Figures:
    period: Period
    now: float
    total: GroupFigures
    by_category: list[GroupFigures] = field(default_factory=list)
    by_organization: list[GroupFigures] = field(default_factory=list)
    by_state: dict[str, int] = field(default_factory=dict)
    decisions: list[DecisionCount] = field(default_factory=list)
    reopened: int = 0
    to_visible: Spread = Spread()
    # (bar label, cases per category) for each day or month of the period
    per_bucket: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    # undecided cases (reported at any time) past a target now, per category
    past_target_now: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.total.cases == 0


@dataclass(frozen=True)
class FlaggerQuality:
    """How one organization's (or reporter's) reports ended: by each case's last decision."""

    key: str  # the organization, or the reporter's name
    organization: str
    reports: int  # cases reported in the period
    decided: int
    taken_down: int
    dismissed: int
    dismissed_by_reason: dict[str | None, int]
    to_decision: Spread

    @property
    def taken_down_share(self) -> Share:
        return Share(self.taken_down, self.decided)

    @property
    def dismissed_share(self) -> Share:
        return Share(self.dismissed, self.decided)


@dataclass(frozen=True)
class Quality:
    period: Period
    by_organization: list[FlaggerQuality]
    by_reporter: list[FlaggerQuality]

    @property
    def empty(self) -> bool:
        return not self.by_organization
