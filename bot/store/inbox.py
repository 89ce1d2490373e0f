"""The inbox: every update recorded before Telegram is told it arrived, processed exactly once."""

from __future__ import annotations

from bot.store.rows import Repository


class Inbox(Repository):
    async def record(self, dedup_key: str, update_id: int, payload: str) -> bool:
        """Keep an update; False when one about the same thing was already recorded."""
        changed = await self._changed(
            "INSERT OR IGNORE INTO inbox (dedup_key, update_id, payload, received_at)"
            " VALUES (?,?,?,?)",
            (dedup_key, update_id, payload, self.clock()),
        )
        return changed == 1

    async def unprocessed(self, limit: int = 100) -> list[tuple[int, str]]:
        """(inbox id, raw JSON) of updates not processed yet, oldest first."""
        rows = await self._all(
            "SELECT id, payload FROM inbox WHERE processed_at IS NULL ORDER BY id LIMIT ?",
            (limit,),
        )
        return [(r["id"], r["payload"]) for r in rows]

    async def set_aside(self, inbox_id: int, attempts: int, error: str) -> None:
        """Stop retrying an update that keeps failing; it stays in the inbox for the admins."""
        now = self.clock()
        await self.db.execute(
            "UPDATE inbox SET processed_at=?, set_aside_at=?, attempts=?, error=?"
            " WHERE id=? AND processed_at IS NULL",
            (now, now, attempts, error, inbox_id),
        )

    async def set_aside_count(self) -> int:
        row = await self._one("SELECT COUNT(*) AS n FROM inbox WHERE set_aside_at IS NOT NULL")
        return int(row["n"]) if row else 0

    async def mark_processed(self, inbox_id: int) -> None:
        await self.db.execute(
            "UPDATE inbox SET processed_at=? WHERE id=? AND processed_at IS NULL",
            (self.clock(), inbox_id),
        )
