"""What the bot remembers of people: the names it saw, languages, and who blocked it."""

from __future__ import annotations

from collections.abc import Iterable

from bot.store.rows import Repository, marks


class Users(Repository):
    async def languages(self, user_id: int) -> tuple[str | None, str | None]:
        """(the /lang choice, the Telegram app's language) of a user, each None if unknown."""
        row = await self._one(
            "SELECT chosen_language, telegram_language FROM users WHERE user_id=?", (user_id,)
        )
        if row is None:
            return None, None
        return row["chosen_language"], row["telegram_language"]

    async def met(
        self, user_id: int, name: str, telegram_language: str | None
    ) -> tuple[str | None, str | None]:
        """Someone wrote to the bot privately: remember their name, app language and that the
        bot may write to them, in one statement; their (/lang choice, app language)."""
        row = await self._one(
            "INSERT INTO users (user_id, name, telegram_language, private_chat_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET name=excluded.name,"
            " telegram_language=COALESCE(excluded.telegram_language, users.telegram_language),"
            " private_chat_at=COALESCE(users.private_chat_at, excluded.private_chat_at)"
            " RETURNING chosen_language, telegram_language",
            (user_id, name, telegram_language, self.clock()),
        )
        if row is None:
            return None, telegram_language
        return row["chosen_language"], row["telegram_language"]

    async def choose_language(self, user_id: int, language: str) -> None:
        await self.db.execute(
            "INSERT INTO users (user_id, chosen_language) VALUES (?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET chosen_language=excluded.chosen_language",
            (user_id, language),
        )

    async def remember_name(self, user_id: int, name: str) -> None:
        await self.db.execute(
            "INSERT INTO users (user_id, name) VALUES (?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET name=excluded.name",
            (user_id, name),
        )

    async def names(self, user_ids: Iterable[int]) -> dict[int, str]:
        ids = list(user_ids)
        rows = await self._all(
            f"SELECT user_id, name FROM users WHERE name IS NOT NULL AND user_id IN ({marks(ids)})",
            ids,
        )
        return {r["user_id"]: r["name"] for r in rows}

    async def mark_blocked(self, user_id: int) -> None:
        await self.db.execute(
            "INSERT INTO users (user_id, blocked_at) VALUES (?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET blocked_at=excluded.blocked_at",
            (user_id, self.clock()),
        )

    async def opened_private_chat(self, user_id: int) -> None:
        """The user wrote to the bot privately: the bot may write to them from now on."""
        await self.db.execute(
            "INSERT INTO users (user_id, private_chat_at) VALUES (?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET"
            " private_chat_at=COALESCE(users.private_chat_at, excluded.private_chat_at)",
            (user_id, self.clock()),
        )

    async def without_private_chat(self, user_ids: Iterable[int]) -> list[int]:
        """Which of these users have never written to the bot privately, as far as it knows."""
        ids = sorted(set(user_ids))
        rows = await self._all(
            f"SELECT user_id FROM users WHERE private_chat_at IS NOT NULL"
            f" AND user_id IN ({marks(ids)})",
            ids,
        )
        known = {r["user_id"] for r in rows}
        return [user_id for user_id in ids if user_id not in known]

    async def draft_note(self, user_id: int) -> str:
        """What the reporter typed (not evidence) since their last report: their next note."""
        row = await self._one("SELECT draft_note FROM users WHERE user_id=?", (user_id,))
        return str(row["draft_note"]) if row and row["draft_note"] else ""

    async def add_to_draft_note(self, user_id: int, text: str) -> None:
        await self.db.execute(
            "INSERT INTO users (user_id, draft_note) VALUES (?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET draft_note="
            " CASE WHEN users.draft_note IS NULL OR users.draft_note = '' THEN excluded.draft_note"
            " ELSE users.draft_note || char(10) || excluded.draft_note END",
            (user_id, text),
        )

    async def clear_draft_note(self, user_id: int) -> None:
        await self.db.execute("UPDATE users SET draft_note=NULL WHERE user_id=?", (user_id,))

    async def stranger_answered_at(self, user_id: int) -> float | None:
        row = await self._one("SELECT stranger_answered_at FROM users WHERE user_id=?", (user_id,))
        return float(row["stranger_answered_at"]) if row and row["stranger_answered_at"] else None

    async def answered_stranger(self, user_id: int) -> None:
        await self.db.execute(
            "INSERT INTO users (user_id, stranger_answered_at) VALUES (?, ?) ON CONFLICT(user_id)"
            " DO UPDATE SET stranger_answered_at=excluded.stranger_answered_at",
            (user_id, self.clock()),
        )
