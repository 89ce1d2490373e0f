"""Timers that survive restarts: one row per key, taken exactly once when due."""

from __future__ import annotations

from bot.store.rows import CHUNK, Repository, marks


class Timers(Repository):
    async def set(self, key: str, due: float) -> None:
        """Arm (or re-arm) the timer `key`."""
        await self.db.execute(
            "INSERT INTO timers (key, due) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET due=excluded.due",
            (key, due),
        )

    async def set_many(self, due: dict[str, float]) -> None:
        await self.db.executemany(
            "INSERT INTO timers (key, due) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET due=excluded.due",
            list(due.items()),
        )

    async def take_many(self, due: list[tuple[str, float]]) -> list[str]:
        """Claim each timer that is still due as read (it may have been re-armed meanwhile);
        the keys claimed, in the order given."""
        wanted = dict(due)
        taken: list[str] = []
        for start in range(0, len(due), CHUNK):
            keys = [key for key, _ in due[start : start + CHUNK]]
            rows = await self._all(
                f"SELECT key, due FROM timers WHERE key IN ({marks(keys)})", keys
            )
            still = {row["key"] for row in rows if row["due"] == wanted[row["key"]]}
            chunk = [key for key in keys if key in still]
            await self.db.executemany("DELETE FROM timers WHERE key=?", [(k,) for k in chunk])
            taken += chunk
        return taken

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
