"""Posting a case in a chat: its card and the evidence copied beside it, each item once."""

from __future__ import annotations

from bot.outbox import sends
from bot.store import Tx


async def case_evidence(tx: Tx, case_id: int) -> list[tuple[int, list[int]]]:
    """The case's evidence as copy batches (chat, message ids), each distinct item once."""
    seen: set[str] = set()
    batches: list[tuple[int, list[int]]] = []
    for report in await tx.reports.with_items(case_id):
        fresh = [
            i
            for i in await tx.items.of_report(report.id)
            if i.identity not in seen and i.erased_at is None  # erased: nothing left to copy
        ]
        seen.update(i.identity for i in fresh)
        if fresh:
            batches.append((report.chat_id, [i.message_id for i in fresh]))
    return batches


async def post_case(
    tx: Tx, chat_id: int, case_id: int, *, priority: int = sends.PRIORITY_NEW_CARD
) -> None:
    """A card for the case in the chat, and its evidence after it."""
    await sends.new_card(tx, chat_id, case_id, priority=priority)
    for from_chat, message_ids in await case_evidence(tx, case_id):
        await sends.evidence(tx, chat_id, case_id, from_chat, message_ids, priority=priority)


async def attach_evidence(tx: Tx, case_id: int, from_chat: int, message_ids: list[int]) -> None:
    """New material on a case is copied under each of its cards."""
    for chat in await tx.cards.chats(case_id):
        await sends.evidence(tx, chat, case_id, from_chat, message_ids)
