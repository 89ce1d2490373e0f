"""Accountability in the chat: /stats for moderators and admins, /quality and /export for admins.

Figures come from a reading connection of their own in a worker thread, so neither a month of
statistics nor a year's export holds up the desk. /stats answers with its figures as soon as
they are counted; the chart, slower to draw, follows in a transaction of its own. An export
runs in the background (a year takes seconds): the admin is told it is being prepared, and the
files follow.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.config import Config
from bot.desk.context import DeskContext, UseCase
from bot.domain.figures import Figures
from bot.domain.models import Person
from bot.domain.periods import Period, parse_period
from bot.ops.export import (
    Cancelled,
    ExportFile,
    ExportOptions,
    TooLarge,
    export_files,
    targets_of,
)
from bot.ops.files import spool_path, write_private
from bot.outbox import sends
from bot.render.charts import stats_chart
from bot.render.i18n import t
from bot.render.quality import quality_text
from bot.render.stats import stats_text
from bot.store.figures import period_figures
from bot.store.quality import flagger_quality
from bot.store.reading import reading

log = logging.getLogger(__name__)


# What a command does once it may: in this chat, for this period, configuration and language.
Answer = Callable[[int, Period, Config, str], Awaitable[None]]


def is_private(chat_id: int, person: Person) -> bool:
    return chat_id == person.id


class Statistics(UseCase):
    def __init__(self, context: DeskContext) -> None:
        super().__init__(context)
        self._exports: set[asyncio.Task[None]] = set()
        self._stopping = threading.Event()

    async def _language(self, person: Person, chat_id: int) -> str:
        """A private chat speaks its person's language; moderator space the desk's."""
        if is_private(chat_id, person):
            return await self.context.language_for(person.id)
        return self.config().language

    async def _say(self, chat_id: int, text: str) -> None:
        async with self.store.transaction() as tx:
            await sends.message(tx, chat_id, text, priority=_priority(chat_id))

    def _period(self, args: str) -> Period | None:
        return parse_period(args, self.store.clock(), self.config().zone)

    async def _for_an_admin_in_private(
        self, person: Person, chat_id: int, args: str, command: str, answer: Answer
    ) -> None:
        """`command` answered with the period asked for, the configuration and the language;
        anyone but an admin, anywhere but in private, or without a period, is told why not."""
        config = self.config()
        language = await self._language(person, chat_id)
        if not is_private(chat_id, person):
            refusal = "private_only"
        elif not config.is_admin(person.id):
            refusal = "not_admin"
        else:
            period = self._period(args)
            if period is not None:
                await answer(chat_id, period, config, language)
                return
            refusal = "usage"
        await self._say(chat_id, t(language, f"{command}.{refusal}"))

    # --- /stats --------------------------------------------------------------------------

    async def stats(self, person: Person, chat_id: int, args: str) -> None:
        """/stats [period]: moderators in moderator space, admins there or in private."""
        config = self.config()
        language = await self._language(person, chat_id)
        allowed = config.is_admin(person.id) or (
            not is_private(chat_id, person) and config.is_moderator(person.id)
        )
        if not allowed:
            await self._say(chat_id, t(language, "stats.not_allowed"))
            return
        period = self._period(args)
        if period is None:
            await self._say(chat_id, t(language, "stats.usage", zone=config.timezone))
            return
        now = self.store.clock()
        figures = await asyncio.to_thread(self._figures, period, config, now)
        # The figures go out at once; the chart, slower to draw, follows them.
        await self._say(chat_id, stats_text(figures, config, language))
        if figures.empty:
            return
        chart = await self._chart(figures, config, language)
        if chart is None:
            return
        async with self.store.transaction() as tx:
            await sends.file(
                tx,
                chat_id,
                str(chart),
                "stats.png",
                as_photo=True,
                caption=t(language, "stats.chart_caption", period=period.describe()),
                priority=_priority(chat_id),
            )

    async def _chart(self, figures: Figures, config: Config, language: str) -> Path | None:
        """The chart, drawn and written to the spool in a worker thread; the figures go out
        without it if drawing fails."""

        def draw() -> Path:
            png = stats_chart(figures, config, language)
            return write_private(spool_path(self.store.path, "stats.png"), png)

        try:
            return await asyncio.to_thread(draw)
        except Exception:
            log.exception("the /stats chart could not be drawn")
            return None

    def _figures(self, period: Period, config: Config, now: float) -> Figures:
        with reading(self.store.path) as db:
            return period_figures(db, period, targets_of(config), now)

    # --- /quality ------------------------------------------------------------------------

    async def quality(self, person: Person, chat_id: int, args: str) -> None:
        """/quality [period]: flagger quality, for an admin in a private chat only."""
        await self._for_an_admin_in_private(person, chat_id, args, "quality", self._quality)

    async def _quality(self, chat_id: int, period: Period, config: Config, language: str) -> None:
        def measure() -> str:
            with reading(self.store.path) as db:
                return quality_text(flagger_quality(db, period), config, language)

        await self._say(chat_id, await asyncio.to_thread(measure))

    # --- /export -------------------------------------------------------------------------

    async def export(self, person: Person, chat_id: int, args: str) -> None:
        """/export [period]: the period's cases as CSV documents, for an admin in private."""
        await self._for_an_admin_in_private(person, chat_id, args, "export", self._start_export)

    async def _start_export(
        self, chat_id: int, period: Period, config: Config, language: str
    ) -> None:
        await self._say(chat_id, t(language, "export.preparing", period=period.describe()))
        task = asyncio.create_task(self._export(chat_id, period, config, language))
        self._exports.add(task)
        task.add_done_callback(self._exports.discard)

    async def _export(self, chat_id: int, period: Period, config: Config, language: str) -> None:
        options = ExportOptions(period, targets_of(config))
        try:
            files = await asyncio.to_thread(
                export_files,
                self.store.path,
                options,
                lambda name: spool_path(self.store.path, name),
                stop=self._stopping,
            )
        except Cancelled:
            return
        except TooLarge:
            await self._say(chat_id, t(language, "export.too_large", period=period.describe()))
            return
        except Exception:
            log.exception("the export of %s failed", period.describe())
            await self._say(chat_id, t(language, "export.failed", period=period.describe()))
            return
        if not any(part.cases for part in files):
            for part in files:
                await asyncio.to_thread(part.path.unlink, missing_ok=True)
            await self._say(chat_id, t(language, "stats.empty", period=period.describe()))
            return
        await self._send_export(chat_id, files, language)

    async def _send_export(self, chat_id: int, files: list[ExportFile], language: str) -> None:
        async with self.store.transaction() as tx:
            if len(files) > 1:
                await sends.message(tx, chat_id, t(language, "export.split", count=len(files)))
            for part in files:
                await sends.file(
                    tx,
                    chat_id,
                    str(part.path),
                    part.filename,
                    caption=t(language, "export.caption", period=part.period, count=part.cases),
                )

    async def exports_done(self) -> None:
        """Wait for exports under way (tests; the runtime's stop cancels them instead)."""
        while self._exports:
            await asyncio.gather(*list(self._exports), return_exceptions=True)

    async def stop(self) -> None:
        """Abandon exports under way: their threads stop at the next thousand rows."""
        self._stopping.set()
        await self.exports_done()


def _priority(chat_id: int) -> int:
    """Answers in moderator space queue with card edits; in a private chat, people first."""
    return sends.PRIORITY_CARD_EDIT if chat_id < 0 else sends.PRIORITY_PERSON
