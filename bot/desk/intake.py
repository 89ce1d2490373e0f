"""Intake: what reporters send goes into their draft, and /report turns it into a report.

The first word of `/report` is a category only if it names one (key, label or alias, any
language); otherwise the categories are offered as buttons and the report waits for a choice.
"""

from __future__ import annotations

from bot.config import Config, Reporter
from bot.desk.context import DeskContext, UseCase
from bot.desk.evidence import attach_evidence
from bot.desk.filing import (
    Filing,
    ReportOutcome,
    ReportResult,
    forget_draft_timers,
    new_report,
)
from bot.desk.questions import Questions
from bot.domain.models import IncomingItem, Item, Person
from bot.domain.vocabulary import ItemState, ReportStatus, TimerKind
from bot.outbox import sends
from bot.render.i18n import plain, t
from bot.render.keyboards import category_choice
from bot.store import Tx

# The draft notice waits this long after the last item, so a /report right behind skips it.
DRAFT_NOTICE_DELAY = 2.5


def split_category(config: Config, args: str) -> tuple[str | None, str]:
    """The first word is a category only if it names one; otherwise everything is the note."""
    words = args.strip().split(maxsplit=1)
    if words:
        category = config.category_for_word(words[0])
        if category is not None:
            return category, words[1].strip() if len(words) > 1 else ""
    return None, args.strip()


