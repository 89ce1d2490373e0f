"""Items: the messages reporters sent the bot, in drafts and then in reports."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict

from bot.domain.identity import source_key
from bot.domain.models import IncomingItem, Item
from bot.domain.vocabulary import ItemState, ReportStatus
from bot.store.rows import Repository, marks


class Items(Repository):
    async def add(self, item: IncomingItem) -> bool:
        """Store a message a reporter sent; False when that message was already stored."""
        changed = await self._changed(
            "INSERT OR IGNORE INTO items (chat_id, message_id, reporter_id, kind, identity, origin,"
            " text, file_id, file_unique_id, media_group_id, received_at, source, entities)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                item.chat_id,
                item.message_id,
                item.reporter_id,
                item.kind,
                item.identity,
                json.dumps(asdict(item.origin)),
                item.text,
                item.file_id,
                item.file_unique_id,
                item.media_group_id,
                self.clock(),
                source_key(item.origin),
                item.entities,
            ),
        )
        return changed == 1

    async def draft(self, reporter_id: int) -> list[Item]:
        return await self._records(
            Item,
            "SELECT * FROM items WHERE reporter_id=? AND state=? ORDER BY message_id",
            (reporter_id, ItemState.DRAFT),
        )

    async def draft_count(self, reporter_id: int) -> int:
        row = await self._one(
            "SELECT COUNT(*) AS n FROM items WHERE reporter_id=? AND state=?",
            (reporter_id, ItemState.DRAFT),
        )
        return int(row["n"]) if row else 0

    async def discard_draft(self, reporter_id: int, state: ItemState) -> int:
        """Empty the reporter's draft, marking its items `state`; how many there were."""
        return await self._changed(
            "UPDATE items SET state=? WHERE reporter_id=? AND state=?",
            (state, reporter_id, ItemState.DRAFT),
        )

    async def by_message(self, chat_id: int, message_id: int) -> Item | None:
        return await self._record(
            Item, "SELECT * FROM items WHERE chat_id=? AND message_id=?", (chat_id, message_id)
        )

    async def album(self, chat_id: int, media_group_id: str) -> list[Item]:
        return await self._records(
            Item,
            "SELECT * FROM items WHERE chat_id=? AND media_group_id=? ORDER BY message_id",
            (chat_id, media_group_id),
        )

    async def report_of_album(self, chat_id: int, media_group_id: str) -> int | None:
        """The report an album was filed in, if any of its items was."""
        row = await self._one(
            "SELECT report_id FROM items WHERE chat_id=? AND media_group_id=?"
            " AND report_id IS NOT NULL ORDER BY id LIMIT 1",
            (chat_id, media_group_id),
        )
        return int(row["report_id"]) if row else None

    async def attach(self, report_id: int, item_ids: Iterable[int]) -> None:
        ids = list(item_ids)
        await self.db.execute(
            "UPDATE items SET report_id=?, state=?,"
            " case_id=(SELECT case_id FROM reports WHERE id=?)"
            f" WHERE id IN ({marks(ids)})",
            (report_id, ItemState.REPORTED, report_id, *ids),
        )

    async def of_report(self, report_id: int) -> list[Item]:
        return await self._records(
            Item, "SELECT * FROM items WHERE report_id=? ORDER BY message_id", (report_id,)
        )

    async def of_case(self, case_id: int) -> list[Item]:
        return await self._records(
            Item,
            "SELECT * FROM items WHERE case_id=? ORDER BY report_id, message_id",
            (case_id,),
        )

    async def evidence_waiting(self, case_id: int, chat_id: int) -> list[Item]:
        """The case's items not yet queued as evidence in the chat, each distinct content once,
        in the order they were reported (erased content has nothing left to copy)."""
        items = await self._records(
            Item,
            "SELECT items.* FROM items JOIN reports ON items.report_id = reports.id"
            " WHERE items.case_id=? AND reports.status != ? AND items.erased_at IS NULL"
            " AND items.identity NOT IN ("
            "   SELECT identity FROM evidence_queued WHERE chat_id=? AND case_id=?)"
            " ORDER BY reports.id, items.message_id",
            (case_id, ReportStatus.REPEAT, chat_id, case_id),
        )
        seen: set[str] = set()
        distinct = []
        for item in items:
            if item.identity not in seen:
                seen.add(item.identity)
                distinct.append(item)
        return distinct

    async def mark_queued(self, case_id: int, chat_id: int, identities: Iterable[str]) -> None:
        await self.db.executemany(
            "INSERT OR IGNORE INTO evidence_queued (chat_id, case_id, identity) VALUES (?,?,?)",
            [(chat_id, case_id, identity) for identity in identities],
        )

    async def forget_queued(self, case_id: int, chat_id: int) -> None:
        """A fresh card in the chat: its evidence is counted from nothing again."""
        await self.db.execute(
            "DELETE FROM evidence_queued WHERE chat_id=? AND case_id=?", (chat_id, case_id)
        )

    async def evidence_counts(self, case_id: int, chat_id: int) -> tuple[int, int]:
        """(distinct items the case has, how many of them are queued in the chat)."""
        row = await self._one(
            "SELECT (SELECT COUNT(DISTINCT items.identity) FROM items"
            "        JOIN reports ON items.report_id = reports.id"
            "        WHERE items.case_id=? AND reports.status != ?"
            "        AND items.erased_at IS NULL) AS total,"
            " (SELECT COUNT(*) FROM evidence_queued WHERE chat_id=? AND case_id=?) AS queued",
            (case_id, ReportStatus.REPEAT, chat_id, case_id),
        )
        return (int(row["total"]), int(row["queued"])) if row else (0, 0)
