"""The outbox worker: sends what transactions recorded, once, in order, paced, retried.

Rows are taken by priority, then age. A row that must wait (paced, held, or waiting for its card)
never hides the rows behind it. Failures are handled by their class: a 429 pauses the chat,
network trouble backs off, an unreachable moderator space is held (its queue kept, the admins
told once), a reporter who blocked the bot is dropped and recorded, and a refused token pauses
every send (nothing is failed for it) until Telegram accepts the token again. While storage
fails, nothing new is sent: what Telegram accepted is recorded first.

Every wait inside the process runs on a monotonic clock, so moving the wall clock freezes
nothing.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from enum import Enum

from bot.config import Config
from bot.domain.models import OutboxItem
from bot.domain.vocabulary import OutboxState
from bot.ops.health import Health
from bot.outbox.deliveries import Deferred, Deliveries, NotRecorded, cost
from bot.outbox.delivery import ChatAlerts, DeliveryError, Failure, Transport
from bot.outbox.digest import Digests
from bot.outbox.pacing import Pacer
from bot.store import Store
from bot.store.errors import describe, is_storage_failure

log = logging.getLogger(__name__)

HOLD_RETRY_SECONDS = 60.0
# With nothing to send, the worker sleeps until a transaction wakes it, or this long.
IDLE_SECONDS = 60.0
MIN_WAIT_SECONDS = 0.01


class Tried(Enum):
    SENT = "sent"  # something was sent (or queued in its place): look again at once
    DEFERRED = "deferred"  # the row waits for another row of its chat (its card)
    NOT_RECORDED = "not recorded"  # Telegram took it, storage did not: send nothing more now


MAX_BACKOFF_SECONDS = 60.0
# While Telegram refuses the token, a send is tried again after this long, doubling up to 60 s.
REFUSED_RETRY_SECONDS = 2.0
# While storage fails, recording is tried again after this long, doubling up to 30 s.
STORAGE_RETRY_SECONDS = 0.5
MAX_STORAGE_RETRY_SECONDS = 30.0


class OutboxWorker:
    def __init__(
        self,
        store: Store,
        transport: Transport,
        config: Callable[[], Config],
        pacer: Pacer,
        alerts: ChatAlerts,
        health: Health,
    ) -> None:
        self.store = store
        self.config = config
        self.pacer = pacer
        self.alerts = alerts
        self.health = health
        self.clock = pacer.clock
        self.deliveries = Deliveries(store, transport, config, pacer)
        self.digests = Digests(store, pacer, config)
        self.held_until: dict[int, float] = {}
        # Chats the admins were told are unreachable: a send that goes through there says so.
        self.alerted: set[int] = set()
        self.retry_at: dict[int, float] = {}
        self.paused_until = float("-inf")
        self.refusals = 0
        self.storage_failures = 0
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
            # Cleared before the step, so a row written while it runs wakes the next wait.
            self._wake.clear()
            try:
                delay = await self.step()
            except Exception as error:
                if is_storage_failure(error):
                    log.warning("sending waits for storage: %s", describe(error))
                    delay = self._storage_failed()
                else:
                    log.exception("outbox step failed; retrying shortly")
                    delay = 1.0
            if delay == 0:
                continue
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
            try:
                delay = await self.step()
            except Exception as error:  # what is left is sent after the next start
                log.warning("the shutdown flush stopped early: %s", describe(error))
                return
            if delay > 0:
                if delay > deadline - time.monotonic():
                    return
                await asyncio.sleep(min(delay, 0.2))

    async def step(self) -> float:
        """Send one ready row; 0 when something was sent, else seconds until one may be ready.
        Only each chat's next row is looked at (a chat's rows go in order), so a long queue
        costs no more than a short one; with nothing to send it sleeps until woken."""
        now = self.clock()
        if now < self.paused_until:
            return self.paused_until - now
        if not await self.deliveries.record_unrecorded():
            return self._storage_failed()
        self.storage_failures = 0
        soonest = IDLE_SECONDS
        async with self.store.read() as tx:
            heads = await tx.outbox.heads()
        for head in heads:
            row: OutboxItem | None = head
            while row is not None:
                outcome = await self._try(row, now)
                if outcome is Tried.SENT:
                    return 0.0
                if outcome is Tried.NOT_RECORDED:
                    return self._storage_failed()
                if not isinstance(outcome, Tried):
                    soonest = min(soonest, outcome)
                    break
                async with self.store.read() as tx:
                    row = await tx.outbox.next_in_chat(row)
        return max(MIN_WAIT_SECONDS, soonest)

    async def _try(self, row: OutboxItem, now: float) -> float | Tried:
        """Send the row if it may go now: SENT, DEFERRED (it waits for its card), NOT_RECORDED,
        or the seconds until its chat may take it."""
        retry_at = self.retry_at.get(row.id)
        if retry_at is not None and now < retry_at:
            return retry_at - now
        held = self.held_until.get(row.chat_id)
        if held is not None:
            if now < held:
                return held - now
            del self.held_until[row.chat_id]
        wait = self.pacer.wait(row.chat_id, cost(row), reserve=self.digests.reserve_for(row))
        if wait == 0:
            wait = await self.digests.instead_of(row)
        if wait > 0:
            return wait
        if wait < 0:
            return Tried.SENT  # a digest was queued in place of this card
        try:
            await self.deliver(row)
        except Deferred:
            return Tried.DEFERRED
        except NotRecorded:
            return Tried.NOT_RECORDED
        return Tried.SENT

    def _storage_failed(self) -> float:
        self.storage_failures += 1
        return float(
            min(
                MAX_STORAGE_RETRY_SECONDS,
                STORAGE_RETRY_SECONDS * 2 ** min(self.storage_failures, 10),
            )
        )

    async def deliver(self, row: OutboxItem) -> None:
        try:
            await self.deliveries.deliver(row)
        except DeliveryError as error:
            await self._failed(row, error)
            return
        self.retry_at.pop(row.id, None)
        self.refusals = 0
        self.health.token.accepted()
        if row.chat_id in self.alerted:
            await self.alerts.reachable(row.chat_id)
            self.alerted.discard(row.chat_id)  # only once told: a storage failure tries again

    async def _failed(self, row: OutboxItem, error: DeliveryError) -> None:
        failure = error.failure
        now = self.clock()
        if failure is Failure.RETRY_AFTER:
            seconds = error.retry_after or 1.0
            log.warning("429 for chat %s: pausing it %.0f s", row.chat_id, seconds)
            self.pacer.pause(row.chat_id, seconds)
            return
        if failure is Failure.BOT_REFUSED:
            self.health.token.refused(error.description)
            self.refusals += 1
            pause = min(MAX_BACKOFF_SECONDS, REFUSED_RETRY_SECONDS * 2 ** min(self.refusals, 5))
            self.paused_until = now + pause
            return
        if failure is Failure.TRANSIENT:
            backoff = min(MAX_BACKOFF_SECONDS, 2 ** min(row.attempts, 6)) * random.uniform(0.5, 1)
            log.warning("send to %s failed (%s); retry in %.1f s", row.chat_id, error, backoff)
            self.retry_at[row.id] = now + backoff
            async with self.store.transaction() as tx:
                await tx.outbox.retry_later(row.id, error.description)
            return
        if failure is Failure.NOT_MODIFIED:
            await self.deliveries.finish(row, OutboxState.SENT)
            return
        gone = failure in (Failure.CHAT_UNAVAILABLE, Failure.RECIPIENT_GONE)
        if gone and self.config().is_moderator_space(row.chat_id):
            await self._hold(row.chat_id, error.description)
            return
        if gone:
            log.info("dropping a send to %s: %s", row.chat_id, error.description)
            async with self.store.transaction() as tx:
                await tx.outbox.finish(row.id, OutboxState.DROPPED, error=error.description)
                await tx.users.mark_blocked(row.chat_id)
            return
        log.error("outbox row %s (%s) failed for good: %s", row.id, row.kind, error)
        await self.deliveries.finish(row, OutboxState.FAILED, error=error.description)

    async def _hold(self, chat_id: int, description: str) -> None:
        """Keep moderator space's queue; tell the admins once; retry now and then."""
        log.warning("chat %s is unreachable (%s): holding its queue", chat_id, description)
        self.held_until[chat_id] = self.clock() + HOLD_RETRY_SECONDS
        self.alerted.add(chat_id)
        await self.alerts.unreachable(chat_id, description)
