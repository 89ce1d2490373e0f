"""What retention removes and erases, in SQL: processed raw updates, finished sends, content that
never became a case, and the content of decided cases (their facts stay in case_facts,
case_rounds and case_reporters, which nothing here touches).

Each method does one bounded batch, so a purge is many short transactions and the desk keeps
working between them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.vocabulary import EventKind, ItemState, OutboxState, ReportStatus
from bot.store.rows import Repository

# Event kinds whose detail is text someone typed (or a reason label chosen for a decision).
ERASABLE_EVENTS = (
    EventKind.NOTE,
    EventKind.ASKED,
    EventKind.ANSWERED,
    EventKind.ESCALATED,
    EventKind.TAKEN_DOWN,
    EventKind.DISMISSED,
)
DECIDED = ("taken_down", "dismissed")
TYPED_REASON = "text:%"
_KINDS = ",".join(f"'{kind.value}'" for kind in ERASABLE_EVENTS)
_DECIDED = ",".join(f"'{state}'" for state in DECIDED)
_UNFILED = f"""
    items.received_at < ? AND (
        (items.report_id IS NULL
            AND items.state IN ('{ItemState.CANCELLED}', '{ItemState.EXPIRED}'))
        OR items.report_id IN (
            SELECT id FROM reports WHERE case_id IS NULL AND status = '{ReportStatus.EXPIRED}'
        )
    )"""
# A decided case whose content is still there: the cases retention erases.
_CONTENT_LEFT = f"""
    cases.state IN ({_DECIDED}) AND cases.decided_at < ? AND (
        EXISTS (SELECT 1 FROM items JOIN reports ON items.report_id = reports.id
                WHERE reports.case_id = cases.id AND items.erased_at IS NULL)
        OR EXISTS (SELECT 1 FROM reports WHERE reports.case_id = cases.id AND reports.note != '')
        OR EXISTS (SELECT 1 FROM events WHERE events.case_id = cases.id
                   AND events.kind IN ({_KINDS}) AND events.detail IS NOT NULL)
        OR cases.decision_reason LIKE '{TYPED_REASON}'
    )"""


@dataclass
class Erased:
    """What erasing decided cases removed (or, in a dry run, would remove)."""

    cases: int = 0
    items: int = 0
    notes: int = 0
    event_texts: int = 0
    typed_reasons: int = 0

    def add(self, other: Erased) -> None:
        self.cases += other.cases
        self.items += other.items
        self.notes += other.notes
        self.event_texts += other.event_texts
        self.typed_reasons += other.typed_reasons


class Retention(Repository):
    # --- raw updates and sends ----------------------------------------------------------------

    async def processed_updates(self, cutoff: float) -> int:
        return await self._count(
            "SELECT COUNT(*) FROM inbox WHERE processed_at IS NOT NULL AND processed_at < ?",
            (cutoff,),
        )

    async def remove_processed_updates(self, cutoff: float, limit: int) -> int:
        return await self._changed(
            "DELETE FROM inbox WHERE id IN (SELECT id FROM inbox WHERE processed_at IS NOT NULL"
            " AND processed_at < ? LIMIT ?)",
            (cutoff, limit),
        )

    async def finished_sends(self, cutoff: float) -> int:
        return await self._count(
            "SELECT COUNT(*) FROM outbox WHERE state != ? AND finished_at < ?",
            (OutboxState.PENDING, cutoff),
        )

    async def remove_finished_sends(self, cutoff: float, limit: int) -> int:
        return await self._changed(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state != ?"
            " AND finished_at < ? LIMIT ?)",
            (OutboxState.PENDING, cutoff, limit),
        )

    # --- content that never became a case -----------------------------------------------------

    async def unfiled_items(self, cutoff: float) -> int:
        return await self._count(f"SELECT COUNT(*) FROM items WHERE {_UNFILED}", (cutoff,))

    async def remove_unfiled(self, cutoff: float, limit: int) -> int:
        """Items of cancelled or expired drafts and of reports that never got a category; the
        notes of those reports too."""
        removed = await self._changed(
            f"DELETE FROM items WHERE id IN (SELECT id FROM items WHERE {_UNFILED} LIMIT ?)",
            (cutoff, limit),
        )
        await self.db.execute(
            "UPDATE reports SET note = '' WHERE case_id IS NULL AND status = ?"
            " AND created_at < ? AND note != ''",
            (ReportStatus.EXPIRED, cutoff),
        )
        return removed

    # --- decided cases ------------------------------------------------------------------------

    async def cases_to_erase(self, cutoff: float, limit: int) -> list[int]:
        rows = await self._all(
            f"SELECT id FROM cases WHERE {_CONTENT_LEFT} ORDER BY id LIMIT ?",
            (cutoff, limit),
        )
        return [int(row["id"]) for row in rows]

    async def content_of(self, case_ids: list[int]) -> Erased:
        """What erasing these cases would remove."""
        found = Erased(cases=len(case_ids))
        for case_id in case_ids:
            found.add(await self._content_of(case_id))
        return found

    async def _content_of(self, case_id: int) -> Erased:
        row = await self._one(
            f"""SELECT
                (SELECT COUNT(*) FROM items JOIN reports ON items.report_id = reports.id
                 WHERE reports.case_id = ? AND items.erased_at IS NULL) AS items,
                (SELECT COUNT(*) FROM reports WHERE case_id = ? AND note != '') AS notes,
                (SELECT COUNT(*) FROM events WHERE case_id = ? AND kind IN ({_KINDS})
                 AND detail IS NOT NULL) AS event_texts,
                (SELECT COUNT(*) FROM cases WHERE id = ?
                 AND decision_reason LIKE '{TYPED_REASON}') AS typed_reasons""",
            (case_id,) * 4,
        )
        assert row is not None
        return Erased(0, row["items"], row["notes"], row["event_texts"], row["typed_reasons"])

    async def erase_case(self, case_id: int) -> Erased:
        """Erase a decided case's content, recorded first as an `erased` event of its own (the
        event log's guard allows exactly this erasure, and only after that event)."""
        erased = await self._content_of(case_id)
        erased.cases = 1
        now = self.clock()
        await self.db.execute(
            "INSERT INTO events (case_id, at, kind) VALUES (?,?,?)",
            (case_id, now, EventKind.ERASED),
        )
        await self.db.execute(
            "UPDATE items SET text = NULL, file_id = NULL, file_unique_id = NULL, erased_at = ?"
            " WHERE erased_at IS NULL AND report_id IN (SELECT id FROM reports WHERE case_id = ?)",
            (now, case_id),
        )
        await self.db.execute(
            "UPDATE reports SET note = '' WHERE case_id = ? AND note != ''", (case_id,)
        )
        await self.db.execute(
            f"UPDATE events SET detail = NULL WHERE case_id = ? AND kind IN ({_KINDS})"
            " AND detail IS NOT NULL",
            (case_id,),
        )
        await self.db.execute(
            "UPDATE cases SET decision_reason = NULL WHERE id = ? AND decision_reason LIKE ?",
            (case_id, TYPED_REASON),
        )
        return erased

    # --- the file ---------------------------------------------------------------------------

    async def compact(self) -> bool:
        """Give freed pages back to the file system; True when this was the one-time full VACUUM
        a database created before incremental vacuum needs (outside any transaction)."""
        mode = await self._count("PRAGMA auto_vacuum")
        full = mode != 2
        if full:
            await self.db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            await self.db.execute("VACUUM")
        else:
            await self.db.execute("PRAGMA incremental_vacuum")
        # What was erased may still sit in the write-ahead log's old frames: empty it.
        await self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return full

    async def _count(self, sql: str, params: tuple[object, ...] = ()) -> int:
        async with self.db.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0
