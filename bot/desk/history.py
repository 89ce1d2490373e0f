"""The shared tail of every change to a case: the event log, the first action, the cards."""

from __future__ import annotations

from bot.domain.models import Person
from bot.domain.vocabulary import EventKind
from bot.outbox import sends
from bot.render.text import mention
from bot.store import Tx


async def record(
    tx: Tx, case_id: int, kind: EventKind, actor: Person, detail: str | None = None
) -> None:
    """A moderator's action: it counts as the first action, is logged, and cards show it."""
    await tx.cases.mark_first_action(case_id)
    await tx.facts.acted(case_id, kind, actor.id, actor.name)
    await tx.events.add(case_id, kind, actor_id=actor.id, actor_name=actor.name, detail=detail)
    await refresh_cards(tx, case_id)


async def refresh_cards(tx: Tx, case_id: int, *, priority: int = sends.PRIORITY_CARD_EDIT) -> None:
    """Every card of the case is brought up to date (rendered when sent)."""
    for chat in await tx.cards.chats(case_id):
        await sends.card_edit(tx, chat, case_id, priority=priority)


async def on_duty_mentions(tx: Tx, on_duty: list[int]) -> str:
    """Mentions of the on-duty moderators, by the names the bot has seen them use."""
    names = await tx.users.names(on_duty)
    return ", ".join(mention(uid, names.get(uid, str(uid))) for uid in on_duty)
