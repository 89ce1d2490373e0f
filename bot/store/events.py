"""The event log: every change to a case, append-only (the schema refuses updates and deletes)."""

from __future__ import annotations

from bot.domain.models import Event
from bot.domain.vocabulary import EventKind
from bot.store.rows import Repository


class Events(Repository):
    async def add(
        self,
        case_id: int,
        kind: EventKind,
        *,
        actor_id: int | None = None,
        actor_name: str | None = None,
        detail: str | None = None,
    ) -> None:
        await self.db.execute(
            "INSERT INTO events (case_id, at, actor_id, actor_name, kind, detail)"
            " VALUES (?,?,?,?,?,?)",
            (case_id, self.clock(), actor_id, actor_name, kind, detail),
        )

    async def add_many(self, kind: EventKind, details: list[tuple[int, str]]) -> None:
        """Events of one kind for many cases (case id, detail), with no actor."""
        now = self.clock()
        await self.db.executemany(
            "INSERT INTO events (case_id, at, kind, detail) VALUES (?,?,?,?)",
            [(case_id, now, kind, detail) for case_id, detail in details],
        )

    async def of_case(self, case_id: int) -> list[Event]:
        return await self._records(
            Event, "SELECT * FROM events WHERE case_id=? ORDER BY id", (case_id,)
        )

    async def overdue_since(self, case_id: int, since: float) -> list[str]:
        """What the case passed its targets on since `since` (its clock start)."""
        rows = await self._all(
            "SELECT detail FROM events WHERE case_id=? AND kind=? AND at>=? ORDER BY id",
            (case_id, EventKind.OVERDUE, since),
        )
        return [str(r["detail"]) for r in rows]
