"""SQLite storage through aiosqlite: migrations, one writer path, and queries returning dataclasses.

One connection, opened with ``isolation_level=None`` so that we issue ``BEGIN IMMEDIATE`` ourselves
for every read-then-write; an asyncio lock keeps two coroutines from interleaving inside one
transaction (aiosqlite shares a transaction between everyone using the connection).

Durability: WAL with ``synchronous=FULL``. An acknowledged report must survive power loss, not
just a crash of the process, and our write rate (a few transactions a second) makes the extra
fsync cheap.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import aiosqlite

from bot.faults import crash_point
from bot.identity import source_key
from bot.migrations import MIGRATIONS
from bot.models import (
    UNDECIDED,
    Case,
    CaseView,
    Event,
    IncomingItem,
    Item,
    Origin,
    OutboxItem,
    Prompt,
    Report,
    State,
)

BUSY_TIMEOUT_MS = 5000

# The inbox row of the update being handled: a handler's write transaction marks it processed
# atomically with the handler's own changes, so a crash can never apply an update twice.
current_update: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "current_update", default=None
)


def _origin_from_json(raw: str) -> Origin:
    return Origin(**json.loads(raw))


def _case(row: aiosqlite.Row) -> Case:
    return Case(
        id=row["id"],
        category=row["category"],
        priority=row["priority"],
        state=State(row["state"]),
        state_before=State(row["state_before"]) if row["state_before"] else None,
        claimed_by=row["claimed_by"],
        claimed_by_name=row["claimed_by_name"],
        decided_by=row["decided_by"],
        decided_by_name=row["decided_by_name"],
        decision_reason=row["decision_reason"],
        created_at=row["created_at"],
        clock_start=row["clock_start"],
        first_action_at=row["first_action_at"],
        decided_at=row["decided_at"],
        waiting_since=row["waiting_since"],
        paused_seconds=row["paused_seconds"],
    )


def _report(row: aiosqlite.Row) -> Report:
    return Report(
        id=row["id"],
        case_id=row["case_id"],
        reporter_id=row["reporter_id"],
        reporter_name=row["reporter_name"],
        organization=row["organization"],
        chat_id=row["chat_id"],
        command_message_id=row["command_message_id"],
        category=row["category"],
        note=row["note"],
        status=row["status"],
        created_at=row["created_at"],
    )


def _item(row: aiosqlite.Row) -> Item:
    return Item(
        id=row["id"],
        chat_id=row["chat_id"],
        message_id=row["message_id"],
        reporter_id=row["reporter_id"],
        report_id=row["report_id"],
        kind=row["kind"],
        identity=row["identity"],
        origin=_origin_from_json(row["origin"]),
        text=row["text"],
        file_id=row["file_id"],
        media_group_id=row["media_group_id"],
        received_at=row["received_at"],
    )


def _event(row: aiosqlite.Row) -> Event:
    return Event(
        id=row["id"],
        case_id=row["case_id"],
        at=row["at"],
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        kind=row["kind"],
        detail=row["detail"],
    )


def _outbox(row: aiosqlite.Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        chat_id=row["chat_id"],
        priority=row["priority"],
        kind=row["kind"],
        payload=json.loads(row["payload"]),
        case_id=row["case_id"],
        attempts=row["attempts"],
        created_at=row["created_at"],
    )


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" for _ in values)


class Queries:
    """The SQL the bot runs, on a connection the caller holds (inside or outside a transaction)."""

    def __init__(self, db: aiosqlite.Connection, clock: Callable[[], float]) -> None:
        self.db = db
        self.clock = clock
        self.outbox_written = False

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self.db.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        async with self.db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def _insert(self, sql: str, params: Sequence[Any]) -> int:
        async with self.db.execute(sql, params) as cursor:
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    # --- items -----------------------------------------------------------------------------

    async def add_item(self, item: IncomingItem) -> bool:
        """Store a message a reporter sent; False when that message was already stored."""
        async with self.db.execute(
            "INSERT OR IGNORE INTO items (chat_id, message_id, reporter_id, kind, identity, origin,"
            " text, file_id, file_unique_id, media_group_id, received_at, source)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
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
            ),
        ) as cursor:
            return cursor.rowcount == 1

    async def draft_items(self, reporter_id: int) -> list[Item]:
        rows = await self._all(
            "SELECT * FROM items WHERE reporter_id=? AND state='draft' ORDER BY message_id",
            (reporter_id,),
        )
        return [_item(r) for r in rows]

    async def item_by_message(self, chat_id: int, message_id: int) -> Item | None:
        row = await self._one(
            "SELECT * FROM items WHERE chat_id=? AND message_id=?", (chat_id, message_id)
        )
        return _item(row) if row else None

    async def album_items(self, chat_id: int, media_group_id: str) -> list[Item]:
        rows = await self._all(
            "SELECT * FROM items WHERE chat_id=? AND media_group_id=? ORDER BY message_id",
            (chat_id, media_group_id),
        )
        return [_item(r) for r in rows]

    async def attach_items(self, report_id: int, item_ids: Iterable[int]) -> None:
        ids = list(item_ids)
        await self.db.execute(
            f"UPDATE items SET report_id=?, state='reported' WHERE id IN ({_marks(ids)})",
            (report_id, *ids),
        )

    async def discard_draft(self, reporter_id: int, state: str = "cancelled") -> int:
        async with self.db.execute(
            "UPDATE items SET state=? WHERE reporter_id=? AND state='draft'", (state, reporter_id)
        ) as cursor:
            return cursor.rowcount

    async def items_of_case(self, case_id: int) -> list[Item]:
        rows = await self._all(
            "SELECT items.* FROM items JOIN reports ON items.report_id = reports.id"
            " WHERE reports.case_id=? ORDER BY reports.id, items.message_id",
            (case_id,),
        )
        return [_item(r) for r in rows]

    async def items_of_report(self, report_id: int) -> list[Item]:
        rows = await self._all(
            "SELECT * FROM items WHERE report_id=? ORDER BY message_id", (report_id,)
        )
        return [_item(r) for r in rows]

    # --- reports and cases -----------------------------------------------------------------

    async def report_by_command(self, chat_id: int, command_message_id: int) -> Report | None:
        row = await self._one(
            "SELECT * FROM reports WHERE chat_id=? AND command_message_id=?",
            (chat_id, command_message_id),
        )
        return _report(row) if row else None

    async def report(self, report_id: int) -> Report | None:
        row = await self._one("SELECT * FROM reports WHERE id=?", (report_id,))
        return _report(row) if row else None

    async def insert_report(
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
        status: str,
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

    async def set_report_case(self, report_id: int, case_id: int, status: str) -> None:
        await self.db.execute(
            "UPDATE reports SET case_id=?, status=? WHERE id=?", (case_id, status, report_id)
        )

    async def set_report_category(self, report_id: int, category: str) -> None:
        await self.db.execute("UPDATE reports SET category=? WHERE id=?", (category, report_id))

    async def reports_of_case(self, case_id: int) -> list[Report]:
        rows = await self._all(
            "SELECT * FROM reports WHERE case_id=? AND status IN ('open', 'added') ORDER BY id",
            (case_id,),
        )
        return [_report(r) for r in rows]

    async def reporter_ids_of_case(self, case_id: int) -> list[int]:
        rows = await self._all(
            "SELECT reporter_id, MIN(id) AS first FROM reports WHERE case_id=?"
            " GROUP BY reporter_id ORDER BY first",
            (case_id,),
        )
        return [r["reporter_id"] for r in rows]

    async def oldest_undecided_case_with(self, identities: Iterable[str]) -> Case | None:
        keys = sorted(set(identities))
        if not keys:
            return None
        states = [s.value for s in UNDECIDED]
        row = await self._one(
            "SELECT cases.* FROM cases JOIN reports ON reports.case_id = cases.id"
            " JOIN items ON items.report_id = reports.id"
            f" WHERE items.identity IN ({_marks(keys)}) AND cases.state IN ({_marks(states)})"
            " ORDER BY cases.id LIMIT 1",
            (*keys, *states),
        )
        return _case(row) if row else None

    async def insert_case(self, category: str, priority: int) -> int:
        now = self.clock()
        return await self._insert(
            "INSERT INTO cases (category, priority, state, created_at, clock_start)"
            " VALUES (?,?,?,?,?)",
            (category, priority, State.NEW.value, now, now),
        )

    async def case(self, case_id: int) -> Case | None:
        row = await self._one("SELECT * FROM cases WHERE id=?", (case_id,))
        return _case(row) if row else None

    async def update_case_if(self, case_id: int, expected: Iterable[State], **changes: Any) -> bool:
        """Compare and set: apply `changes` only while the case is in one of `expected` states."""
        states = [s.value for s in expected]
        columns = ", ".join(f"{name}=?" for name in changes)
        values = [v.value if isinstance(v, State) else v for v in changes.values()]
        async with self.db.execute(
            f"UPDATE cases SET {columns} WHERE id=? AND state IN ({_marks(states)})",
            (*values, case_id, *states),
        ) as cursor:
            return cursor.rowcount == 1

    async def mark_first_action(self, case_id: int) -> None:
        await self.db.execute(
            "UPDATE cases SET first_action_at=? WHERE id=? AND first_action_at IS NULL",
            (self.clock(), case_id),
        )

    async def add_event(
        self,
        case_id: int,
        kind: str,
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

    async def events_of_case(self, case_id: int) -> list[Event]:
        rows = await self._all("SELECT * FROM events WHERE case_id=? ORDER BY id", (case_id,))
        return [_event(r) for r in rows]

    async def case_view(self, case_id: int) -> CaseView | None:
        case = await self.case(case_id)
        if case is None:
            return None
        return CaseView(
            case=case,
            reports=await self.reports_of_case(case_id),
            items=await self.items_of_case(case_id),
            events=await self.events_of_case(case_id),
            earlier=await self.earlier_cases(case_id),
        )

    async def earlier_cases(self, case_id: int, limit: int = 5) -> list[Case]:
        """Older cases whose content came from the same channel, chat, user or hidden name."""
        rows = await self._all(
            "SELECT DISTINCT cases.* FROM cases"
            " JOIN reports ON reports.case_id = cases.id"
            " JOIN items ON items.report_id = reports.id"
            " WHERE cases.id < ? AND items.source IN ("
            "   SELECT items.source FROM items JOIN reports ON items.report_id = reports.id"
            "   WHERE reports.case_id = ? AND items.source IS NOT NULL)"
            " ORDER BY cases.id DESC LIMIT ?",
            (case_id, case_id, limit),
        )
        return [_case(r) for r in rows]

    async def undecided_cases(self, limit: int = 50) -> list[Case]:
        states = [s.value for s in UNDECIDED]
        rows = await self._all(
            f"SELECT * FROM cases WHERE state IN ({_marks(states)})"
            " ORDER BY priority, clock_start, id LIMIT ?",
            (*states, limit),
        )
        return [_case(r) for r in rows]

    # --- cards -----------------------------------------------------------------------------

    async def live_card(self, case_id: int, chat_id: int) -> int | None:
        row = await self._one(
            "SELECT message_id FROM cards WHERE case_id=? AND chat_id=? AND live=1"
            " ORDER BY posted_at DESC LIMIT 1",
            (case_id, chat_id),
        )
        return int(row["message_id"]) if row else None

    async def card_case(self, chat_id: int, message_id: int) -> int | None:
        row = await self._one(
            "SELECT case_id FROM cards WHERE chat_id=? AND message_id=?", (chat_id, message_id)
        )
        return int(row["case_id"]) if row else None

    async def card_chats(self, case_id: int) -> list[int]:
        """Chats that show (or are about to show) a card of this case."""
        rows = await self._all(
            "SELECT chat_id FROM cards WHERE case_id=? AND live=1"
            " UNION SELECT chat_id FROM outbox WHERE case_id=? AND kind='card' AND state='pending'",
            (case_id, case_id),
        )
        return sorted(r["chat_id"] for r in rows)

    async def retire_cards(self, case_id: int, chat_id: int) -> None:
        await self.db.execute(
            "UPDATE cards SET live=0 WHERE case_id=? AND chat_id=?", (case_id, chat_id)
        )

    async def promote_pending_card(self, case_id: int, chat_id: int, priority: int) -> bool:
        """Move a still-queued card (and its evidence) up; False if none is queued."""
        if not await self.pending_outbox_exists("card", chat_id, case_id):
            return False
        async with self.db.execute(
            "UPDATE outbox SET priority=? WHERE state='pending' AND case_id=? AND chat_id=?"
            " AND kind IN ('card', 'evidence')",
            (priority, case_id, chat_id),
        ) as cursor:
            return cursor.rowcount > 0

    async def overdue_targets(self, case_id: int, since: float) -> list[str]:
        rows = await self._all(
            "SELECT detail FROM events WHERE case_id=? AND kind='overdue' AND at>=? ORDER BY id",
            (case_id, since),
        )
        return [str(r["detail"]) for r in rows]

    async def reports_with_items(self, case_id: int) -> list[Report]:
        rows = await self._all(
            "SELECT * FROM reports WHERE case_id=? AND status != 'repeat' AND EXISTS"
            " (SELECT 1 FROM items WHERE items.report_id = reports.id) ORDER BY id",
            (case_id,),
        )
        return [_report(r) for r in rows]

    async def record_card(self, case_id: int, chat_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE cards SET live=0 WHERE case_id=? AND chat_id=?", (case_id, chat_id)
        )
        await self.db.execute(
            "INSERT OR REPLACE INTO cards (case_id, chat_id, message_id, live, posted_at)"
            " VALUES (?,?,?,1,?)",
            (case_id, chat_id, message_id, self.clock()),
        )

    async def card_picker(self, chat_id: int, message_id: int) -> str | None:
        row = await self._one(
            "SELECT picker FROM cards WHERE chat_id=? AND message_id=?", (chat_id, message_id)
        )
        return row["picker"] if row else None

    async def live_card_picker(self, case_id: int, chat_id: int) -> str | None:
        row = await self._one(
            "SELECT picker FROM cards WHERE case_id=? AND chat_id=? AND live=1"
            " ORDER BY posted_at DESC LIMIT 1",
            (case_id, chat_id),
        )
        return row["picker"] if row else None

    async def set_picker(self, case_id: int, chat_id: int, picker: str | None) -> None:
        await self.db.execute(
            "UPDATE cards SET picker=? WHERE case_id=? AND chat_id=? AND live=1",
            (picker, case_id, chat_id),
        )

    async def clear_pickers(self, case_id: int) -> None:
        await self.db.execute("UPDATE cards SET picker=NULL WHERE case_id=?", (case_id,))

    async def record_case_messages(
        self, case_id: int, chat_id: int, message_ids: Iterable[int]
    ) -> None:
        await self.db.executemany(
            "INSERT OR IGNORE INTO case_messages (chat_id, message_id, case_id) VALUES (?,?,?)",
            [(chat_id, m, case_id) for m in message_ids],
        )

    async def case_of_message(self, chat_id: int, message_id: int) -> int | None:
        """The case a card or an evidence copy in moderator space belongs to."""
        row = await self._one(
            "SELECT case_id FROM cards WHERE chat_id=? AND message_id=?"
            " UNION ALL SELECT case_id FROM case_messages WHERE chat_id=? AND message_id=?"
            " LIMIT 1",
            (chat_id, message_id, chat_id, message_id),
        )
        return int(row["case_id"]) if row else None

    async def record_prompt(
        self, chat_id: int, message_id: int, case_id: int, kind: str, moderator_id: int
    ) -> None:
        await self.db.execute(
            "INSERT OR REPLACE INTO prompts (chat_id, message_id, case_id, kind, moderator_id,"
            " created_at) VALUES (?,?,?,?,?,?)",
            (chat_id, message_id, case_id, kind, moderator_id, self.clock()),
        )

    async def prompt(self, chat_id: int, message_id: int) -> Prompt | None:
        row = await self._one(
            "SELECT * FROM prompts WHERE chat_id=? AND message_id=?", (chat_id, message_id)
        )
        if row is None:
            return None
        return Prompt(
            row["chat_id"], row["message_id"], row["case_id"], row["kind"], row["moderator_id"]
        )

    async def delete_prompts(self, case_id: int, chat_id: int) -> None:
        await self.db.execute(
            "DELETE FROM prompts WHERE case_id=? AND chat_id=?", (case_id, chat_id)
        )

    async def delete_prompt(self, chat_id: int, message_id: int) -> None:
        await self.db.execute(
            "DELETE FROM prompts WHERE chat_id=? AND message_id=?", (chat_id, message_id)
        )

    async def record_question(self, chat_id: int, message_id: int, case_id: int) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO questions (chat_id, message_id, case_id, created_at)"
            " VALUES (?,?,?,?)",
            (chat_id, message_id, case_id, self.clock()),
        )

    async def question_case(self, chat_id: int, message_id: int) -> int | None:
        row = await self._one(
            "SELECT case_id FROM questions WHERE chat_id=? AND message_id=?",
            (chat_id, message_id),
        )
        return int(row["case_id"]) if row else None

    # --- outbox ----------------------------------------------------------------------------

    async def enqueue(
        self,
        chat_id: int,
        kind: str,
        payload: dict[str, Any],
        *,
        priority: int,
        case_id: int | None = None,
    ) -> int:
        self.outbox_written = True
        return await self._insert(
            "INSERT INTO outbox (chat_id, priority, kind, payload, case_id, created_at)"
            " VALUES (?,?,?,?,?,?)",
            (chat_id, priority, kind, json.dumps(payload), case_id, self.clock()),
        )

    async def pending_outbox_exists(
        self, kind: str, chat_id: int, case_id: int, *, before_id: int | None = None
    ) -> bool:
        sql = "SELECT 1 FROM outbox WHERE state='pending' AND kind=? AND chat_id=? AND case_id=?"
        params: list[Any] = [kind, chat_id, case_id]
        if before_id is not None:
            sql += " AND id<?"
            params.append(before_id)
        return await self._one(sql, params) is not None

    async def undigested_cards(self, chat_id: int, priority: int) -> list[Case]:
        """Cases whose new card still waits at `priority`, most urgent category first."""
        rows = await self._all(
            "SELECT cases.* FROM outbox JOIN cases ON cases.id = outbox.case_id"
            " WHERE outbox.state='pending' AND outbox.kind='card' AND outbox.chat_id=?"
            " AND outbox.priority=? ORDER BY cases.priority, cases.id",
            (chat_id, priority),
        )
        return [_case(r) for r in rows]

    async def move_to_backlog(self, chat_id: int, cases: Iterable[Case], base: int) -> None:
        """A digest lists these cases: their cards and evidence wait behind newer ones."""
        await self.db.executemany(
            "UPDATE outbox SET priority=? WHERE state='pending' AND chat_id=? AND case_id=?"
            " AND kind IN ('card', 'evidence')",
            [(base + case.priority, chat_id, case.id) for case in cases],
        )

    async def raise_pending_priority(
        self, kind: str, chat_id: int, case_id: int, priority: int
    ) -> bool:
        """If such a row is pending, make it at least this urgent; False if none is pending."""
        if not await self.pending_outbox_exists(kind, chat_id, case_id):
            return False
        await self.db.execute(
            "UPDATE outbox SET priority=MIN(priority, ?) WHERE state='pending' AND kind=?"
            " AND chat_id=? AND case_id=?",
            (priority, kind, chat_id, case_id),
        )
        return True

    async def move_pending_sends(self, old_chat: int, new_chat: int) -> None:
        await self.db.execute(
            "UPDATE outbox SET chat_id=? WHERE chat_id=? AND state='pending'", (new_chat, old_chat)
        )

    async def pending_outbox(
        self, limit: int = 200, after: tuple[int, int] | None = None
    ) -> list[OutboxItem]:
        """Sendable rows by priority then age; `after` (priority, id) continues a page."""
        priority, last_id = after if after is not None else (-1, 0)
        rows = await self._all(
            "SELECT * FROM outbox WHERE state='pending' AND not_before<=?"
            " AND (priority > ? OR (priority = ? AND id > ?))"
            " ORDER BY priority, id LIMIT ?",
            (self.clock(), priority, priority, last_id, limit),
        )
        return [_outbox(r) for r in rows]

    async def next_outbox_due(self) -> float | None:
        row = await self._one("SELECT MIN(not_before) AS due FROM outbox WHERE state='pending'")
        return float(row["due"]) if row and row["due"] is not None else None

    async def finish_outbox(
        self, outbox_id: int, state: str, *, result: Any = None, error: str | None = None
    ) -> None:
        await self.db.execute(
            "UPDATE outbox SET state=?, finished_at=?, result=?, error=?, attempts=attempts+1"
            " WHERE id=? AND state='pending'",
            (state, self.clock(), json.dumps(result), error, outbox_id),
        )

    async def retry_outbox_later(self, outbox_id: int, not_before: float, error: str) -> None:
        await self.db.execute(
            "UPDATE outbox SET attempts=attempts+1, not_before=?, error=? WHERE id=?",
            (not_before, error, outbox_id),
        )

    async def outbox_counts(self) -> dict[str, int]:
        rows = await self._all("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
        return {r["state"]: r["n"] for r in rows}

    # --- inbox and polling -----------------------------------------------------------------

    async def record_update(self, dedup_key: str, update_id: int, payload: str) -> bool:
        async with self.db.execute(
            "INSERT OR IGNORE INTO inbox (dedup_key, update_id, payload, received_at)"
            " VALUES (?,?,?,?)",
            (dedup_key, update_id, payload, self.clock()),
        ) as cursor:
            return cursor.rowcount == 1

    async def unprocessed_updates(self, limit: int = 100) -> list[tuple[int, str]]:
        rows = await self._all(
            "SELECT id, payload FROM inbox WHERE processed_at IS NULL ORDER BY id LIMIT ?",
            (limit,),
        )
        return [(r["id"], r["payload"]) for r in rows]

    async def mark_update_processed(self, inbox_id: int) -> None:
        await self.db.execute(
            "UPDATE inbox SET processed_at=? WHERE id=? AND processed_at IS NULL",
            (self.clock(), inbox_id),
        )

    async def get_meta(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM meta WHERE key=?", (key,))
        return str(row["value"]) if row else None

    async def set_meta(self, key: str, value: str) -> None:
        await self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    async def delete_meta_prefix(self, prefix: str) -> None:
        await self.db.execute("DELETE FROM meta WHERE substr(key, 1, ?) = ?", (len(prefix), prefix))

    async def delete_meta(self, key: str) -> None:
        await self.db.execute("DELETE FROM meta WHERE key=?", (key,))

    # --- timers ----------------------------------------------------------------------------

    async def set_timer(self, key: str, due: float) -> None:
        await self.db.execute(
            "INSERT INTO timers (key, due) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET due=excluded.due",
            (key, due),
        )

    async def set_timer_if_absent(self, key: str, due: float) -> None:
        await self.db.execute("INSERT OR IGNORE INTO timers (key, due) VALUES (?, ?)", (key, due))

    async def cancel_timer(self, key: str) -> None:
        await self.db.execute("DELETE FROM timers WHERE key=?", (key,))

    async def take_timer(self, key: str, due: float) -> bool:
        """Claim a due timer exactly once (it may have been re-armed meanwhile)."""
        async with self.db.execute("DELETE FROM timers WHERE key=? AND due=?", (key, due)) as cur:
            return cur.rowcount == 1

    async def due_timers(self, limit: int = 100) -> list[tuple[str, float]]:
        rows = await self._all(
            "SELECT key, due FROM timers WHERE due<=? ORDER BY due LIMIT ?", (self.clock(), limit)
        )
        return [(r["key"], r["due"]) for r in rows]

    async def next_timer_due(self) -> float | None:
        row = await self._one("SELECT MIN(due) AS due FROM timers")
        return float(row["due"]) if row and row["due"] is not None else None

    async def draft_count(self, reporter_id: int) -> int:
        row = await self._one(
            "SELECT COUNT(*) AS n FROM items WHERE reporter_id=? AND state='draft'", (reporter_id,)
        )
        return int(row["n"]) if row else 0

    async def reports_choosing(self, reporter_id: int) -> list[Report]:
        rows = await self._all(
            "SELECT * FROM reports WHERE reporter_id=? AND status='choosing' ORDER BY id",
            (reporter_id,),
        )
        return [_report(r) for r in rows]

    async def set_report_status(self, report_id: int, status: str) -> None:
        await self.db.execute("UPDATE reports SET status=? WHERE id=?", (status, report_id))

    async def cases_of_reporter(self, reporter_id: int, limit: int = 10) -> list[Case]:
        rows = await self._all(
            "SELECT DISTINCT cases.* FROM cases JOIN reports ON reports.case_id = cases.id"
            " WHERE reports.reporter_id=? ORDER BY cases.id DESC LIMIT ?",
            (reporter_id, limit),
        )
        return [_case(r) for r in rows]

    async def reported_case(self, reporter_id: int, case_id: int) -> Case | None:
        """The case, if this reporter reported it; reporters never see other cases."""
        row = await self._one(
            "SELECT cases.* FROM cases WHERE id=? AND EXISTS (SELECT 1 FROM reports"
            " WHERE reports.case_id=cases.id AND reports.reporter_id=?)",
            (case_id, reporter_id),
        )
        return _case(row) if row else None

    async def report_of_album(self, chat_id: int, media_group_id: str) -> int | None:
        row = await self._one(
            "SELECT report_id FROM items WHERE chat_id=? AND media_group_id=?"
            " AND report_id IS NOT NULL ORDER BY id LIMIT 1",
            (chat_id, media_group_id),
        )
        return int(row["report_id"]) if row else None

    # --- users -----------------------------------------------------------------------------

    async def user_languages(self, user_id: int) -> tuple[str | None, str | None]:
        row = await self._one(
            "SELECT chosen_language, telegram_language FROM users WHERE user_id=?", (user_id,)
        )
        if row is None:
            return None, None
        return row["chosen_language"], row["telegram_language"]

    async def remember_telegram_language(self, user_id: int, language: str | None) -> None:
        await self.db.execute(
            "INSERT INTO users (user_id, telegram_language) VALUES (?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET telegram_language=excluded.telegram_language",
            (user_id, language),
        )

    async def remember_name(self, user_id: int, name: str) -> None:
        await self.db.execute(
            "INSERT INTO users (user_id, name) VALUES (?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET name=excluded.name",
            (user_id, name),
        )

    async def user_names(self, user_ids: Iterable[int]) -> dict[int, str]:
        ids = list(user_ids)
        rows = await self._all(
            "SELECT user_id, name FROM users WHERE name IS NOT NULL"
            f" AND user_id IN ({_marks(ids)})",
            ids,
        )
        return {r["user_id"]: r["name"] for r in rows}

    async def choose_language(self, user_id: int, language: str) -> None:
        await self.db.execute(
            "INSERT INTO users (user_id, chosen_language) VALUES (?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET chosen_language=excluded.chosen_language",
            (user_id, language),
        )

    async def mark_blocked(self, user_id: int) -> None:
        await self.db.execute(
            "INSERT INTO users (user_id, blocked_at) VALUES (?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET blocked_at=excluded.blocked_at",
            (user_id, self.clock()),
        )


class Store:
    """The database: open it, then use `transaction()` to write or `read()` to look."""

    def __init__(self, db: aiosqlite.Connection, clock: Callable[[], float], path: str) -> None:
        self._db = db
        self._lock = asyncio.Lock()
        self.clock = clock
        self.path = path
        self._outbox_listeners: list[Callable[[], None]] = []

    @classmethod
    async def open(cls, path: str | os.PathLike[str], clock: Callable[[], float]) -> Store:
        location = Path(path)
        location.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(location, isolation_level=None)
        db.row_factory = aiosqlite.Row
        await db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=FULL")
        await db.execute("PRAGMA foreign_keys=ON")
        store = cls(db, clock, str(location))
        await store._migrate()
        return store

    async def _migrate(self) -> None:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        version = int(row[0]) if row else 0
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            await self._db.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version={number};\nCOMMIT;"
            )

    async def close(self) -> None:
        await self._db.close()

    def on_outbox_written(self, listener: Callable[[], None]) -> None:
        self._outbox_listeners.append(listener)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Queries]:
        """One `BEGIN IMMEDIATE` transaction: committed on success, rolled back on any error."""
        async with self._lock:
            queries = Queries(self._db, self.clock)
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield queries
                inbox_id = current_update.get()
                if inbox_id is not None:
                    await queries.mark_update_processed(inbox_id)
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")
            crash_point("commit")
        if queries.outbox_written:
            for listener in self._outbox_listeners:
                listener()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Queries]:
        """Reads outside a transaction, serialised with the writers on the one connection."""
        async with self._lock:
            yield Queries(self._db, self.clock)
