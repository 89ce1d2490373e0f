"""Cases: one per reported content, with its state changed only by compare-and-set."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.domain.models import UNDECIDED, Case, State
from bot.store.rows import Repository, marks

_UNDECIDED = [state.value for state in UNDECIDED]


class Cases(Repository):
    async def insert(self, category: str, priority: int) -> int:
        now = self.clock()
        return await self._insert(
            "INSERT INTO cases (category, priority, state, created_at, clock_start)"
            " VALUES (?,?,?,?,?)",
            (category, priority, State.NEW, now, now),
        )

    async def get(self, case_id: int) -> Case | None:
        return await self._record(Case, "SELECT * FROM cases WHERE id=?", (case_id,))

    async def update_if(self, case_id: int, expected: Iterable[State], **changes: Any) -> bool:
        """Compare and set: apply `changes` only while the case is in one of `expected` states."""
        states = [s.value for s in expected]
        columns = ", ".join(f"{name}=?" for name in changes)
        changed = await self._changed(
            f"UPDATE cases SET {columns} WHERE id=? AND state IN ({marks(states)})",
            (*changes.values(), case_id, *states),
        )
        return changed == 1

    async def change_holder(
        self,
        case_id: int,
        expected: Iterable[State],
        holder: int | None,
        new_holder: int | None,
        new_holder_name: str | None,
    ) -> bool:
        """Compare and set the claim: it changes hands only from the holder the caller saw
        (`holder`, None for nobody), while the case is in one of `expected` states."""
        states = [s.value for s in expected]
        changed = await self._changed(
            "UPDATE cases SET claimed_by=?, claimed_by_name=?"
            f" WHERE id=? AND claimed_by IS ? AND state IN ({marks(states)})",
            (new_holder, new_holder_name, case_id, holder, *states),
        )
        return changed == 1

    async def mark_first_action(self, case_id: int) -> None:
        await self.db.execute(
            "UPDATE cases SET first_action_at=? WHERE id=? AND first_action_at IS NULL",
            (self.clock(), case_id),
        )

    async def oldest_undecided_with(self, identities: Iterable[str]) -> Case | None:
        """The oldest undecided case holding any item of these identities."""
        keys = sorted(set(identities))
        if not keys:
            return None
        return await self._record(
            Case,
            "SELECT cases.* FROM cases JOIN reports ON reports.case_id = cases.id"
            " JOIN items ON items.report_id = reports.id"
            f" WHERE items.identity IN ({marks(keys)}) AND cases.state IN ({marks(_UNDECIDED)})"
            " ORDER BY cases.id LIMIT 1",
            (*keys, *_UNDECIDED),
        )

    async def earlier(self, case_id: int, limit: int = 5) -> list[Case]:
        """Older cases whose content came from the same channel, chat, user or hidden name."""
        return await self._records(
            Case,
            "SELECT DISTINCT cases.* FROM cases"
            " JOIN reports ON reports.case_id = cases.id"
            " JOIN items ON items.report_id = reports.id"
            " WHERE cases.id < ? AND items.source IN ("
            "   SELECT items.source FROM items JOIN reports ON items.report_id = reports.id"
            "   WHERE reports.case_id = ? AND items.source IS NOT NULL)"
            " ORDER BY cases.id DESC LIMIT ?",
            (case_id, case_id, limit),
        )

    async def same_content(self, case_id: int, limit: int = 5) -> list[Case]:
        """Older cases holding any of this case's items (the same post, the same forwarded
        message): a decided one tells what became of this very content before."""
        return await self._records(
            Case,
            "SELECT DISTINCT cases.* FROM cases"
            " JOIN reports ON reports.case_id = cases.id"
            " JOIN items ON items.report_id = reports.id"
            " WHERE cases.id < ? AND items.identity IN ("
            "   SELECT items.identity FROM items JOIN reports ON items.report_id = reports.id"
            "   WHERE reports.case_id = ?)"
            " ORDER BY cases.id DESC LIMIT ?",
            (case_id, case_id, limit),
        )

    async def undecided(self, limit: int = 50) -> list[Case]:
        """Undecided cases, most urgent and oldest first."""
        return await self._records(
            Case,
            f"SELECT * FROM cases WHERE state IN ({marks(_UNDECIDED)})"
            " ORDER BY priority, clock_start, id LIMIT ?",
            (*_UNDECIDED, limit),
        )

    async def of_reporter(self, reporter_id: int, limit: int = 10) -> list[Case]:
        """A reporter's most recent cases."""
        return await self._records(
            Case,
            "SELECT DISTINCT cases.* FROM cases JOIN reports ON reports.case_id = cases.id"
            " WHERE reports.reporter_id=? ORDER BY cases.id DESC LIMIT ?",
            (reporter_id, limit),
        )

    async def reported_by(self, reporter_id: int, case_id: int) -> Case | None:
        """The case, if this reporter reported it; reporters never see other cases."""
        return await self._record(
            Case,
            "SELECT cases.* FROM cases WHERE id=? AND EXISTS (SELECT 1 FROM reports"
            " WHERE reports.case_id=cases.id AND reports.reporter_id=?)",
            (case_id, reporter_id),
        )
