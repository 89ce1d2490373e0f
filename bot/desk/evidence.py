"""Evidence under a case's card: each distinct item once per chat, as replies to the card.

A case copies at most `intake.evidence_auto` messages into a chat by itself (an album is never
split: a first album larger than that is posted whole and fills the budget); the card offers the
rest, and a moderator's press posts the next batch. Evidence waits until new cases are visible
(see outbox/sends.py), then goes by the case's priority.
"""

from __future__ import annotations

from bot.config import Config
from bot.domain.models import Case, Item
from bot.outbox import sends
from bot.store import Tx


def evidence_units(items: list[Item]) -> list[list[Item]]:
    """The items as the messages they are posted as: one each, an album's items together."""
    units: list[list[Item]] = []
    for item in items:
        last = units[-1][-1] if units else None
        same_album = (
            last is not None
            and item.media_group_id is not None
            and (item.chat_id, item.media_group_id) == (last.chat_id, last.media_group_id)
        )
        if same_album:
            units[-1].append(item)
        else:
            units.append([item])
    return units


async def queue_evidence(
    tx: Tx,
    chat_id: int,
    case: Case,
    *,
    limit: int | None,
    fair_key: str | None = None,
    queued_before: int | None = None,
) -> int:
    """Queue the case's items not yet queued in the chat, up to `limit` messages (None: all),
    never splitting an album; returns how many messages were queued. `queued_before`: how
    many were queued already, when the caller has just counted them."""
    before = queued_before
    if before is None:
        _, before = await tx.items.evidence_counts(case.id, chat_id)
    queued = 0
    identities: list[str] = []
    for unit in evidence_units(await tx.items.evidence_waiting(case.id, chat_id)):
        if limit is not None and (before + queued) > 0 and queued + len(unit) > limit:
            break
        await sends.evidence(
            tx,
            chat_id,
            case.id,
            unit[0].chat_id,
            [item.message_id for item in unit],
            album=unit[0].media_group_id is not None and len(unit) > 1,
            priority=sends.evidence_priority(case.priority),
            fair_key=fair_key,
        )
        identities += [item.identity for item in unit]
        queued += len(unit)
        if limit is not None and queued >= limit:
            break
    await tx.items.mark_queued(case.id, chat_id, identities)
    return queued


async def auto_evidence(
    tx: Tx, config: Config, chat_id: int, case: Case, fair_key: str | None = None
) -> int:
    """What the case posts in the chat by itself: up to its budget, counting what it posted."""
    _, queued = await tx.items.evidence_counts(case.id, chat_id)
    room = config.intake.evidence_auto - queued
    if room <= 0:
        return 0
    return await queue_evidence(
        tx, chat_id, case, limit=room, fair_key=fair_key, queued_before=queued
    )


async def post_case(
    tx: Tx,
    config: Config,
    chat_id: int,
    case_id: int,
    *,
    priority: int = sends.PRIORITY_NEW_CARD,
    fair_key: str | None = None,
) -> None:
    """A card for the case in the chat, and its evidence below it, counted afresh."""
    case = await tx.cases.get(case_id)
    if case is None:
        return
    await sends.new_card(tx, chat_id, case_id, priority=priority, fair_key=fair_key)
    await tx.items.forget_queued(case_id, chat_id)
    await auto_evidence(tx, config, chat_id, case, fair_key)


async def attach_evidence(tx: Tx, config: Config, case_id: int) -> None:
    """New material on a case goes under each of its cards, as far as the budget allows."""
    case = await tx.cases.get(case_id)
    if case is None:
        return
    for chat in await tx.cards.chats(case_id):
        await auto_evidence(tx, config, chat, case)
