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
import contextlib
import contextvars
import os
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite

from bot.domain.models import CaseView
from bot.faults import crash_point, fault_point
from bot.store.cards import Cards
from bot.store.cases import Cases
from bot.store.errors import StorageHealth, is_storage_failure
from bot.store.events import Events
from bot.store.facts import Facts
from bot.store.files import (
    DATABASE_ID_KEY,
    FileIdentity,
    StorageError,
    check_marker,
    create_private_file,
    new_database_id,
    prepare_location,
    write_marker,
)
from bot.store.inbox import Inbox
from bot.store.items import Items
from bot.store.meta import Meta
from bot.store.migrations import MIGRATIONS
from bot.store.outbox import Outbox
from bot.store.prompts import Prompts
from bot.store.reports import Reports
from bot.store.retention import Retention
from bot.store.rows import Clock
from bot.store.timers import Timers
from bot.store.users import Users

BUSY_TIMEOUT_MS = 5000


@dataclass
class InboxAttempt:
    """One attempt at handling a recorded update. A handler's write transaction marks the update
    processed atomically with the handler's own changes (so a crash can never apply it twice);
    `marked` says that happened (in a batch: once the batch commits; `in_batch` says the mark
    waits in it), `error` what made the handler fail."""

    inbox_id: int
    marked: bool = False
    in_batch: bool = False
    error: BaseException | None = None


@dataclass
class Batch:
    """A transaction that many units of work share, each in a savepoint."""

    owner: asyncio.Task[Any] | None
    attempts: list[InboxAttempt] = field(default_factory=list)
    savepoints: int = 0
    outbox_written: bool = False


