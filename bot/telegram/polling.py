"""Durable long polling: record each update before confirming it, process each exactly once.

python-telegram-bot's Updater confirms a batch to Telegram before handlers finish, so a crash
loses it. Here a batch is written to the inbox (deduplicated by what it is, not by update id) and
the offset is advanced in that same transaction; Telegram is told on the next poll. Each inbox row
is then handed to the Application; the handler's own transaction marks it processed.

An update whose effect could not be stored is never marked processed: when storage fails it is
retried, in order, until it takes effect (a button press excepted: it is answered "not saved, press
again", since Telegram expires it in seconds). An update that fails for any other reason is tried
a few times, then set aside (kept, and the admins told) so one bad update never halts intake.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.error import Conflict, EndPointNotFound, InvalidToken
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.domain.models import UpdateSummary
from bot.ops.health import Health
from bot.store import InboxAttempt, Store, Tx, current_attempt
from bot.store.errors import describe, is_storage_failure
from bot.telegram.privacy import as_update, replied_to, sender_of, stranger_record

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 25
OFFSET_KEY = "poll_offset"
LAST_UPDATE_KEY = "poll_last_update_at"
QUIET_WEEK_SECONDS = 6 * 24 * 3600.0
# Tries of an update failing for a reason other than storage before it is set aside.
MAX_ATTEMPTS = 3
MAX_RETRY_SECONDS = 30.0
# Processing stops after this long to fetch what arrived meanwhile, so it takes its turn.
PROCESS_SLICE_SECONDS = 0.5
# Updates handled in one transaction (one commit for the lot).
BATCH_SIZE = 100

SetAside = Callable[[int, UpdateSummary, int, str], Awaitable[None]]


class StorageUnavailable(Exception):
    """An update could not take effect because storage fails; it is retried later, in order."""


def summarize(update: dict[str, Any]) -> UpdateSummary:
    """What an update is, where from and by whom, without its content."""
    for kind in ("message", "edited_message", "callback_query", "my_chat_member"):
        body = update.get(kind)
        if not isinstance(body, dict):
            continue
        chat = (body.get("message") if kind == "callback_query" else body) or {}
        sender = body.get("from") or {}
        return UpdateSummary(
            update_id=int(update.get("update_id", 0)),
            kind=kind,
            chat_id=(chat.get("chat") or {}).get("id"),
            user_id=sender.get("id"),
        )
    return UpdateSummary(int(update.get("update_id", 0)), "other", None, None)


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
        health: Health,
        on_set_aside: SetAside,
        *,
        poll_timeout: int = POLL_TIMEOUT_SECONDS,
        knows: Callable[[int], bool] = lambda user_id: True,
    ) -> None:
        self.application = application
        self.store = store
        self.health = health
        self.on_set_aside = on_set_aside
        self.poll_timeout = poll_timeout
        self.knows = knows  # whether a user is a reporter, moderator or admin (not a stranger)
        self.allowed_updates: list[str] = []
        # Button presses whose effect could not be stored: answered, never retried; marked
        # processed as soon as storage works again.
        self.abandoned: set[int] = set()
        self.handled = 0

    async def poll(self, wait: int | None = None) -> list[dict[str, Any]]:
        """One getUpdates call: the raw updates Telegram holds past our offset."""
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
            try:
                result = await self.application.bot.do_api_request(
                    "getUpdates",
                    api_kwargs={
                        "offset": offset,
                        "timeout": wait,
                        "allowed_updates": self.allowed_updates,
                    },
                    read_timeout=wait + 10,
                )
            except EndPointNotFound as error:
                # do_api_request reports Telegram's 401/404 this way, since the method might not
                # exist; getUpdates does, so the token is what Telegram refuses.
                raise InvalidToken(str(error)) from error
        self.health.polled()
        return list(result) if isinstance(result, list) else []

    async def record(self, updates: list[dict[str, Any]]) -> int:
        """Keep a batch in the inbox and move the offset past it, in one transaction."""
        if not updates:
            return 0
        recorded = 0
        async with self.store.transaction() as tx:
            for update in updates:
                key = dedup_key(update)
                if await tx.inbox.record(
                    key,
                    update["update_id"],
                    await self._kept(tx, update, key),
                    summarize(update).chat_id,
                ):
                    recorded += 1
            newest = max(int(u["update_id"]) for u in updates)
            await tx.meta.set(OFFSET_KEY, str(newest + 1))
            await tx.meta.set(LAST_UPDATE_KEY, str(self.store.clock()))
        return recorded

    async def _kept(self, tx: Tx, update: dict[str, Any], key: str) -> str:
        """The JSON kept of an update: all of it, or of a stranger's only what it is."""
        sender = sender_of(update)
        if sender is not None and self.knows(sender):
            return json.dumps(update)
        reply = replied_to(update)
        if reply is not None and await tx.prompts.question_case(*reply) is not None:
            return json.dumps(update)
        return json.dumps(stranger_record(update, key))

    async def fetch(self, wait: int | None = None) -> int:
        """One getUpdates call, recorded; returns how many new updates were recorded."""
        return await self.record(await self.poll(wait))

    async def process_pending(self, slice_seconds: float | None = None) -> bool:
        """Hand recorded, unprocessed updates to the handlers, taking turns between chats; True
        when none is left. Updates are handled in batches that share one transaction (a
        savepoint each), so a burst costs one commit, not one per update; a button press is
        handled alone, so its answer never comes before its effect is stored. With
        `slice_seconds`, stop after that long so that new updates are fetched and take their
        turn (one chat's backlog never holds up another chat's update for long). Raises
        StorageUnavailable at the first update whose effect could not be stored."""
        await self._settle_abandoned()
        deadline = None if slice_seconds is None else time.monotonic() + slice_seconds
        while True:
            async with self.store.read() as tx:
                waiting = await tx.inbox.unprocessed(BATCH_SIZE)
            waiting = [(i, raw) for i, raw in waiting if i not in self.abandoned]
            if not waiting:
                return True
            for alone, group in _batches(waiting):
                if alone:
                    await self._handle(*group[0])
                else:
                    async with self.store.batch():
                        for inbox_id, payload in group:
                            await self._handle(inbox_id, payload)
                # Counted once stored: a batch rolled back is handled again.
                self.handled += len(group)
                if deadline is not None and time.monotonic() >= deadline:
                    return False

    async def _handle(self, inbox_id: int, payload: str) -> None:
        started = time.monotonic()
        await self._process(inbox_id, payload)
        self.health.update_handled(time.monotonic() - started)

    async def _process(self, inbox_id: int, payload: str) -> None:
        raw = as_update(json.loads(payload))
        error: BaseException | None = None
        for attempt_number in range(1, MAX_ATTEMPTS + 1):
            attempt = await self._attempt(inbox_id, raw)
            error = attempt.error
            if error is None or attempt.marked or attempt.in_batch:
                if not (attempt.marked or attempt.in_batch):
                    await self._mark(inbox_id)
                return
            if is_storage_failure(error):
                if "callback_query" in raw:
                    self.abandoned.add(inbox_id)
                    return
                raise StorageUnavailable(describe(error))
            log.warning(
                "update %s failed (try %d of %d): %s",
                inbox_id,
                attempt_number,
                MAX_ATTEMPTS,
                describe(error),
            )
        assert error is not None
        await self.on_set_aside(inbox_id, summarize(raw), MAX_ATTEMPTS, describe(error))

    async def _attempt(self, inbox_id: int, raw: dict[str, Any]) -> InboxAttempt:
        """Run the handlers once; the error handler records what failed on the attempt."""
        attempt = InboxAttempt(inbox_id)
        token = current_attempt.set(attempt)
        try:
            update = Update.de_json(raw, self.application.bot)
            await self.application.process_update(update)
        except Exception as error:
            attempt.error = error
        finally:
            current_attempt.reset(token)
        return attempt

    async def _mark(self, inbox_id: int) -> None:
        """The only mark for an update whose handlers wrote nothing."""
        try:
            async with self.store.transaction() as tx:
                await tx.inbox.mark_processed(inbox_id)
        except Exception as error:
            if is_storage_failure(error):
                raise StorageUnavailable(describe(error)) from error
            raise

    async def _settle_abandoned(self) -> None:
        if not self.abandoned:
            return
        async with self.store.transaction() as tx:
            for inbox_id in sorted(self.abandoned):
                await tx.inbox.mark_processed(inbox_id)
        self.abandoned.clear()

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop`; the update in hand is finished, a pending long poll abandoned."""
        failures = 0
        behind = False  # recorded updates wait: ask Telegram without waiting, then process them
        while not stop.is_set():
            handled_before = self.handled
            polling = asyncio.create_task(self.poll(0 if behind else None))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({polling, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not polling.done():
                polling.cancel()
                await asyncio.gather(polling, return_exceptions=True)
                break
            try:
                behind = True
                await self.record(polling.result())
                behind = not await self.process_pending(PROCESS_SLICE_SECONDS)
                failures = 0
            except Conflict:
                log.error("another process is polling with this token; retrying in 10 s")
                await _sleep_unless(stop, 10)
            except InvalidToken:
                self.health.token.refused("Telegram refused the token")
                failures += 1
                await _sleep_unless(stop, _backoff(failures))
            except Exception as error:  # network, Telegram or storage: never let polling die
                # Updates taken in before the failure show storage works between failures.
                failures = 1 if self.handled > handled_before else failures + 1
                delay = _backoff(failures)
                if is_storage_failure(error) or isinstance(error, StorageUnavailable):
                    log.warning("updates wait for storage (%s); retrying in %.1f s", error, delay)
                else:
                    log.warning("getUpdates failed (%s); retrying in %.1f s", error, delay)
                await _sleep_unless(stop, delay)


# Commands whose effects reach beyond the database (a reload waits on the reloader, which waits
# on the store; charts and exports work in threads and tasks): handled alone, never in a batch
# that could hold the store meanwhile, or be rolled back and run them twice.
ALONE_COMMANDS = frozenset({"reload", "stats", "quality", "export"})


def _alone(payload: str) -> bool:
    """A button press (its answer must never come before its effect is stored), or one of
    ALONE_COMMANDS."""
    if '"callback_query"' in payload:
        return True
    message = json.loads(payload).get("message") or {}
    words = str(message.get("text", "")).split(maxsplit=1)
    command = words[0][1:].split("@", 1)[0].lower() if words else ""
    return command in ALONE_COMMANDS


def _batches(waiting: list[tuple[int, str]]) -> list[tuple[bool, list[tuple[int, str]]]]:
    """Runs of updates handled together, and each update that must be handled alone by itself
    (flagged True); every payload is looked at once."""
    groups: list[tuple[bool, list[tuple[int, str]]]] = []
    for entry in waiting:
        alone = _alone(entry[1])
        if alone or not groups or groups[-1][0]:
            groups.append((alone, [entry]))
        else:
            groups[-1][1].append(entry)
    return groups


def _backoff(failures: int) -> float:
    return float(min(MAX_RETRY_SECONDS, 0.5 * 2 ** min(failures, 10)))


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
