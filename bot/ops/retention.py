"""Retention: what the desk no longer needs is removed, in short transactions, then the file
gives the space back. The facts of every case stay (see bot/store/retention.py for exactly what
goes); undecided cases are never touched.

The bot purges once a day (the time of the last purge is kept in the database, so a restart
neither skips nor repeats it); `python -m bot purge` does the same on demand, or only counts
with `--dry-run`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.config import Config
from bot.config.schema import Retention as RetentionSettings
from bot.store import Store
from bot.store.errors import describe
from bot.store.retention import Erased, Retention

log = logging.getLogger(__name__)

DAY = 86_400.0
# Rows (or cases) per transaction: the desk's own transactions wait at most one batch.
BATCH = 500
PURGED_AT_KEY = "retention_purged_at"
# The first purge of a desk that never purged waits this long after start, so the start-up work
# (and a one-time VACUUM) does not meet the first updates.
FIRST_PURGE_DELAY = 300.0
MAX_WAIT = 60.0


@dataclass
class Purged:
    """What a purge removed (or, in a dry run, would remove)."""

    raw_updates: int = 0
    sent_messages: int = 0
    unfiled_items: int = 0
    decided: Erased = field(default_factory=Erased)
    full_vacuum: bool = False

    @property
    def anything(self) -> bool:
        return bool(self.raw_updates or self.sent_messages or self.unfiled_items) or bool(
            self.decided.cases
        )

    def lines(self, settings: RetentionSettings, dry_run: bool) -> list[str]:
        verb = "would remove" if dry_run else "removed"
        decided = self.decided
        return [
            f"Retention {verb}:",
            f"  raw updates processed more than {settings.raw_updates_days:g} days ago: "
            f"{self.raw_updates}",
            f"  messages sent (or undeliverable) more than {settings.sent_messages_days:g} days "
            f"ago: {self.sent_messages}",
            f"  items of drafts that never became a case, older than "
            f"{settings.raw_updates_days:g} days: {self.unfiled_items}",
            f"  content of cases decided more than {settings.decided_content_days:g} days ago: "
            f"{decided.cases} cases ({decided.items} evidence items, {decided.notes} reporters' "
            f"notes, {decided.event_texts} notes, questions, answers and reasons in the history, "
            f"{decided.typed_reasons} typed reasons)",
            "  kept: every case's timeline, category, priority, organizations, decision and "
            "reason codes; undecided cases untouched",
        ]


async def _in_batches(store: Store, batch: Callable[[Retention], Awaitable[int]]) -> int:
    """Run `batch` in one short transaction after another until it handles fewer than BATCH rows;
    how many it handled in all."""
    total = 0
    while True:
        async with store.transaction() as tx:
            handled = await batch(tx.retention)
        total += handled
        if handled < BATCH:
            return total


async def purge(store: Store, settings: RetentionSettings, *, dry_run: bool = False) -> Purged:
    """Remove what `settings` says is past keeping; with `dry_run`, only count it."""
    now = store.clock()
    raw_cutoff = now - settings.raw_updates_days * DAY
    sent_cutoff = now - settings.sent_messages_days * DAY
    decided_cutoff = now - settings.decided_content_days * DAY
    purged = Purged()
    if dry_run:
        async with store.read() as tx:
            purged.raw_updates = await tx.retention.processed_updates(raw_cutoff)
            purged.sent_messages = await tx.retention.finished_sends(sent_cutoff)
            purged.unfiled_items = await tx.retention.unfiled_items(raw_cutoff)
            cases = await tx.retention.cases_to_erase(decided_cutoff, 1_000_000_000)
            purged.decided = await tx.retention.content_of(cases)
        return purged
    purged.raw_updates = await _in_batches(
        store, lambda retention: retention.remove_processed_updates(raw_cutoff, BATCH)
    )
    purged.sent_messages = await _in_batches(
        store, lambda retention: retention.remove_finished_sends(sent_cutoff, BATCH)
    )
    purged.unfiled_items = await _in_batches(
        store, lambda retention: retention.remove_unfiled(raw_cutoff, BATCH)
    )

    async def erase_decided(retention: Retention) -> int:
        cases = await retention.cases_to_erase(decided_cutoff, BATCH)
        for case_id in cases:
            purged.decided.add(await retention.erase_case(case_id))
        return len(cases)

    await _in_batches(store, erase_decided)
    async with store.read() as tx:
        purged.full_vacuum = await tx.retention.compact()
    return purged


class DailyPurge:
    """The bot's purge, once a day, armed from the time of the last one in the database."""

    def __init__(self, store: Store, config: Callable[[], Config]) -> None:
        self.store = store
        self.config = config
        self.started_at = store.clock()

    async def due_at(self) -> float:
        async with self.store.read() as tx:
            last = await tx.meta.get(PURGED_AT_KEY)
        if last is None:
            return self.started_at + FIRST_PURGE_DELAY
        return float(last) + DAY

    async def run_if_due(self) -> Purged | None:
        if self.store.clock() < await self.due_at():
            return None
        settings = self.config().retention
        purged = await purge(self.store, settings)
        async with self.store.transaction() as tx:
            await tx.meta.set(PURGED_AT_KEY, repr(self.store.clock()))
        if purged.full_vacuum:
            log.info("retention: the database now gives freed space back (one full VACUUM)")
        if purged.anything:
            log.info(" ".join(line.strip() for line in purged.lines(settings, dry_run=False)))
        return purged

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_if_due()
                wait = min(MAX_WAIT, max(1.0, await self.due_at() - self.store.clock()))
            except Exception as error:  # storage fails: tried again later, nothing lost
                log.warning("the daily purge waits: %s", describe(error))
                wait = MAX_WAIT
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wait)
