"""The database: one connection, one writer at a time, and transactions that compare and set.

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
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.domain.models import CaseView
from bot.faults import crash_point
from bot.store.cards import Cards
from bot.store.cases import Cases
from bot.store.events import Events
from bot.store.facts import Facts
from bot.store.inbox import Inbox
from bot.store.items import Items
from bot.store.meta import Meta
from bot.store.migrations import MIGRATIONS
from bot.store.outbox import Outbox
from bot.store.prompts import Prompts
from bot.store.reports import Reports
from bot.store.rows import Clock
from bot.store.timers import Timers
from bot.store.users import Users

BUSY_TIMEOUT_MS = 5000

# The inbox row of the update being handled: a handler's write transaction marks it processed
# atomically with the handler's own changes, so a crash can never apply an update twice.
current_update: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "current_update", default=None
)


class Tx:
    """Every repository, on one connection: inside `Store.transaction()` their writes commit or
    roll back together."""

    def __init__(self, db: aiosqlite.Connection, clock: Clock) -> None:
        self.clock = clock
        self.items = Items(db, clock)
        self.reports = Reports(db, clock)
        self.cases = Cases(db, clock)
        self.events = Events(db, clock)
        self.cards = Cards(db, clock)
        self.prompts = Prompts(db, clock)
        self.outbox = Outbox(db, clock)
        self.inbox = Inbox(db, clock)
        self.timers = Timers(db, clock)
        self.users = Users(db, clock)
        self.meta = Meta(db, clock)
        self.facts = Facts(db, clock)

    async def case_view(self, case_id: int) -> CaseView | None:
        """Everything a card shows about a case, read in one go."""
        case = await self.cases.get(case_id)
        if case is None:
            return None
        return CaseView(
            case=case,
            reports=await self.reports.shown_on_card(case_id),
            items=await self.items.of_case(case_id),
            events=await self.events.of_case(case_id),
            earlier=await self.cases.earlier(case_id),
        )


class Store:
    """The database: open it, then use `transaction()` to write or `read()` to look."""

    def __init__(self, db: aiosqlite.Connection, clock: Clock, path: str) -> None:
        self._db = db
        self._lock = asyncio.Lock()
        self.clock = clock
        self.path = path
        self._outbox_listeners: list[Callable[[], None]] = []

    @classmethod
    async def open(cls, path: str | os.PathLike[str], clock: Clock) -> Store:
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
    async def transaction(self) -> AsyncIterator[Tx]:
        """One `BEGIN IMMEDIATE` transaction: committed on success, rolled back on any error."""
        async with self._lock:
            tx = Tx(self._db, self.clock)
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield tx
                inbox_id = current_update.get()
                if inbox_id is not None:
                    await tx.inbox.mark_processed(inbox_id)
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")
            crash_point("commit")
        if tx.outbox.written:
            for listener in self._outbox_listeners:
                listener()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        """Reads outside a transaction, serialised with the writers on the one connection."""
        async with self._lock:
            yield Tx(self._db, self.clock)
