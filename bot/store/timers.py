"""Timers that survive restarts: one row per key, taken exactly once when due."""

from __future__ import annotations

from bot.store.rows import Repository


class Timers(Repository):
    async def set(self, key: str, due: float) -> None:
        """Arm (or re-arm) the timer `key`."""
        await self.db.execute(
            "INSERT INTO timers (key, due) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET due=excluded.due",
            (key, due),
        )

    async def cancel(self, key: str) -> None:
        await self.db.execute("DELETE FROM timers WHERE key=?", (key,))

    async def take(self, key: str, due: float) -> bool:
        """Claim a due timer exactly once (it may have been re-armed meanwhile)."""
        changed = await self._changed("DELETE FROM timers WHERE key=? AND due=?", (key, due))
        return changed == 1

    async def due(self, limit: int = 100) -> list[tuple[str, float]]:
        rows = await self._all(
            "SELECT key, due FROM timers WHERE due<=? ORDER BY due LIMIT ?", (self.clock(), limit)
        )
        return [(r["key"], r["due"]) for r in rows]

    async def next_due(self) -> float | None:
        row = await self._one("SELECT MIN(due) AS due FROM timers")
        return float(row["due"]) if row and row["due"] is not None else None
