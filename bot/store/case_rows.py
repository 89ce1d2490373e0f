"""Every case of a period with its whole timeline, streamed from one query in case order (flat
memory: one case at a time), for exports."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.domain.periods import Period
from bot.domain.timeline import CaseFacts, Round

_ROUND_COLUMNS = [
    "round",
    "started_at",
    "reopened_by",
    "reopened_by_name",
    "first_action_at",
    "first_action",
    "first_action_by",
    "first_action_by_name",
    "paused_seconds",
    "decided_at",
    "decision",
    "reason_code",
    "decided_by",
    "decided_by_name",
]

_CASE_SQL = (
    "SELECT case_facts.case_id, case_facts.reported_at, case_facts.category,"
    " case_facts.priority, case_facts.first_visible_at,"
    " COALESCE(cases.state, 'unknown') AS state,"
    " (SELECT COUNT(*) FROM case_reporters WHERE case_reporters.case_id = case_facts.case_id),"
    " (SELECT json_group_array(organization) FROM (SELECT DISTINCT organization"
    "   FROM case_reporters WHERE case_reporters.case_id = case_facts.case_id"
    "   ORDER BY organization)),"
    f" {', '.join(f'case_rounds.{column}' for column in _ROUND_COLUMNS)}"
    " {content}"
    " FROM case_facts JOIN case_rounds ON case_rounds.case_id = case_facts.case_id"
    " LEFT JOIN cases ON cases.id = case_facts.case_id"
    " WHERE case_facts.reported_at >= ? AND case_facts.reported_at < ?"
    " ORDER BY case_facts.case_id, case_rounds.round"
)

# Message content, only when asked for: the reporters' notes, a typed reason, the origins.
_CONTENT_SQL = (
    ", (SELECT json_group_array(note) FROM reports WHERE reports.case_id = case_facts.case_id"
    "   AND note != '') AS notes,"
    " cases.decision_reason,"
    " (SELECT json_group_array(DISTINCT items.origin) FROM items JOIN reports"
    "   ON items.report_id = reports.id WHERE reports.case_id = case_facts.case_id) AS origins"
)


@dataclass
class CaseRow:
    """One case: its facts, every round (oldest first), reporters and organizations."""

    facts: CaseFacts
    state: str
    reporters: int
    organizations: list[str]
    rounds: list[Round] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    decision_reason: str | None = None
    origins: list[dict[str, object]] = field(default_factory=list)

    @property
    def last(self) -> Round:
        return self.rounds[-1]


def case_rows(
    db: sqlite3.Connection, period: Period, *, with_content: bool = False
) -> Iterator[CaseRow]:
    """The period's cases in case order, each with all its rounds."""
    sql = _CASE_SQL.format(content=_CONTENT_SQL if with_content else "")
    cursor = db.execute(sql, (period.start, period.end))
    current: CaseRow | None = None
    while batch := cursor.fetchmany(1000):
        for row in batch:
            case_id = row[0]
            if current is None or current.facts.case_id != case_id:
                if current is not None:
                    yield current
                current = _case(row, with_content)
            current.rounds.append(Round(case_id, *row[8 : 8 + len(_ROUND_COLUMNS)]))
    if current is not None:
        yield current


def _case(row: Any, with_content: bool) -> CaseRow:
    case_id, reported_at, category, priority, visible, state, reporters, organizations = row[:8]
    found = CaseRow(
        facts=CaseFacts(case_id, reported_at, category, priority, visible),
        state=str(state),
        reporters=int(reporters),
        organizations=json.loads(str(organizations)),
    )
    if with_content:
        notes, reason, origins = row[8 + len(_ROUND_COLUMNS) :]
        found.notes = json.loads(str(notes))
        found.decision_reason = str(reason) if reason is not None else None
        found.origins = [json.loads(o) for o in json.loads(str(origins)) if o]
    return found
