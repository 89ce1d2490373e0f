"""Small facts the bot keeps between runs: the polling offset, which alerts were sent."""

from __future__ import annotations

from bot.store.rows import Repository


class Meta(Repository):
    async def get(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM meta WHERE key=?", (key,))
        return str(row["value"]) if row else None

    async def set(self, key: str, value: str) -> None:
        await self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    async def delete(self, key: str) -> None:
        await self.db.execute("DELETE FROM meta WHERE key=?", (key,))

    async def delete_prefix(self, prefix: str) -> None:
        await self.db.execute("DELETE FROM meta WHERE substr(key, 1, ?) = ?", (len(prefix), prefix))

    async def keys_with_prefix(self, prefix: str) -> list[str]:
        rows = await self._all(
            "SELECT key FROM meta WHERE substr(key, 1, ?) = ?", (len(prefix), prefix)
        )
        return [str(row["key"]) for row in rows]
