"""Durable long polling: record each update before confirming it, process each exactly once.

python-telegram-bot's Updater confirms a batch to Telegram before handlers finish, so a crash
loses it. Here a batch is written to the inbox (deduplicated by what it is, not by update id) and
the offset is advanced in that same transaction; Telegram is told on the next poll. Each inbox row
is then handed to the Application; the handler's own transaction marks it processed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import warnings
from typing import Any

from telegram import Update
from telegram.error import Conflict
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.store import Store, current_update

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 25
OFFSET_KEY = "poll_offset"
LAST_UPDATE_KEY = "poll_last_update_at"
QUIET_WEEK_SECONDS = 6 * 24 * 3600.0


def dedup_key(update: dict[str, Any]) -> str:
    """What an update is about, stable across redelivery (update ids may restart at random)."""
    message = update.get("message")
    if message:
        return f"message:{message['chat']['id']}:{message['message_id']}"
    query = update.get("callback_query")
    if query:
        return f"query:{query['id']}"
    member = update.get("my_chat_member")
    if member:
        status = member.get("new_chat_member", {}).get("status")
        return f"member:{member['chat']['id']}:{member['date']}:{status}"
    return f"update:{update['update_id']}"


class Poller:
    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        store: Store,
        *,
        poll_timeout: int = POLL_TIMEOUT_SECONDS,
    ) -> None:
        self.application = application
        self.store = store
        self.poll_timeout = poll_timeout
        self.allowed_updates: list[str] = []

    async def fetch(self, wait: int | None = None) -> int:
        """One getUpdates call; returns how many new updates were recorded."""
        if wait is None:
            wait = self.poll_timeout
        async with self.store.read() as tx:
            offset = int(await tx.meta.get(OFFSET_KEY) or 0)
            last_update_at = float(await tx.meta.get(LAST_UPDATE_KEY) or 0)
        if last_update_at and self.store.clock() - last_update_at > QUIET_WEEK_SECONDS:
            # After a week without updates Telegram picks the next update id at random, possibly
            # below our offset; ask for everything unconfirmed (the inbox drops repeats).
            offset = 0
        with warnings.catch_warnings():
            # PTB suggests bot.get_updates, which parses; we need the raw JSON to store it.
            warnings.simplefilter("ignore", PTBUserWarning)
            result = await self.application.bot.do_api_request(
                "getUpdates",
                api_kwargs={
                    "offset": offset,
                    "timeout": wait,
                    "allowed_updates": self.allowed_updates,
                },
                read_timeout=wait + 10,
            )
        updates: list[dict[str, Any]] = list(result) if isinstance(result, list) else []
        if not updates:
            return 0
        recorded = 0
        async with self.store.transaction() as tx:
            for update in updates:
                if await tx.inbox.record(
                    dedup_key(update), update["update_id"], json.dumps(update)
                ):
                    recorded += 1
            newest = max(int(u["update_id"]) for u in updates)
            await tx.meta.set(OFFSET_KEY, str(newest + 1))
            await tx.meta.set(LAST_UPDATE_KEY, str(self.store.clock()))
        return recorded

    async def process_pending(self) -> int:
        """Hand every recorded, unprocessed update to the handlers, oldest first."""
        handled = 0
        while True:
            async with self.store.read() as tx:
                batch = await tx.inbox.unprocessed()
            if not batch:
                return handled
            for inbox_id, payload in batch:
                await self._process(inbox_id, payload)
                handled += 1

    async def _process(self, inbox_id: int, payload: str) -> None:
        token = current_update.set(inbox_id)
        try:
            update = Update.de_json(json.loads(payload), self.application.bot)
            await self.application.process_update(update)
        except Exception:
            log.exception("update %s could not be processed; skipping it", inbox_id)
        finally:
            current_update.reset(token)
        async with self.store.transaction() as tx:
            await tx.inbox.mark_processed(inbox_id)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop`; the update in hand is finished, a pending long poll abandoned."""
        failures = 0
        while not stop.is_set():
            fetch = asyncio.create_task(self.fetch())
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not fetch.done():
                fetch.cancel()
                await asyncio.gather(fetch, return_exceptions=True)
                break
            try:
                fetch.result()
                failures = 0
            except Conflict:
                log.error("another process is polling with this token; retrying in 10 s")
                await _sleep_unless(stop, 10)
                continue
            except Exception as error:  # network, Telegram or storage: never let polling die
                failures += 1
                delay = min(30.0, 0.5 * 2**failures)
                log.warning("getUpdates failed (%s); retrying in %.1f s", error, delay)
                await _sleep_unless(stop, delay)
                continue
            try:
                await self.process_pending()
            except Exception:
                log.exception("processing recorded updates failed; retrying after the next poll")
                await _sleep_unless(stop, 1.0)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
