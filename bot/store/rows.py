"""From rows to our dataclasses (one mapper), and the small SQL helpers every repository shares."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any, TypeVar

import aiosqlite

from bot.domain.models import Case, Event, Item, Origin, OutboxItem, Prompt, Report, State
from bot.domain.vocabulary import EventKind, OutboxKind, PromptKind, ReportStatus

T = TypeVar("T")

Clock = Callable[[], float]


def _optional_state(value: str | None) -> State | None:
    return State(value) if value else None


def _origin(raw: str) -> Origin:
    return Origin(**json.loads(raw))


# Per dataclass, how a column's stored value becomes the field's value (others pass as they are).
_CONVERTERS: dict[type, dict[str, Callable[[Any], Any]]] = {
    Case: {"state": State, "state_before": _optional_state},
    Report: {"status": ReportStatus},
    Item: {"origin": _origin},
    Event: {"kind": EventKind},
    OutboxItem: {"kind": OutboxKind, "payload": json.loads},
    Prompt: {"kind": PromptKind},
}


def mapped(cls: type[T], row: aiosqlite.Row) -> T:
    """The dataclass `cls` filled from the row's columns of the same names."""
    converters = _CONVERTERS.get(cls, {})
    columns = set(row.keys())
    values: dict[str, Any] = {}
    for field in fields(cls):  # type: ignore[arg-type]
        if field.name not in columns:
            continue
        value = row[field.name]
        convert = converters.get(field.name)
        values[field.name] = convert(value) if convert is not None else value
    return cls(**values)


# Values bound in one IN list (SQLite allows 32,766 variables a statement).
CHUNK = 500


def marks(values: Sequence[object]) -> str:
    """`?,?,?` for an IN list of these values."""
    return ",".join("?" for _ in values)


class Repository:
    """SQL on a connection the caller holds, inside or outside a transaction."""

    def __init__(self, db: aiosqlite.Connection, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    # Each call below is one hand-off to the connection's thread (aiosqlite runs one thread per
    # connection), which is what a statement costs here: no separate fetch or close.

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        rows = await self.db.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        return list(await self.db.execute_fetchall(sql, params))

    async def _records(self, cls: type[T], sql: str, params: Sequence[Any] = ()) -> list[T]:
        """Every row of the query as a `cls`."""
        return [mapped(cls, row) for row in await self._all(sql, params)]

    async def _record(self, cls: type[T], sql: str, params: Sequence[Any] = ()) -> T | None:
        """The query's first row as a `cls`, or None."""
        row = await self._one(sql, params)
        return mapped(cls, row) if row else None

    async def _insert(self, sql: str, params: Sequence[Any]) -> int:
        cursor = await self.db.execute(sql, params)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def _changed(self, sql: str, params: Sequence[Any]) -> int:
        """Run a write; how many rows it changed."""
        cursor = await self.db.execute(sql, params)
        return cursor.rowcount
