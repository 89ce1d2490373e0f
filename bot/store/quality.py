"""Flagger quality, for admins only: how the cases each organization and each reporter reported
in a period ended (each case by its last decision), computed in SQL over the case facts."""

from __future__ import annotations

import sqlite3

from bot.domain.figures import FlaggerQuality, Quality, Spread
from bot.domain.periods import Period
from bot.store.reading import spreads

# Each case reported in the period with its last round, once per reporter on it.
_FINALS = (
    "WITH finals AS (SELECT case_reporters.reporter_id, case_reporters.organization,"
    "   case_rounds.*, case_rounds.decided_at - case_rounds.started_at"
    "     - case_rounds.paused_seconds AS to_decision"
    "   FROM case_facts"
    "   JOIN case_rounds ON case_rounds.case_id = case_facts.case_id AND case_rounds.round ="
    "     (SELECT MAX(round) FROM case_rounds AS latest WHERE latest.case_id = case_facts.case_id)"
    "   JOIN case_reporters ON case_reporters.case_id = case_facts.case_id"
    "   WHERE case_facts.reported_at >= ? AND case_facts.reported_at < ?)"
)

# How each table of the quality keys those rows (an organization counts a case once).
_KEYS = {
    "organization": "SELECT DISTINCT organization AS key, case_id, decision, reason_code,"
    " to_decision FROM finals",
    "reporter": "SELECT reporter_id AS key, case_id, decision, reason_code, to_decision"
    " FROM finals",
}


def _table(
    db: sqlite3.Connection, period: Period, keyed: str, names: dict[str, tuple[str, str]]
) -> list[FlaggerQuality]:
    """One line per key; `names` gives a key's (name, organization)."""
    params = [period.start, period.end]
    source = f"{_FINALS} {_KEYS[keyed]}"
    counted = db.execute(
        f"SELECT key, COUNT(*), COUNT(decision), SUM(decision = 'taken_down'),"
        f" SUM(decision = 'dismissed') FROM ({source}) GROUP BY key ORDER BY 2 DESC, 1",
        params,
    ).fetchall()
    reasons: dict[str, dict[str | None, int]] = {}
    for key, reason, count in db.execute(
        f"SELECT key, reason_code, COUNT(*) FROM ({source}) WHERE decision = 'dismissed'"
        " GROUP BY 1, 2 ORDER BY 3 DESC, 2",
        params,
    ):
        reasons.setdefault(str(key), {})[reason] = int(count)
    (timed,) = spreads(db, "", source, params, ["to_decision"])
    lines: list[FlaggerQuality] = []
    for key, reports, decided, taken, dismissed in counted:
        name, organization = names.get(str(key), (str(key), str(key)))
        lines.append(
            FlaggerQuality(
                key=name,
                organization=organization,
                reports=int(reports),
                decided=int(decided),
                taken_down=int(taken or 0),
                dismissed=int(dismissed or 0),
                dismissed_by_reason=reasons.get(str(key), {}),
                to_decision=timed.get(str(key), Spread()),
            )
        )
    return lines


def flagger_quality(db: sqlite3.Connection, period: Period) -> Quality:
    """Per organization and per reporter: reports, shares taken down and dismissed (by reason),
    median time to decision."""
    reporters = {
        str(reporter_id): (str(name), str(organization))
        for reporter_id, name, organization in db.execute(
            "SELECT reporter_id, reporter_name, organization FROM case_reporters"
            " WHERE rowid IN (SELECT MAX(rowid) FROM case_reporters GROUP BY reporter_id)"
        )
    }
    return Quality(
        period,
        by_organization=_table(db, period, "organization", {}),
        by_reporter=_table(db, period, "reporter", reporters),
    )
