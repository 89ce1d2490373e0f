"""The outbox: what transactions decided to send, waiting for the worker, by priority then age."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from bot.domain.models import Case, OutboxItem
from bot.domain.vocabulary import OutboxKind, OutboxState
from bot.store.rows import CHUNK, Repository, marks

_PENDING = OutboxState.PENDING


class Outbox(Repository):
    written = False  # set when this transaction enqueued something, so the worker wakes

    async def enqueue(
        self,
        chat_id: int,
        kind: OutboxKind,
        payload: dict[str, Any],
        *,
        priority: int,
        case_id: int | None = None,
        fair_key: str | None = None,
    ) -> int:
        """Queue a send. Rows with a `fair_key` (who they are on behalf of) take turns with other
        keys at the same priority: each gets the next turn after that key's rows still waiting,
        so one sender's backlog never goes ahead of another sender's first row."""
        self.written = True
        turn = 0
        if fair_key is not None:
            row = await self._one(
                "SELECT MAX(turn) AS last FROM outbox WHERE fair_key=? AND state=? AND priority=?",
                (fair_key, _PENDING, priority),
            )
            turn = 0 if row is None or row["last"] is None else int(row["last"]) + 1
        return await self._insert(
            "INSERT INTO outbox (chat_id, priority, kind, payload, case_id, created_at, fair_key,"
            " turn) VALUES (?,?,?,?,?,?,?,?)",
            (chat_id, priority, kind, json.dumps(payload), case_id, self.clock(), fair_key, turn),
        )

    async def pending_exists(
        self, kind: OutboxKind, chat_id: int, case_id: int, *, before_id: int | None = None
    ) -> bool:
        sql = "SELECT 1 FROM outbox WHERE state=? AND kind=? AND chat_id=? AND case_id=?"
        params: list[Any] = [_PENDING, kind, chat_id, case_id]
        if before_id is not None:
            sql += " AND id<?"
            params.append(before_id)
        return await self._one(sql, params) is not None

    async def raise_pending_priority(
        self, kind: OutboxKind, chat_id: int, case_id: int, priority: int
    ) -> bool:
        """If such a row is pending, make it at least this urgent; False if none is pending."""
        if not await self.pending_exists(kind, chat_id, case_id):
            return False
        await self.db.execute(
            "UPDATE outbox SET priority=MIN(priority, ?) WHERE state=? AND kind=?"
            " AND chat_id=? AND case_id=?",
            (priority, _PENDING, kind, chat_id, case_id),
        )
        self.written = True  # a row that waited may now go first: the worker must look again
        return True

    async def queue_card_edits(self, cards: list[tuple[int, int]], priority: int) -> None:
        """One pending edit per (case, chat) card, at least this urgent, in a few statements."""
        if not cards:
            return
        pending: set[tuple[int, int]] = set()
        case_ids = sorted({case_id for case_id, _ in cards})
        for start in range(0, len(case_ids), CHUNK):
            chunk = case_ids[start : start + CHUNK]
            rows = await self._all(
                f"SELECT case_id, chat_id FROM outbox WHERE case_id IN ({marks(chunk)})"
                " AND state=? AND kind=?",
                (*chunk, _PENDING, OutboxKind.CARD_EDIT),
            )
            pending.update((int(r["case_id"]), int(r["chat_id"])) for r in rows)
        await self.db.executemany(
            "UPDATE outbox SET priority=MIN(priority, ?)"
            " WHERE state=? AND kind=? AND case_id=? AND chat_id=?",
            [(priority, _PENDING, OutboxKind.CARD_EDIT, c, chat) for c, chat in pending],
        )
        now = self.clock()
        await self.db.executemany(
            "INSERT INTO outbox (chat_id, priority, kind, payload, case_id, created_at)"
            " VALUES (?,?,?,?,?,?)",
            [
                (chat, priority, OutboxKind.CARD_EDIT, "{}", case_id, now)
                for case_id, chat in sorted(set(cards))
                if (case_id, chat) not in pending
            ],
        )
        self.written = True

    async def promote_pending_card(self, case_id: int, chat_id: int, priority: int) -> bool:
        """Move a still-queued card up; False if none is queued."""
        if not await self.pending_exists(OutboxKind.CARD, chat_id, case_id):
            return False
        changed = await self._changed(
            "UPDATE outbox SET priority=MIN(priority, ?) WHERE state=? AND case_id=?"
            " AND chat_id=? AND kind=?",
            (priority, _PENDING, case_id, chat_id, OutboxKind.CARD),
        )
        self.written = self.written or changed > 0
        return changed > 0

    async def undigested_cards(self, chat_id: int, priority: int, limit: int) -> list[Case]:
        """Cases whose new card still waits at `priority`: most urgent category first, then
        taking turns between reporters, then oldest."""
        return await self._records(
            Case,
            "SELECT cases.* FROM outbox JOIN cases ON cases.id = outbox.case_id"
            " WHERE outbox.state=? AND outbox.chat_id=? AND outbox.priority=? AND outbox.kind=?"
            " ORDER BY cases.priority, outbox.turn, outbox.id LIMIT ?",
            (_PENDING, chat_id, priority, OutboxKind.CARD, limit),
        )

    async def waiting_cards(self, chat_id: int, priority: int) -> int:
        """How many new cards wait at `priority` in the chat."""
        row = await self._one(
            "SELECT COUNT(*) AS n FROM outbox"
            " WHERE state=? AND chat_id=? AND priority=? AND kind=?",
            (_PENDING, chat_id, priority, OutboxKind.CARD),
        )
        return int(row["n"]) if row else 0

    async def move_to_backlog(self, chat_id: int, cases: Iterable[Case], base: int) -> None:
        """A digest lists these cases: their cards wait behind newer cases (their evidence
        waits behind every card anyway)."""
        await self.db.executemany(
            "UPDATE outbox SET priority=? WHERE state=? AND chat_id=? AND case_id=? AND kind=?",
            [(base + case.priority, _PENDING, chat_id, case.id, OutboxKind.CARD) for case in cases],
        )

    async def move_chat(self, old_chat: int, new_chat: int) -> None:
        """What waits for one chat goes to another (the moderator group moved)."""
        await self.db.execute(
            "UPDATE outbox SET chat_id=? WHERE chat_id=? AND state=?",
            (new_chat, old_chat, _PENDING),
        )
        self.written = True

    async def pending(
        self, limit: int = 200, after: tuple[int, int, int] | None = None
    ) -> list[OutboxItem]:
        """Sendable rows by priority, then turn, then age; `after` (priority, turn, id) continues
        a page."""
        priority, turn, last_id = after if after is not None else (-1, 0, 0)
        return await self._records(
            OutboxItem,
            "SELECT * FROM outbox WHERE state=?"
            " AND (priority, turn, id) > (?, ?, ?)"
            " ORDER BY priority, turn, id LIMIT ?",
            (_PENDING, priority, turn, last_id, limit),
        )

    async def heads(self) -> list[OutboxItem]:
        """The next row of every chat that has rows waiting, in sending order: a chat sends its
        rows in order, so only its first row can go now (read from an index, not the queue)."""
        return await self._records(
            OutboxItem,
            "SELECT * FROM outbox WHERE id IN ("
            "   SELECT (SELECT next.id FROM outbox AS next"
            "           WHERE next.state=? AND next.chat_id=chats.chat_id"
            "           ORDER BY next.priority, next.turn, next.id LIMIT 1)"
            "   FROM (SELECT DISTINCT chat_id FROM outbox WHERE state=?) AS chats)"
            " ORDER BY priority, turn, id",
            (_PENDING, _PENDING),
        )

    async def next_in_chat(self, row: OutboxItem) -> OutboxItem | None:
        """The chat's row after `row`, for when `row` must wait for another (its card)."""
        return await self._record(
            OutboxItem,
            "SELECT * FROM outbox WHERE state=? AND chat_id=?"
            " AND (priority, turn, id) > (?, ?, ?) ORDER BY priority, turn, id LIMIT 1",
            (_PENDING, row.chat_id, row.priority, row.turn, row.id),
        )

    async def finish(
        self,
        outbox_id: int,
        state: OutboxState,
        *,
        result: Any = None,
        error: str | None = None,
    ) -> None:
        await self.db.execute(
            "UPDATE outbox SET state=?, finished_at=?, result=?, error=?, attempts=attempts+1"
            " WHERE id=? AND state=?",
            (state, self.clock(), json.dumps(result), error, outbox_id, _PENDING),
        )

    async def retry_later(self, outbox_id: int, error: str) -> None:
        """A send failed for now: count the attempt (the worker decides when to try again)."""
        await self.db.execute(
            "UPDATE outbox SET attempts=attempts+1, error=? WHERE id=?", (error, outbox_id)
        )

    async def counts(self) -> dict[str, int]:
        """Rows per state."""
        rows = await self._all("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
        return {r["state"]: r["n"] for r in rows}
