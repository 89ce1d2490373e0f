"""The statistics of a period, computed in SQL over the case facts (never by loading every case):
counts, times to act per category and organization, shares within target, cases past target.

A period counts the cases first reported within it; every decision of those cases (one per
round: the first report, then each reopen) is timed from the start of its round.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from bot.domain.figures import DecisionCount, Figures, GroupFigures, GroupTally, Spread
from bot.domain.periods import Period
from bot.store.reading import spreads

# Response-time targets per category, in seconds: (first action, decision).
Targets = Mapping[str, tuple[float, float]]

_UNDECIDED = "('new', 'escalated', 'waiting')"


class PeriodQuery:
    """The SQL shared by every figure: the period's cases and their rounds, with targets."""

    def __init__(self, period: Period, targets: Targets) -> None:
        self.period = period
        values = ", ".join("(?, ?, ?)" for _ in targets) or "(NULL, NULL, NULL)"
        self.prefix = (
            f"WITH targets(category, first_s, decision_s) AS (VALUES {values}),"
            " periodic AS (SELECT case_id, category, reported_at, first_visible_at"
            "   FROM case_facts WHERE reported_at >= ? AND reported_at < ?),"
            " rounds AS (SELECT periodic.case_id, periodic.category, case_rounds.round,"
            "   case_rounds.first_action_at - case_rounds.started_at AS to_action,"
            "   case_rounds.decided_at - case_rounds.started_at - case_rounds.paused_seconds"
            "     AS to_decision,"
            "   targets.first_s, targets.decision_s"
            "   FROM periodic JOIN case_rounds ON case_rounds.case_id = periodic.case_id"
            "   LEFT JOIN targets ON targets.category = periodic.category)"
        )
        self.params: list[Any] = [value for key, pair in targets.items() for value in (key, *pair)]
        self.params += [period.start, period.end]

    def run(self, db: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return db.execute(f"{self.prefix} {sql}", [*self.params, *params]).fetchall()


# Organizations of a case in one column (joined with char(31), the unit separator).
_SEPARATOR = "\x1f"


def _groups(
    db: sqlite3.Connection, query: PeriodQuery, targets: Targets
) -> dict[str, list[GroupFigures]]:
    """The figures of all rounds, per category and per organization (a case reported by two
    organizations counts for each): SQL joins the period's rounds with their organizations,
    one pass tallies them."""
    total = GroupTally("")
    categories: dict[str, GroupTally] = {}
    organizations: dict[str, GroupTally] = {}
    rows = db.execute(
        f"{query.prefix} SELECT case_id, category, to_action, to_decision,"
        " (SELECT group_concat(organization, char(31)) FROM (SELECT DISTINCT organization"
        "   FROM case_reporters WHERE case_reporters.case_id = rounds.case_id)) FROM rounds",
        query.params,
    )
    for case_id, category, to_action, to_decision, joined in rows:
        target = targets.get(category)
        total.add(case_id, to_action, to_decision, target)
        categories.setdefault(category, GroupTally(category)).add(
            case_id, to_action, to_decision, target
        )
        for organization in (joined or "").split(_SEPARATOR):
            if organization:
                organizations.setdefault(organization, GroupTally(organization)).add(
                    case_id, to_action, to_decision, target
                )
    if not total.cases:
        return {"total": [], "category": [], "organization": []}

    def ranked(tallies: dict[str, GroupTally]) -> list[GroupFigures]:
        found = [tally.figures() for tally in tallies.values()]
        return sorted(found, key=lambda g: (-g.cases, g.key))

    return {
        "total": [total.figures()],
        "category": ranked(categories),
        "organization": ranked(organizations),
    }


def period_figures(db: sqlite3.Connection, period: Period, targets: Targets, now: float) -> Figures:
    """Everything /stats, the report and its charts show about `period`."""
    query = PeriodQuery(period, targets)
    groups = _groups(db, query, targets)
    totals = groups["total"]
    if not totals:
        return Figures(period, now, GroupFigures(""), past_target_now=_past_target(db, query, now))
    by_state = dict(
        query.run(
            db,
            "SELECT COALESCE(cases.state, (SELECT decision FROM case_rounds"
            "   WHERE case_rounds.case_id = periodic.case_id ORDER BY round DESC LIMIT 1), 'new'),"
            " COUNT(*) FROM periodic LEFT JOIN cases ON cases.id = periodic.case_id GROUP BY 1",
        )
    )
    decisions = [
        DecisionCount(decision, reason, count)
        for decision, reason, count in query.run(
            db,
            "SELECT case_rounds.decision, case_rounds.reason_code, COUNT(*) FROM periodic"
            " JOIN case_rounds ON case_rounds.case_id = periodic.case_id"
            " WHERE case_rounds.decided_at IS NOT NULL GROUP BY 1, 2 ORDER BY 1 DESC, 3 DESC, 2",
        )
    ]
    (reopened,) = query.run(db, "SELECT COUNT(*) FROM rounds WHERE round > 0")[0]
    (visible,) = spreads(
        db,
        query.prefix,
        "SELECT '' AS key, first_visible_at - reported_at AS seen FROM periodic",
        query.params,
        ["seen"],
    )
    return Figures(
        period=period,
        now=now,
        total=totals[0],
        by_category=groups["category"],
        by_organization=groups["organization"],
        by_state=by_state,
        decisions=decisions,
        reopened=int(reopened),
        to_visible=visible.get("", Spread()),
        per_bucket=_per_bucket(db, period),
        past_target_now=_past_target(db, query, now),
    )


def _per_bucket(db: sqlite3.Connection, period: Period) -> list[tuple[str, dict[str, int]]]:
    """Cases per day (or month) and category: one indexed range per bar."""
    buckets = period.buckets()
    values = ", ".join("(?, ?, ?)" for _ in buckets)
    rows = db.execute(
        f"WITH buckets(i, start, end) AS (VALUES {values})"
        " SELECT buckets.i, case_facts.category, COUNT(*) FROM buckets JOIN case_facts"
        " ON case_facts.reported_at >= buckets.start AND case_facts.reported_at < buckets.end"
        " GROUP BY 1, 2",
        [value for i, b in enumerate(buckets) for value in (i, b.start, b.end)],
    ).fetchall()
    counts: list[dict[str, int]] = [{} for _ in buckets]
    for index, category, count in rows:
        counts[int(index)][str(category)] = int(count)
    return [(bucket.label, counts[i]) for i, bucket in enumerate(buckets)]


def _past_target(db: sqlite3.Connection, query: PeriodQuery, now: float) -> dict[str, int]:
    """Undecided cases (whenever reported) past their first-action or decision target now."""
    rows = query.run(
        db,
        "SELECT cases.category, COUNT(*) FROM cases"
        " JOIN targets ON targets.category = cases.category"
        f" WHERE cases.state IN {_UNDECIDED} AND ("
        "   (cases.first_action_at IS NULL AND ? - cases.clock_start > targets.first_s)"
        "   OR ? - cases.clock_start - cases.paused_seconds"
        "      - COALESCE(? - cases.waiting_since, 0) > targets.decision_s)"
        " GROUP BY 1 ORDER BY 2 DESC, 1",
        [now, now, now],
    )
    return {str(category): int(count) for category, count in rows}
