"""Cases: one per reported content, with its state changed only by compare-and-set."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.domain.models import UNDECIDED, Case, State
from bot.store.rows import CHUNK, Repository, marks

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

    async def many(self, case_ids: Iterable[int]) -> list[Case]:
        ids = sorted(set(case_ids))
        found: list[Case] = []
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            found += await self._records(
                Case, f"SELECT * FROM cases WHERE id IN ({marks(chunk)})", chunk
            )
        return found

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
            "SELECT * FROM cases WHERE id IN ("
            f"   SELECT case_id FROM items WHERE identity IN ({marks(keys)}))"
            f" AND state IN ({marks(_UNDECIDED)}) ORDER BY id LIMIT 1",
            (*keys, *_UNDECIDED),
        )

    async def earlier(self, case_id: int, limit: int = 5) -> list[Case]:
        """Older cases whose content came from the same channel, chat, user or hidden name."""
        sources = await self._all(
            "SELECT DISTINCT source FROM items WHERE case_id=? AND source IS NOT NULL", (case_id,)
        )
        return await self._newest_before(
            case_id, "source", [row["source"] for row in sources], limit
        )

    async def same_content(self, case_id: int, limit: int = 5) -> list[Case]:
        """Older cases holding any of this case's items (the same post, the same forwarded
        message): a decided one tells what became of this very content before."""
        identities = await self._all(
            "SELECT DISTINCT identity FROM items WHERE case_id=?", (case_id,)
        )
        return await self._newest_before(
            case_id, "identity", [row["identity"] for row in identities], limit
        )

    async def _newest_before(
        self, case_id: int, column: str, values: list[str], limit: int
    ) -> list[Case]:
        """The newest cases before `case_id` with items whose `column` is one of `values`: one
        short index range per value, however often that value was reported."""
        found: set[int] = set()
        for value in values:
            rows = await self._all(
                f"SELECT DISTINCT case_id FROM items WHERE {column}=? AND case_id<?"
                " ORDER BY case_id DESC LIMIT ?",
                (value, case_id, limit),
            )
            found.update(int(row["case_id"]) for row in rows)
        newest = sorted(found, reverse=True)[:limit]
        if not newest:
            return []
        return await self._records(
            Case,
            f"SELECT * FROM cases WHERE id IN ({marks(newest)}) ORDER BY id DESC",
            newest,
        )

    async def undecided(self, limit: int = 50) -> list[Case]:
        """Undecided cases, most urgent and oldest first."""
        # The states are written out so that the partial index cases_undecided serves the order.
        return await self._records(
            Case,
            "SELECT * FROM cases WHERE state IN ('new', 'escalated', 'waiting')"
            " ORDER BY priority, clock_start, id LIMIT ?",
            (limit,),
        )

    async def of_reporter(self, reporter_id: int, limit: int = 10) -> list[Case]:
        """A reporter's most recent cases."""
        return await self._records(
            Case,
            "SELECT * FROM cases WHERE id IN ("
            "   SELECT DISTINCT case_id FROM reports WHERE reporter_id=? AND case_id IS NOT NULL"
            "   ORDER BY case_id DESC LIMIT ?)"
            " ORDER BY id DESC",
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
