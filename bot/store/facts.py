"""The facts of each case, written as things happen: its timeline in rounds and its reporters.

Retention erases content, never these rows; statistics, exports and reports read only them (and
a case's current state).
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.models import Case, Report
from bot.domain.timeline import CaseFacts, CaseReporter, Round, Timeline
from bot.domain.vocabulary import EventKind
from bot.store.rows import Repository, marks

_CURRENT_ROUND = "(SELECT MAX(round) FROM case_rounds AS latest WHERE latest.case_id = ?)"


class Facts(Repository):
    async def opened(self, case_id: int, category: str, priority: int, report: Report) -> None:
        """A report opened the case: its first round starts now."""
        now = self.clock()
        await self.db.execute(
            "INSERT INTO case_facts (case_id, reported_at, category, priority) VALUES (?,?,?,?)",
            (case_id, now, category, priority),
        )
        await self.db.execute(
            "INSERT INTO case_rounds (case_id, round, started_at) VALUES (?, 0, ?)",
            (case_id, now),
        )
        await self.joined(case_id, report)

    async def joined(self, case_id: int, report: Report) -> None:
        """The report's reporter (with their organization then) is on the case."""
        await self.db.execute(
            "INSERT OR IGNORE INTO case_reporters"
            " (case_id, reporter_id, reporter_name, organization, reported_at)"
            " VALUES (?,?,?,?,?)",
            (
                case_id,
                report.reporter_id,
                report.reporter_name,
                report.organization,
                report.created_at,
            ),
        )

    async def recategorized(self, case_id: int, category: str, priority: int) -> None:
        """A more urgent report joined: the case counts under its category from now on."""
        await self.db.execute(
            "UPDATE case_facts SET category=?, priority=? WHERE case_id=?",
            (category, priority, case_id),
        )

    async def seen(self, case_ids: Iterable[int]) -> None:
        """A card or a digest line showing these cases reached moderator space."""
        ids = sorted(set(case_ids))
        if not ids:
            return
        await self.db.execute(
            f"UPDATE case_facts SET first_visible_at=? WHERE case_id IN ({marks(ids)})"
            " AND first_visible_at IS NULL",
            (self.clock(), *ids),
        )

    async def acted(self, case_id: int, kind: EventKind, actor_id: int, actor_name: str) -> None:
        """A moderator acted: the first action of the current round, if it had none."""
        await self.db.execute(
            "UPDATE case_rounds SET first_action_at=?, first_action=?, first_action_by=?,"
            f" first_action_by_name=? WHERE case_id=? AND round={_CURRENT_ROUND}"
            " AND first_action_at IS NULL",
            (self.clock(), kind, actor_id, actor_name, case_id, case_id),
        )

    async def decided(self, case: Case, reason_code: str | None) -> None:
        """The case (as just decided) ends its current round; `reason_code` is None for a
        typed reason."""
        await self.db.execute(
            "UPDATE case_rounds SET decided_at=?, decision=?, reason_code=?, decided_by=?,"
            f" decided_by_name=?, paused_seconds=? WHERE case_id=? AND round={_CURRENT_ROUND}",
            (
                case.decided_at,
                case.state,
                reason_code,
                case.decided_by,
                case.decided_by_name,
                case.paused_seconds,
                case.id,
                case.id,
            ),
        )

    async def reopened(self, case_id: int, actor_id: int, actor_name: str) -> None:
        """A new round starts now."""
        await self.db.execute(
            "INSERT INTO case_rounds (case_id, round, started_at, reopened_by, reopened_by_name)"
            " SELECT ?, COALESCE(MAX(round) + 1, 0), ?, ?, ? FROM case_rounds WHERE case_id=?",
            (case_id, self.clock(), actor_id, actor_name, case_id),
        )

    async def timeline(self, case_id: int) -> Timeline | None:
        facts = await self._record(
            CaseFacts, "SELECT * FROM case_facts WHERE case_id=?", (case_id,)
        )
        if facts is None:
            return None
        return Timeline(
            facts=facts,
            rounds=await self._records(
                Round, "SELECT * FROM case_rounds WHERE case_id=? ORDER BY round", (case_id,)
            ),
            reporters=await self._records(
                CaseReporter,
                "SELECT * FROM case_reporters WHERE case_id=? ORDER BY reported_at, reporter_id",
                (case_id,),
            ),
        )
