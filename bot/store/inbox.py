"""The inbox: every update recorded before Telegram is told it arrived, processed exactly once."""

from __future__ import annotations

from bot.store.rows import Repository


class Inbox(Repository):
    async def record(
        self, dedup_key: str, update_id: int, payload: str, chat_id: int | None = None
    ) -> bool:
        """Keep an update; False when one about the same thing was already recorded. Updates
        take turns between chats: each gets the next turn after its chat's waiting updates, so a
        chat's backlog never holds up another chat's update (and each chat keeps its order)."""
        turn = 0
        if chat_id is not None:
            row = await self._one(
                "SELECT MAX(turn) AS last FROM inbox WHERE chat_id=? AND processed_at IS NULL",
                (chat_id,),
            )
            turn = 0 if row is None or row["last"] is None else int(row["last"]) + 1
        changed = await self._changed(
            "INSERT OR IGNORE INTO inbox (dedup_key, update_id, payload, received_at, chat_id,"
            " turn) VALUES (?,?,?,?,?,?)",
            (dedup_key, update_id, payload, self.clock(), chat_id, turn),
        )
        return changed == 1

    async def unprocessed(self, limit: int = 100) -> list[tuple[int, str]]:
        """(inbox id, raw JSON) of updates not processed yet, oldest first."""
        rows = await self._all(
            "SELECT id, payload FROM inbox WHERE processed_at IS NULL ORDER BY turn, id LIMIT ?",
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
