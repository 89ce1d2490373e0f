"""Cards in moderator space: the live card of each case per chat, its open picker, and every
message (card or evidence copy) that belongs to a case, so replies to them find their case."""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite

from bot.domain.vocabulary import OutboxKind, OutboxState
from bot.store.rows import CHUNK, Repository, marks


class Cards(Repository):
    async def record(self, case_id: int, chat_id: int, message_id: int) -> None:
        """A card was posted: it is the case's live card in that chat from now on."""
        await self.db.execute(
            "UPDATE cards SET live=0 WHERE case_id=? AND chat_id=?", (case_id, chat_id)
        )
        await self.db.execute(
            "INSERT OR REPLACE INTO cards (case_id, chat_id, message_id, live, posted_at)"
            " VALUES (?,?,?,1,?)",
            (case_id, chat_id, message_id, self.clock()),
        )

    async def _live_card(self, case_id: int, chat_id: int) -> aiosqlite.Row | None:
        """The case's live card in the chat (the latest, were two ever live)."""
        return await self._one(
            "SELECT message_id, picker, shown FROM cards WHERE case_id=? AND chat_id=? AND live=1"
            " ORDER BY posted_at DESC LIMIT 1",
            (case_id, chat_id),
        )

    async def live(self, case_id: int, chat_id: int) -> int | None:
        """The message id of the case's live card in the chat."""
        row = await self._live_card(case_id, chat_id)
        return int(row["message_id"]) if row else None

    async def case_of_card(self, chat_id: int, message_id: int) -> int | None:
        row = await self._one(
            "SELECT case_id FROM cards WHERE chat_id=? AND message_id=?", (chat_id, message_id)
        )
        return int(row["case_id"]) if row else None

    async def chats(self, case_id: int) -> list[int]:
        """Chats that show (or are about to show) a card of this case."""
        rows = await self._all(
            "SELECT chat_id FROM cards WHERE case_id=? AND live=1"
            " UNION SELECT chat_id FROM outbox WHERE case_id=? AND kind=? AND state=?",
            (case_id, case_id, OutboxKind.CARD, OutboxState.PENDING),
        )
        return sorted(r["chat_id"] for r in rows)

    async def live_chats_of(self, case_ids: list[int]) -> list[tuple[int, int]]:
        """(case, chat) for every posted card of these cases. A card still to be posted needs
        no edit: it is rendered when it is sent, and one in flight is caught up after."""
        pairs: list[tuple[int, int]] = []
        for start in range(0, len(case_ids), CHUNK):
            chunk = case_ids[start : start + CHUNK]
            rows = await self._all(
                f"SELECT DISTINCT case_id, chat_id FROM cards WHERE live=1"
                f" AND case_id IN ({marks(chunk)})",
                chunk,
            )
            pairs += [(int(r["case_id"]), int(r["chat_id"])) for r in rows]
        return pairs

    async def retire(self, case_id: int, chat_id: int) -> None:
        """The case's cards in the chat are no longer live (a fresh one is on its way)."""
        await self.db.execute(
            "UPDATE cards SET live=0 WHERE case_id=? AND chat_id=?", (case_id, chat_id)
        )

    async def picker(self, case_id: int, chat_id: int) -> str | None:
        """The picker open on the live card (a decision's reasons, or the escalation choice)."""
        row = await self._live_card(case_id, chat_id)
        return row["picker"] if row else None

    async def shown(self, case_id: int, chat_id: int) -> str | None:
        """The fingerprint of what the live card shows now (None: not known)."""
        row = await self._live_card(case_id, chat_id)
        return row["shown"] if row else None

    async def set_shown(self, case_id: int, chat_id: int, shown: str) -> None:
        await self.db.execute(
            "UPDATE cards SET shown=? WHERE case_id=? AND chat_id=? AND live=1",
            (shown, case_id, chat_id),
        )

    async def set_picker(self, case_id: int, chat_id: int, picker: str | None) -> None:
        await self.db.execute(
            "UPDATE cards SET picker=? WHERE case_id=? AND chat_id=? AND live=1",
            (picker, case_id, chat_id),
        )

    async def clear_pickers(self, case_id: int) -> None:
        await self.db.execute("UPDATE cards SET picker=NULL WHERE case_id=?", (case_id,))

    async def record_copies(self, case_id: int, chat_id: int, message_ids: Iterable[int]) -> None:
        """Evidence copies posted in moderator space belong to the case."""
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
