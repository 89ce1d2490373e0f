"""The conversation around a case: ForceReply prompts addressed to one moderator, and questions
asked of reporters. A reply to one of these messages is the input it asked for."""

from __future__ import annotations

from bot.domain.models import Prompt
from bot.domain.vocabulary import PromptKind
from bot.store.rows import Repository


class Prompts(Repository):
    async def record(
        self, chat_id: int, message_id: int, case_id: int, kind: PromptKind, moderator_id: int
    ) -> None:
        await self.db.execute(
            "INSERT OR REPLACE INTO prompts (chat_id, message_id, case_id, kind, moderator_id,"
            " created_at) VALUES (?,?,?,?,?,?)",
            (chat_id, message_id, case_id, kind, moderator_id, self.clock()),
        )

    async def get(self, chat_id: int, message_id: int) -> Prompt | None:
        return await self._record(
            Prompt, "SELECT * FROM prompts WHERE chat_id=? AND message_id=?", (chat_id, message_id)
        )

    async def delete(self, chat_id: int, message_id: int) -> None:
        await self.db.execute(
            "DELETE FROM prompts WHERE chat_id=? AND message_id=?", (chat_id, message_id)
        )

    async def delete_for_case(self, case_id: int, chat_id: int) -> None:
        await self.db.execute(
            "DELETE FROM prompts WHERE case_id=? AND chat_id=?", (case_id, chat_id)
        )

    async def record_question(self, chat_id: int, message_id: int, case_id: int) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO questions (chat_id, message_id, case_id, created_at)"
            " VALUES (?,?,?,?)",
            (chat_id, message_id, case_id, self.clock()),
        )

    async def question_case(self, chat_id: int, message_id: int) -> int | None:
        """The case a question (sent to a reporter as this message) was about."""
        row = await self._one(
            "SELECT case_id FROM questions WHERE chat_id=? AND message_id=?",
            (chat_id, message_id),
        )
        return int(row["case_id"]) if row else None
