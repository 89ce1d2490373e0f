"""The outbox worker: sends what transactions recorded, once, in order, paced, retried.

Rows are taken by priority, then age. A row is marked sent in the transaction that records what
Telegram returned (a card's message id), so nothing recorded as sent is sent again; the only
repeat possible is a crash after Telegram accepted a send and before that transaction.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Callable
from typing import Protocol

from bot import sends
from bot.config import Config
from bot.delivery import DeliveryError, Failure
from bot.i18n import t
from bot.models import Button, Item, OutboxItem, Rendered
from bot.pacing import Pacer
from bot.render import pointer_text, render_card, render_digest
from bot.store import Queries, Store

log = logging.getLogger(__name__)

HOLD_RETRY_SECONDS = 60.0
PAGE_SIZE = 200
# A group takes about 20 messages a minute. New cases are posted as full cards (card + evidence)
# only while the budget has room beyond a reserve kept for decisions' edits and digests; past
# that, or when several wait at once, they are listed in a digest (one message, every case
# visible with its own #N button), and their full cards follow by urgency as budget frees up.
GROUP_RESERVE = 6
DIGEST_THRESHOLD = 3
DIGEST_MAX_CASES = 30
# In a flood, a digest waits this long for more cases to gather, unless it is already full.
DIGEST_INTERVAL_SECONDS = 10.0
MAX_BACKOFF_SECONDS = 60.0


class Transport(Protocol):
    async def send_message(
        self,
        chat_id: int,
        text: str,
        buttons: list[list[Button]],
        reply_to: int | None = None,
        *,
        force_reply: bool = False,
    ) -> int: ...

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, buttons: list[list[Button]]
    ) -> None: ...

    async def copy_messages(
        self, chat_id: int, from_chat_id: int, message_ids: list[int], reply_to: int | None
    ) -> list[int]: ...

    async def leave_chat(self, chat_id: int) -> None: ...

    async def resend_items(
        self, chat_id: int, items: list[Item], reply_to: int | None
    ) -> list[int]: ...


class Deferred(Exception):
    """The row depends on another that has not been sent yet; try it again later."""


def _buttons(payload: dict[str, object]) -> list[list[Button]]:
    rows = payload.get("buttons") or []
    assert isinstance(rows, list)
    return [[Button(text, data) for text, data in row] for row in rows]


def cost(row: OutboxItem) -> int:
    if row.kind == sends.KIND_EVIDENCE:
        return len(row.payload["message_ids"])
    return 1


def is_moderator_space(config: Config, chat_id: int) -> bool:
    return chat_id in (config.moderation.chat_id, config.moderation.escalation_chat_id)


class OutboxWorker:
    def __init__(
        self,
        store: Store,
        transport: Transport,
        config: Callable[[], Config],
        pacer: Pacer,
    ) -> None:
        self.store = store
        self.transport = transport
        self.config = config
        self.pacer = pacer
        self.clock = store.clock
        self.held_until: dict[int, float] = {}
        self.last_digest: dict[int, float] = {}
        self._wake = asyncio.Event()
        store.on_outbox_written(self.wake)

    def wake(self) -> None:
        self._wake.set()

    def resume(self, chat_id: int) -> None:
        """The chat may be reachable again (the bot was re-added, or the config changed)."""
        self.held_until.pop(chat_id, None)
        self.wake()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                delay = await self.step()
            except Exception:
                log.exception("outbox step failed; retrying shortly")
                delay = 1.0
            if delay == 0:
                continue
            self._wake.clear()
            stopping = asyncio.create_task(stop.wait())
            woken = asyncio.create_task(self._wake.wait())
            _, pending = await asyncio.wait(
                {stopping, woken}, timeout=delay, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()

    async def drain(self, seconds: float) -> None:
        """Send what is ready for at most `seconds` of wall time (used at shutdown)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            delay = await self.step()
            if delay > 0:
                if delay > deadline - time.monotonic():
                    return
                await asyncio.sleep(min(delay, 0.2))

    async def step(self) -> float:
        """Send one ready row; 0 when something was sent, else seconds until one may be ready."""
        async with self.store.read() as q:
            next_due = await q.next_outbox_due()
        now = self.clock()
        soonest = 5.0 if next_due is None else max(0.05, min(5.0, next_due - now))
        blocked_chats: set[int] = set()
        async for row in self._pending_rows():
            if row.chat_id in blocked_chats:
                continue
            held = self.held_until.get(row.chat_id)
            if held is not None:
                if now < held:
                    blocked_chats.add(row.chat_id)
                    soonest = min(soonest, held - now)
                    continue
                del self.held_until[row.chat_id]
            wait = self.pacer.wait(row.chat_id, cost(row), reserve=self._reserve_for(row))
            if wait == 0:
                wait = await self._digest_instead(row)
            if wait > 0:
                blocked_chats.add(row.chat_id)
                soonest = min(soonest, wait)
                continue
            if wait < 0:
                return 0.0  # a digest was queued in place of this card
            try:
                await self.deliver(row)
            except Deferred:
                continue
            return 0.0
        return soonest

    @staticmethod
    def _reserve_for(row: OutboxItem) -> int:
        """Backlog cards and detail-only edits leave the group's reserve alone."""
        if row.chat_id < 0 and row.priority >= sends.PRIORITY_REFRESH:
            return GROUP_RESERVE
        return 0

    async def _pending_rows(self) -> AsyncIterator[OutboxItem]:
        """Every sendable row in order, a page at a time, so rows that must wait (paced,
        held, or waiting for their card) never hide the ones behind them."""
        after: tuple[int, int] | None = None
        while True:
            async with self.store.read() as q:
                page = await q.pending_outbox(PAGE_SIZE, after)
            for row in page:
                yield row
            if len(page) < PAGE_SIZE:
                return
            after = (page[-1].priority, page[-1].id)

    async def _digest_instead(self, row: OutboxItem) -> float:
        """For a new card in a group: 0 to post it as it is, a positive wait while a digest
        gathers cases, or -1 when a digest was queued in its place (see GROUP_RESERVE)."""
        if (
            row.kind != sends.KIND_CARD
            or row.priority != sends.PRIORITY_NEW_CARD
            or row.chat_id >= 0
        ):
            return 0.0
        async with self.store.read() as q:
            waiting = await q.undigested_cards(row.chat_id, sends.PRIORITY_NEW_CARD)
        roomy = self.pacer.has_room(row.chat_id, 2 + GROUP_RESERVE)
        log.debug(
            "new card for %s: %d waiting, roomy=%s (%s)",
            row.chat_id,
            len(waiting),
            roomy,
            self.pacer.describe(row.chat_id),
        )
        if len(waiting) < DIGEST_THRESHOLD and roomy:
            return 0.0
        since = self.clock() - self.last_digest.get(row.chat_id, float("-inf"))
        if len(waiting) < DIGEST_MAX_CASES and since < DIGEST_INTERVAL_SECONDS:
            return DIGEST_INTERVAL_SECONDS - since
        self.last_digest[row.chat_id] = self.clock()
        async with self.store.transaction() as q:
            waiting = await q.undigested_cards(row.chat_id, sends.PRIORITY_NEW_CARD)
            listed = waiting[:DIGEST_MAX_CASES]
            await q.move_to_backlog(row.chat_id, listed, sends.PRIORITY_BACKLOG_BASE)
            await q.enqueue(
                row.chat_id,
                sends.KIND_DIGEST,
                {"case_ids": [case.id for case in listed]},
                priority=sends.PRIORITY_CARD_EDIT,
            )
        return -1.0

    async def deliver(self, row: OutboxItem) -> None:
        try:
            if row.kind == sends.KIND_MESSAGE:
                await self._send_message(row)
            elif row.kind == sends.KIND_CARD:
                await self._send_card(row)
            elif row.kind == sends.KIND_CARD_EDIT:
                await self._edit_card(row)
            elif row.kind == sends.KIND_EVIDENCE:
                await self._copy_evidence(row)
            elif row.kind == sends.KIND_POINTER:
                await self._edit_to_pointer(row)
            elif row.kind == sends.KIND_DIGEST:
                await self._send_digest(row)
            elif row.kind == sends.KIND_LEAVE:
                await self.transport.leave_chat(row.chat_id)
                await self._finish(row, "sent")
            else:
                await self._finish(row, "failed", error=f"unknown kind {row.kind}")
        except DeliveryError as error:
            await self._failed(row, error)

    async def _finish(
        self, row: OutboxItem, state: str, *, result: object = None, error: str | None = None
    ) -> None:
        async with self.store.transaction() as q:
            await q.finish_outbox(row.id, state, result=result, error=error)
        await self._reachable(row.chat_id)

    async def _send_message(self, row: OutboxItem) -> None:
        record = row.payload.get("record")
        reply_to = None
        if record and "prompt" in record and row.case_id is not None:
            async with self.store.read() as q:
                reply_to = await q.live_card(row.case_id, row.chat_id)
        self.pacer.record(row.chat_id)
        message_id = await self.transport.send_message(
            row.chat_id,
            str(row.payload["text"]),
            _buttons(row.payload),
            reply_to,
            force_reply=bool(row.payload.get("force_reply")),
        )
        async with self.store.transaction() as q:
            if record and row.case_id is not None:
                if "prompt" in record:
                    await q.record_prompt(
                        row.chat_id, message_id, row.case_id, record["prompt"], record["moderator"]
                    )
                if "question" in record:
                    await q.record_question(row.chat_id, message_id, row.case_id)
            await q.finish_outbox(row.id, "sent", result=[message_id])
        await self._reachable(row.chat_id)

    async def _send_card(self, row: OutboxItem) -> None:
        assert row.case_id is not None
        async with self.store.read() as q:
            view = await q.case_view(row.case_id)
        if view is None:
            await self._finish(row, "failed", error="case not found")
            return
        rendered = render_card(view, self.config())
        self.pacer.record(row.chat_id)
        message_id = await self.transport.send_message(row.chat_id, rendered.text, rendered.buttons)
        async with self.store.transaction() as q:
            await q.record_card(row.case_id, row.chat_id, message_id)
            await q.finish_outbox(row.id, "sent", result=[message_id])
            await self._catch_up(q, row, rendered)
        await self._reachable(row.chat_id)

    async def _catch_up(self, q: Queries, row: OutboxItem, sent: Rendered) -> None:
        """The case may have changed while its card was in flight (an edit arriving then was
        folded into this one): if what we sent is already stale, queue one more edit."""
        assert row.case_id is not None
        view = await q.case_view(row.case_id)
        picker = await q.live_card_picker(row.case_id, row.chat_id)
        if view is not None and render_card(view, self.config(), picker) != sent:
            await sends.card_edit(q, row.chat_id, row.case_id)

    async def _card_message(self, q: Queries, row: OutboxItem) -> int | None:
        """The live card this row refers to; Deferred while that card is still to be posted."""
        assert row.case_id is not None
        message_id = await q.live_card(row.case_id, row.chat_id)
        if message_id is None and await q.pending_outbox_exists(
            sends.KIND_CARD, row.chat_id, row.case_id, before_id=row.id
        ):
            raise Deferred
        return message_id

    async def _edit_card(self, row: OutboxItem) -> None:
        assert row.case_id is not None
        async with self.store.read() as q:
            message_id = await self._card_message(q, row)
            view = await q.case_view(row.case_id)
            picker = await q.live_card_picker(row.case_id, row.chat_id)
        if message_id is None or view is None:
            await self._finish(row, "skipped", error="no card to edit")
            return
        rendered = render_card(view, self.config(), picker)
        self.pacer.record(row.chat_id)
        try:
            await self.transport.edit_message(
                row.chat_id, message_id, rendered.text, rendered.buttons
            )
        except DeliveryError as error:
            if error.failure is Failure.TARGET_MISSING:
                # Someone deleted the card: post it afresh so the case stays visible.
                async with self.store.transaction() as q:
                    await q.finish_outbox(row.id, "failed", error=error.description)
                    await sends.new_card(q, row.chat_id, row.case_id)
                return
            if error.failure is not Failure.NOT_MODIFIED:
                raise
        async with self.store.transaction() as q:
            await q.finish_outbox(row.id, "sent", result=[message_id])
            await self._catch_up(q, row, rendered)
        await self._reachable(row.chat_id)

    async def _send_digest(self, row: OutboxItem) -> None:
        async with self.store.read() as q:
            views = [await q.case_view(int(case_id)) for case_id in row.payload["case_ids"]]
        rendered = render_digest([v for v in views if v is not None], self.config())
        self.pacer.record(row.chat_id)
        message_id = await self.transport.send_message(row.chat_id, rendered.text, rendered.buttons)
        await self._finish(row, "sent", result=[message_id])

    async def _edit_to_pointer(self, row: OutboxItem) -> None:
        assert row.case_id is not None
        self.pacer.record(row.chat_id)
        text = pointer_text(row.case_id, self.config().language)
        try:
            await self.transport.edit_message(row.chat_id, int(row.payload["message_id"]), text, [])
        except DeliveryError as error:
            if error.failure not in (Failure.NOT_MODIFIED, Failure.TARGET_MISSING):
                raise
        await self._finish(row, "sent")

    async def _copy_evidence(self, row: OutboxItem) -> None:
        async with self.store.read() as q:
            card = await self._card_message(q, row)
        message_ids = [int(m) for m in row.payload["message_ids"]]
        from_chat = int(row.payload["from_chat_id"])
        self.pacer.record(row.chat_id, len(message_ids))
        try:
            copied = await self.transport.copy_messages(row.chat_id, from_chat, message_ids, card)
        except DeliveryError as error:
            if error.failure is not Failure.TARGET_MISSING:
                raise
            # The reporter deleted the original: send the evidence again from what we stored.
            async with self.store.read() as q:
                items = [await q.item_by_message(from_chat, m) for m in message_ids]
            copied = await self.transport.resend_items(
                row.chat_id, [i for i in items if i is not None], card
            )
        async with self.store.transaction() as q:
            if row.case_id is not None:
                await q.record_case_messages(row.case_id, row.chat_id, copied)
            await q.finish_outbox(row.id, "sent", result=copied)
        await self._reachable(row.chat_id)

    async def _failed(self, row: OutboxItem, error: DeliveryError) -> None:
        failure = error.failure
        now = self.clock()
        moderator_space = is_moderator_space(self.config(), row.chat_id)
        if failure is Failure.RETRY_AFTER:
            seconds = error.retry_after or 1.0
            log.warning("429 for chat %s: pausing it %.0f s", row.chat_id, seconds)
            self.pacer.pause(row.chat_id, seconds)
            return
        if failure is Failure.TRANSIENT:
            backoff = min(MAX_BACKOFF_SECONDS, 2 ** min(row.attempts, 6)) * random.uniform(0.5, 1)
            log.warning("send to %s failed (%s); retry in %.1f s", row.chat_id, error, backoff)
            async with self.store.transaction() as q:
                await q.retry_outbox_later(row.id, now + backoff, error.description)
            return
        if failure is Failure.NOT_MODIFIED:
            await self._finish(row, "sent")
            return
        if moderator_space and failure in (
            Failure.CHAT_UNAVAILABLE,
            Failure.RECIPIENT_GONE,
        ):
            await self._hold(row.chat_id, error.description)
            return
        if failure in (Failure.RECIPIENT_GONE, Failure.CHAT_UNAVAILABLE):
            log.info("dropping a send to %s: %s", row.chat_id, error.description)
            async with self.store.transaction() as q:
                await q.finish_outbox(row.id, "dropped", error=error.description)
                await q.mark_blocked(row.chat_id)
            return
        log.error("outbox row %s (%s) failed for good: %s", row.id, row.kind, error)
        async with self.store.transaction() as q:
            await q.finish_outbox(row.id, "failed", error=error.description)

    async def _hold(self, chat_id: int, description: str) -> None:
        """Keep moderator space's queue; tell the admins once; retry now and then."""
        log.warning("chat %s is unreachable (%s): holding its queue", chat_id, description)
        self.held_until[chat_id] = self.clock() + HOLD_RETRY_SECONDS
        key = f"alerted:unreachable:{chat_id}"
        config = self.config()
        async with self.store.transaction() as q:
            if await q.get_meta(key) is not None:
                return
            await q.set_meta(key, description)
            for admin in config.admins:
                await q.enqueue(
                    admin,
                    sends.KIND_MESSAGE,
                    {
                        "text": t(
                            config.language,
                            "alert.chat_unreachable",
                            chat=chat_id,
                            reason=description,
                        )
                    },
                    priority=sends.PRIORITY_PERSON,
                )

    async def _reachable(self, chat_id: int) -> None:
        """A send went through: a chat we had alerted about is back."""
        if chat_id >= 0:
            return
        key = f"alerted:unreachable:{chat_id}"
        async with self.store.transaction() as q:
            if await q.get_meta(key) is not None:
                await q.delete_meta(key)
                log.info("chat %s is reachable again", chat_id)