class Intake(UseCase):
    def __init__(self, context: DeskContext, filing: Filing, questions: Questions) -> None:
        super().__init__(context)
        self.filing = filing
        self.questions = questions

    async def receive(
        self, person: Person, item: IncomingItem, reply_to_message_id: int | None = None
    ) -> bool:
        """A reporter's message joins their draft, or answers the question it replies to."""
        config = self.config()
        async with self.store.transaction() as tx:
            language = await self.context.meet(tx, person)
            reporter = config.reporter(person.id)
            answered_case = (
                await tx.prompts.question_case(item.chat_id, reply_to_message_id)
                if reply_to_message_id is not None
                else None
            )
            if reporter is None and answered_case is None:
                await sends.message(tx, person.id, t(language, "refuse.not_reporter", id=person.id))
                return False
            if not await tx.items.add(item):
                return True
            if answered_case is not None:
                stored = await tx.items.by_message(item.chat_id, item.message_id)
                assert stored is not None
                who = reporter or Reporter(id=person.id, name=person.name, organization="—")
                await self.questions.answer(tx, who, answered_case, stored)
                await sends.message(
                    tx, person.id, t(language, "answer.received", case=answered_case)
                )
                return True
            if item.media_group_id and await self._join_reported_album(tx, item):
                return True
            now = tx.clock()
            await tx.timers.set(TimerKind.DRAFT_NOTICE.key(person.id), now + DRAFT_NOTICE_DELAY)
            await tx.timers.set(
                TimerKind.DRAFT_EXPIRY.key(person.id), now + config.intake.draft_ttl_hours * 3600
            )
            return True

    async def _join_reported_album(self, tx: Tx, item: IncomingItem) -> bool:
        """An album item that arrives after its album was reported belongs to that report."""
        assert item.media_group_id is not None
        report_id = await tx.items.report_of_album(item.chat_id, item.media_group_id)
        if report_id is None:
            return False
        stored = await tx.items.by_message(item.chat_id, item.message_id)
        assert stored is not None
        await tx.items.attach(report_id, [stored.id])
        report = await tx.reports.get(report_id)
        if report is not None and report.case_id is not None and report.status is ReportStatus.OPEN:
            await attach_evidence(tx, report.case_id, item.chat_id, [item.message_id])
        return True

    async def cancel(self, person: Person) -> None:
        """/cancel: empty the draft."""
        async with self.store.transaction() as tx:
            language = await self.context.meet(tx, person)
            dropped = await tx.items.discard_draft(person.id, ItemState.CANCELLED)
            await forget_draft_timers(tx, person.id)
            key = "draft.cancelled" if dropped else "draft.nothing"
            await sends.message(tx, person.id, t(language, key, count=dropped))

    async def report(
        self,
        person: Person,
        chat_id: int,
        command_message_id: int,
        args: str,
        reply_to_message_id: int | None = None,
    ) -> ReportOutcome:
        """/report [category] [note]: the draft (or the replied-to message) becomes a report."""
        config = self.config()
        async with self.store.transaction() as tx:
            language = await self.context.meet(tx, person)
            reporter = await self.reporter_or_refuse(tx, person, language)
            if reporter is None:
                return ReportOutcome(ReportResult.NOT_REPORTER)
            earlier = await tx.reports.by_command(chat_id, command_message_id)
            if earlier is not None:
                return ReportOutcome(ReportResult.REPEATED, earlier.case_id)
            items = await self._items_to_report(tx, person.id, chat_id, reply_to_message_id)
            reported = [item.report_id for item in items if item.report_id is not None]
            if reported:
                # Reporting again what is already reported changes nothing but the answer.
                previous = await tx.reports.get(reported[0])
                case_id = previous.case_id if previous else None
                if case_id is None:
                    await sends.message(tx, chat_id, t(language, "category.reminder"))
                else:
                    await sends.message(tx, chat_id, t(language, "report.ack_repeat", case=case_id))
                return ReportOutcome(ReportResult.REPEATED, case_id)
            if not items:
                await sends.message(tx, chat_id, t(language, "report.empty"))
                return ReportOutcome(ReportResult.EMPTY)
            category, note = split_category(config, args)
            report_id = await new_report(
                tx,
                reporter,
                chat_id,
                command_message_id,
                items,
                case_id=None,
                category=category,
                note=note,
                status=ReportStatus.CHOOSING if category is None else ReportStatus.OPEN,
            )
            if not await tx.items.draft_count(person.id):
                await forget_draft_timers(tx, person.id)
            if category is None:
                await sends.message(
                    tx,
                    chat_id,
                    t(language, "report.choose_category"),
                    buttons=category_choice(config, report_id, language),
                )
                ttl = config.intake.draft_ttl_hours * 3600
                now = tx.clock()
                await tx.timers.set(TimerKind.CHOICE_REMINDER.key(report_id), now + ttl / 2)
                await tx.timers.set(TimerKind.CHOICE_EXPIRY.key(report_id), now + ttl)
                return ReportOutcome(ReportResult.CHOOSE_CATEGORY)
            return await self.filing.file(tx, report_id, reporter, category, language)

    async def choose_category(self, person: Person, report_id: int, category: str) -> str:
        """The reporter picked a category for a report waiting on one; returns the answer text."""
        config = self.config()
        async with self.store.transaction() as tx:
            language = await self.context.meet(tx, person)
            report = await tx.reports.get(report_id)
            reporter = config.reporter(person.id)
            if report is None or report.reporter_id != person.id or reporter is None:
                return plain(language, "button.invalid")
            if report.status is not ReportStatus.CHOOSING:
                if report.case_id is None:
                    return plain(language, "category.expired")
                return plain(language, "category.already_chosen", case=report.case_id)
            if category not in config.categories:
                return plain(language, "button.invalid")
            await tx.reports.set_category(report_id, category)
            await tx.timers.cancel(TimerKind.CHOICE_REMINDER.key(report_id))
            await tx.timers.cancel(TimerKind.CHOICE_EXPIRY.key(report_id))
            outcome = await self.filing.file(tx, report_id, reporter, category, language)
            return plain(language, "category.chosen", case=outcome.case_id)

    async def _items_to_report(
        self, tx: Tx, reporter_id: int, chat_id: int, reply_to_message_id: int | None
    ) -> list[Item]:
        if reply_to_message_id is None:
            return await tx.items.draft(reporter_id)
        target = await tx.items.by_message(chat_id, reply_to_message_id)
        if target is None or target.reporter_id != reporter_id:
            return []
        if target.media_group_id:
            return await tx.items.album(chat_id, target.media_group_id)
        return [target]

    async def notify_draft(self, tx: Tx, reporter_id: int) -> None:
        """The debounced notice: how many items wait in the draft."""
        count = await tx.items.draft_count(reporter_id)
        if count:
            language = await self.context.language_of(tx, reporter_id)
            await sends.message(tx, reporter_id, t(language, "draft.waiting", count=count))

    async def expire_draft(self, tx: Tx, reporter_id: int) -> None:
        if await tx.items.discard_draft(reporter_id, ItemState.EXPIRED):
            language = await self.context.language_of(tx, reporter_id)
            hours = self.config().intake.draft_ttl_hours
            await sends.message(tx, reporter_id, t(language, "draft.expired", hours=hours))

    async def remind_category(self, tx: Tx, report_id: int) -> None:
        report = await tx.reports.get(report_id)
        if report is not None and report.status is ReportStatus.CHOOSING:
            language = await self.context.language_of(tx, report.reporter_id)
            await sends.message(tx, report.chat_id, t(language, "category.reminder"))

    async def expire_choice(self, tx: Tx, report_id: int) -> None:
        report = await tx.reports.get(report_id)
        if report is not None and report.status is ReportStatus.CHOOSING:
            await tx.reports.set_status(report.id, ReportStatus.EXPIRED)
            language = await self.context.language_of(tx, report.reporter_id)
            await sends.message(tx, report.chat_id, t(language, "category.expired"))
