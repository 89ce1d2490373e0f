"""Digests: when new cases arrive faster than the group's budget allows full cards, one message
lists them (a line and a `#N` button each), and their full cards follow by urgency.

A group takes about 20 messages a minute. New cases are posted as full cards (card + evidence)
only while the budget has room beyond a reserve kept for decisions' edits and digests; past
that, or when several wait at once, they are listed in a digest, every case visible with its own
#N button, and their full cards follow as budget frees up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.config import Config
from bot.domain.models import OutboxItem
from bot.domain.vocabulary import OutboxKind
from bot.outbox import sends
from bot.outbox.pacing import Pacer
from bot.render.lists import digest_capacity
from bot.store import Store

log = logging.getLogger(__name__)

GROUP_RESERVE = 6
DIGEST_THRESHOLD = 3
# A digest lists as many cases as a message holds: at most this many buttons (Telegram takes
# about 100 on a keyboard), and as many lines as fit in 4096 characters.
DIGEST_MAX_CASES = 95
# In a flood, a digest waits this long for more cases to gather, unless it is already full.
DIGEST_INTERVAL_SECONDS = 10.0


class Digests:
    def __init__(self, store: Store, pacer: Pacer, config: Callable[[], Config]) -> None:
        self.store = store
        self.pacer = pacer
        self.config = config
        self.clock = pacer.clock
        self.last_digest: dict[int, float] = {}

    @staticmethod
    def reserve_for(row: OutboxItem) -> int:
        """Backlog cards and detail-only edits leave the group's reserve alone."""
        if row.chat_id < 0 and row.priority >= sends.PRIORITY_REFRESH:
            return GROUP_RESERVE
        return 0

    async def instead_of(self, row: OutboxItem) -> float:
        """For a new card in a group: 0 to post it as it is, a positive wait while a digest
        gathers cases, or -1 when a digest was queued in its place."""
        if (
            row.kind is not OutboxKind.CARD
            or row.priority != sends.PRIORITY_NEW_CARD
            or row.chat_id >= 0
        ):
            return 0.0
        async with self.store.read() as tx:
            waiting = await tx.outbox.waiting_cards(row.chat_id, sends.PRIORITY_NEW_CARD)
        roomy = self.pacer.has_room(row.chat_id, 2 + GROUP_RESERVE)
        log.debug(
            "new card for %s: %d waiting, roomy=%s (%s)",
            row.chat_id,
            waiting,
            roomy,
            self.pacer.describe(row.chat_id),
        )
        if waiting < DIGEST_THRESHOLD and roomy:
            return 0.0
        since = self.clock() - self.last_digest.get(row.chat_id, float("-inf"))
        if waiting < DIGEST_MAX_CASES and since < DIGEST_INTERVAL_SECONDS:
            return DIGEST_INTERVAL_SECONDS - since
        self.last_digest[row.chat_id] = self.clock()
        async with self.store.transaction() as tx:
            cases = await tx.outbox.undigested_cards(
                row.chat_id, sends.PRIORITY_NEW_CARD, DIGEST_MAX_CASES
            )
            views = [view for case in cases if (view := await tx.case_view(case.id))]
            listed = [view.case for view in views[: digest_capacity(views, self.config())]]
            await tx.outbox.move_to_backlog(row.chat_id, listed, sends.PRIORITY_BACKLOG_BASE)
            await tx.outbox.enqueue(
                row.chat_id,
                OutboxKind.DIGEST,
                {"case_ids": [case.id for case in listed]},
                priority=sends.PRIORITY_CARD_EDIT,
            )
        return -1.0
