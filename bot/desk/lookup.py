"""Finding cases in moderator space: the queue, and re-posting a case's card at the bottom."""

from __future__ import annotations

from bot.desk.context import UseCase, parse_case_number
from bot.desk.evidence import post_case
from bot.domain.models import Person
from bot.outbox import sends
from bot.render.i18n import t
from bot.render.keyboards import post_buttons
from bot.render.lists import queue_text
from bot.render.timeline import timeline_text
from bot.store import Tx

QUEUE_LIMIT = 40


class Lookup(UseCase):
    async def case_of_card(self, chat_id: int, message_id: int) -> int | None:
        async with self.store.read() as tx:
            return await tx.cards.case_of_card(chat_id, message_id)

    async def queue(self, moderator: Person, chat_id: int) -> None:
        """/queue: undecided cases, most urgent and oldest first, each with a button."""
        config = self.config()
        if not config.is_moderator(moderator.id):
            return
        async with self.store.transaction() as tx:
            cases = await tx.cases.undecided(limit=QUEUE_LIMIT)
            overdue = {c.id: await tx.events.overdue_since(c.id, c.clock_start) for c in cases}
            text = queue_text(cases, overdue, config, tx.clock())
            await sends.message(
                tx,
                chat_id,
                text,
                buttons=post_buttons([c.id for c in cases]),
                priority=sends.PRIORITY_CARD_EDIT,
            )

    async def show_case(self, moderator: Person, chat_id: int, argument: str) -> None:
        """/case N: re-post a case's card with its history and evidence."""
        config = self.config()
        if not config.is_moderator(moderator.id):
            return
        async with self.store.transaction() as tx:
            case_id = parse_case_number(argument)
            if case_id is None or await tx.cases.get(case_id) is None:
                key = "case.usage" if case_id is None else "case.not_found"
                await sends.message(
                    tx,
                    chat_id,
                    t(config.language, key, case=case_id or 0),
                    priority=sends.PRIORITY_CARD_EDIT,
                )
                return
            # The timeline goes first, so the card and its evidence stay together below it.
            timeline = await tx.facts.timeline(case_id)
            if timeline is not None:
                await sends.message(
                    tx,
                    chat_id,
                    timeline_text(timeline, config, tx.clock()),
                    priority=sends.PRIORITY_CARD_EDIT,
                )
            await self.repost(tx, chat_id, case_id)

    async def repost(self, tx: Tx, chat_id: int, case_id: int) -> None:
        """A fresh card (and evidence) at the bottom; the old card becomes a one-line pointer."""
        if await tx.outbox.promote_pending_card(case_id, chat_id, sends.PRIORITY_CARD_EDIT):
            return  # its card is still queued: it goes out next instead of twice
        old = await tx.cards.live(case_id, chat_id)
        if old is not None:
            await tx.cards.retire(case_id, chat_id)
            await sends.pointer(tx, chat_id, case_id, old)
        await post_case(tx, self.config(), chat_id, case_id, priority=sends.PRIORITY_CARD_EDIT)