current_attempt: contextvars.ContextVar[InboxAttempt | None] = contextvars.ContextVar(
    "current_attempt", default=None
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
        self.retention = Retention(db, clock)

    async def case_view(self, case_id: int, chat_id: int | None = None) -> CaseView | None:
        """Everything a card shows about a case (in `chat_id`: with its evidence there)."""
        case = await self.cases.get(case_id)
        if case is None:
            return None
        total, posted = (
            await self.items.evidence_counts(case_id, chat_id) if chat_id is not None else (0, 0)
        )
        return CaseView(
            case=case,
            reports=await self.reports.shown_on_card(case_id),
            items=await self.items.of_case(case_id),
            events=await self.events.of_case(case_id),
            earlier=await self.cases.earlier(case_id),
            evidence_total=total,
            evidence_posted=posted,
            same_content=await self.cases.same_content(case_id),
            as_of=self.clock(),
        )


class Store:
    """The database: open it, then use `transaction()` to write or `read()` to look."""

    def __init__(self, db: aiosqlite.Connection, clock: Clock, path: str) -> None:
        self._db = db
        self._lock = asyncio.Lock()
        self.clock = clock
        self.path = path
        self._outbox_listeners: list[Callable[[], None]] = []
        self.health = StorageHealth()
        self.identity: FileIdentity | None = None
        self._batch: Batch | None = None

    @classmethod
    async def open(cls, path: str | os.PathLike[str], clock: Clock, *, init: bool = False) -> Store:
        """Open (or, on the first run or with `init`, create) the database, check it is sound and
        the one this desk created, and bring its schema up to date. StorageError says what an
        operator must fix."""
        location = Path(path)
        create = prepare_location(location, init=init)
        if create:
            create_private_file(location)
        try:
            db = await aiosqlite.connect(location, isolation_level=None)
        except sqlite3.Error as error:
            raise StorageError(f"cannot open {location} ({error})") from None
        store = cls(db, clock, str(location))
        try:
            await store._prepare(create)
        except BaseException:
            await db.close()
            raise
        return store

    async def _prepare(self, create: bool) -> None:
        db = self._db
        db.row_factory = aiosqlite.Row
        try:
            await db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            async with db.execute("PRAGMA quick_check") as cursor:
                found = [str(row[0]) for row in await cursor.fetchall()]
        except sqlite3.DatabaseError as error:
            found = [str(error)]
        if found != ["ok"]:
            raise StorageError(
                f"{self.path} failed its integrity check ({'; '.join(found[:3])}): restore it "
                "from a backup"
            )
        # Deleted content is overwritten, not left readable in free pages (retention); a new
        # database gives freed pages back incrementally (an existing one after one VACUUM).
        await db.execute("PRAGMA secure_delete=ON")
        if create:
            await db.execute("PRAGMA auto_vacuum=INCREMENTAL")
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=FULL")
        await db.execute("PRAGMA foreign_keys=ON")
        await self._migrate()
        async with self.transaction() as tx:
            database_id = await tx.meta.get(DATABASE_ID_KEY)
            if database_id is None:
                database_id = new_database_id()
                await tx.meta.set(DATABASE_ID_KEY, database_id)
        location = Path(self.path)
        if create:
            write_marker(location, database_id)
        else:
            check_marker(location, database_id)
        self.identity = FileIdentity.of(location)

    def replaced_or_gone(self) -> bool:
        """The database file was deleted, or another file now stands at its path."""
        return FileIdentity.of(Path(self.path)) != self.identity

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
        """One `BEGIN IMMEDIATE` transaction: committed on success, rolled back on any error
        (a failed COMMIT, a cancelled caller) so the connection is never left inside one.
        Inside a batch (`batch()`, same task), it is a savepoint of the batch instead."""
        batch = self._own_batch()
        if batch is not None:
            async with self._savepoint(batch) as tx:
                yield tx
            return
        async with self._lock:
            tx = Tx(self._db, self.clock)
            async with self._immediate():
                yield tx
                attempt = current_attempt.get()
                if attempt is not None:
                    await tx.inbox.mark_processed(attempt.inbox_id)
            if attempt is not None:
                attempt.marked = True
            crash_point("commit")
        if tx.outbox.written:
            self._outbox_written()

    @asynccontextmanager
    async def batch(self) -> AsyncIterator[Batch]:
        """One transaction around many units of work (the updates of one getUpdates answer):
        each `transaction()` inside it, in this task, is a savepoint that fails alone, and the
        whole batch is written with one commit (one fsync) instead of one per update. Nothing
        is sent before that commit: the outbox sees the batch's rows only then."""
        async with self._lock:
            batch = Batch(asyncio.current_task())
            self._batch = batch
            try:
                async with self._immediate():
                    yield batch
            finally:
                self._batch = None
            for attempt in batch.attempts:
                attempt.marked = True
            crash_point("commit")
        if batch.outbox_written:
            self._outbox_written()

    @asynccontextmanager
    async def _immediate(self) -> AsyncIterator[None]:
        """BEGIN IMMEDIATE, then COMMIT; on any error (a failed COMMIT, a cancelled caller)
        rolled back, so the connection is never left inside a transaction. The caller holds
        the lock."""
        try:
            await self._db.execute("BEGIN IMMEDIATE")
            yield
            fault_point("commit")
            await self._db.execute("COMMIT")
        except BaseException as error:
            await self._rollback()
            if is_storage_failure(error):
                self.health.failed(error)
            raise
        self.health.worked()

    @asynccontextmanager
    async def _savepoint(self, batch: Batch) -> AsyncIterator[Tx]:
        batch.savepoints += 1
        name = f"unit{batch.savepoints}"
        tx = Tx(self._db, self.clock)
        await self._db.execute(f"SAVEPOINT {name}")
        try:
            yield tx
            attempt = current_attempt.get()
            if attempt is not None:
                await tx.inbox.mark_processed(attempt.inbox_id)
            await self._db.execute(f"RELEASE {name}")
        except BaseException as error:
            with contextlib.suppress(sqlite3.Error):
                await self._db.execute(f"ROLLBACK TO {name}")
                await self._db.execute(f"RELEASE {name}")
            if is_storage_failure(error):
                self.health.failed(error)
            raise
        if attempt is not None:
            batch.attempts.append(attempt)
            attempt.in_batch = True
        batch.outbox_written = batch.outbox_written or tx.outbox.written

    def _own_batch(self) -> Batch | None:
        """The batch this task runs inside, if any (other tasks wait for it to commit)."""
        batch = self._batch
        if batch is not None and batch.owner is asyncio.current_task():
            return batch
        return None

    def _outbox_written(self) -> None:
        for listener in self._outbox_listeners:
            listener()

    async def _rollback(self) -> None:
        # Commands run in order on the connection's thread, so a BEGIN that was sent before a
        # cancellation is always rolled back here; one that never ran leaves nothing to undo.
        with contextlib.suppress(sqlite3.Error):
            await self._db.execute("ROLLBACK")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        """Reads outside a transaction, serialised with the writers on the one connection
        (inside the batch this task runs, they see the batch's own writes)."""
        if self._own_batch() is not None:
            yield Tx(self._db, self.clock)
            return
        async with self._lock:
            yield Tx(self._db, self.clock)
