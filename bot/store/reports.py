"""Reports: one /report (or /add, or an answer) and the items it took out of a draft."""

from __future__ import annotations

from bot.domain.models import Report
from bot.domain.vocabulary import SHOWN_ON_CARD, ReportStatus
from bot.store.rows import Repository, marks


class Reports(Repository):
    async def insert(
        self,
        *,
        case_id: int | None,
        reporter_id: int,
        reporter_name: str,
        organization: str,
        chat_id: int,
        command_message_id: int,
        category: str | None,
        note: str,
        status: ReportStatus,
    ) -> int:
        return await self._insert(
            "INSERT INTO reports (case_id, reporter_id, reporter_name, organization, chat_id,"
            " command_message_id, category, note, status, created_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                case_id,
                reporter_id,
                reporter_name,
                organization,
                chat_id,
                command_message_id,
                category,
                note,
                status,
                self.clock(),
            ),
        )

    async def get(self, report_id: int) -> Report | None:
        return await self._record(Report, "SELECT * FROM reports WHERE id=?", (report_id,))

    async def by_command(self, chat_id: int, command_message_id: int) -> Report | None:
        """The report a command message made (commands are deduplicated by their message)."""
        return await self._record(
            Report,
            "SELECT * FROM reports WHERE chat_id=? AND command_message_id=?",
            (chat_id, command_message_id),
        )

    async def set_case(self, report_id: int, case_id: int, status: ReportStatus) -> None:
        await self.db.execute(
            "UPDATE reports SET case_id=?, status=? WHERE id=?", (case_id, status, report_id)
        )
        await self.db.execute("UPDATE items SET case_id=? WHERE report_id=?", (case_id, report_id))

    async def set_category(self, report_id: int, category: str) -> None:
        await self.db.execute("UPDATE reports SET category=? WHERE id=?", (category, report_id))

    async def set_status(self, report_id: int, status: ReportStatus) -> None:
        await self.db.execute("UPDATE reports SET status=? WHERE id=?", (status, report_id))

    async def shown_on_card(self, case_id: int) -> list[Report]:
        """The reports whose reporters and notes the case's card shows."""
        statuses = list(SHOWN_ON_CARD)
        return await self._records(
            Report,
            f"SELECT * FROM reports WHERE case_id=? AND status IN ({marks(statuses)}) ORDER BY id",
            (case_id, *statuses),
        )

    async def reporter_ids(self, case_id: int) -> list[int]:
        """Everyone who reported the case, in the order they first did."""
        rows = await self._all(
            "SELECT reporter_id, MIN(id) AS first FROM reports WHERE case_id=?"
            " GROUP BY reporter_id ORDER BY first",
            (case_id,),
        )
        return [r["reporter_id"] for r in rows]

    async def filed_since(self, reporter_id: int, since: float) -> tuple[int, float | None]:
        """How many reports the reporter made since `since` (answers to questions aside), and
        when the oldest of them was."""
        row = await self._one(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM reports"
            " WHERE reporter_id=? AND created_at>=? AND status != ?",
            (reporter_id, since, ReportStatus.ANSWER),
        )
        if row is None:
            return 0, None
        return int(row["n"]), (float(row["oldest"]) if row["oldest"] is not None else None)
