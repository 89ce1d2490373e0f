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
from bot.render.times import full_time
from bot.store import Tx

# The draft notice waits this long after the last item, so a /report right behind skips it.
DRAFT_NOTICE_DELAY = 2.5
HOUR = 3600.0
# Meta keys: items a full draft refused (until the notice), the end of a told rate-limit window.
DRAFT_REFUSED = "draft_refused:"
RATE_TOLD = "rate_told:"


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
                await self.refuse_stranger(tx, person, language)
                return False
            if answered_case is not None:
                if not await tx.items.add(item):
                    return True
                stored = await tx.items.by_message(item.chat_id, item.message_id)
                assert stored is not None
                who = reporter or Reporter(id=person.id, name=person.name, organization="—")
                await self.questions.answer(tx, who, answered_case, stored)
                await sends.message(
                    tx, person.id, t(language, "answer.received", case=answered_case)
                )
                return True
            if item.is_remark:
                await tx.users.add_to_draft_note(person.id, item.text or "")
                await sends.message(tx, person.id, t(language, "draft.remark"))
                return True
            if item.media_group_id and await self._join_reported_album(tx, item):
                return True
            if await tx.items.draft_count(person.id) >= config.intake.max_draft_items:
                await self._refuse_item(tx, person.id)
                return True
            if not await tx.items.add(item):
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
        if not await tx.items.add(item):
            return True
        stored = await tx.items.by_message(item.chat_id, item.message_id)
        assert stored is not None
        await tx.items.attach(report_id, [stored.id])
        report = await tx.reports.get(report_id)
        if report is not None and report.case_id is not None and report.status is ReportStatus.OPEN:
            await attach_evidence(tx, self.config(), report.case_id)
        return True

    async def cancel(self, person: Person) -> None:
        """/cancel: empty the draft."""
        async with self.store.transaction() as tx:
            language = await self.context.meet(tx, person)
            dropped = await tx.items.discard_draft(person.id, ItemState.CANCELLED)
            await tx.users.clear_draft_note(person.id)
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
            if await self._over_the_hourly_limit(tx, person.id, language, len(items)):
                return ReportOutcome(ReportResult.RATE_LIMITED)
            category, note = split_category(config, args)
            remark = await tx.users.draft_note(person.id)
            if remark:
                note = f"{remark}\n{note}" if note else remark
                await tx.users.clear_draft_note(person.id)
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

    async def _over_the_hourly_limit(
        self, tx: Tx, reporter_id: int, language: str, items: int
    ) -> bool:
        """A reporter past `max_reports_per_hour` is refused; told once per window what was not
        taken (the items stay in their draft) and when they can report again."""
        limit = self.config().intake.max_reports_per_hour
        now = tx.clock()
        count, oldest = await tx.reports.filed_since(reporter_id, now - HOUR)
        if count < limit:
            return False
        again = (oldest if oldest is not None else now) + HOUR
        told_key = f"{RATE_TOLD}{reporter_id}"
        told = await tx.meta.get(told_key)
        if told is not None and now < float(told):
            return True  # told already; the items still wait in the draft
        await tx.meta.set(told_key, str(again))
        await sends.message(
            tx,
            reporter_id,
            t(
                language,
                "report.rate_limited",
                limit=limit,
                count=items,
                time=full_time(again, self.config().zone),
                minutes=max(1, round((again - now) / 60)),
            ),
        )
        return True

    async def _refuse_item(self, tx: Tx, reporter_id: int) -> None:
        """The draft is full: the item is not taken; one notice after the burst says how many."""
        key = f"{DRAFT_REFUSED}{reporter_id}"
        refused = int(await tx.meta.get(key) or 0) + 1
        await tx.meta.set(key, str(refused))
        await tx.timers.set(
            TimerKind.DRAFT_REFUSAL.key(reporter_id), tx.clock() + DRAFT_NOTICE_DELAY
        )

    async def notify_refused(self, tx: Tx, reporter_id: int) -> None:
        """How many items a full draft did not take, and what to do."""
        key = f"{DRAFT_REFUSED}{reporter_id}"
        refused = int(await tx.meta.get(key) or 0)
        await tx.meta.delete(key)
        if refused:
            language = await self.context.language_of(tx, reporter_id)
            limit = self.config().intake.max_draft_items
            await sends.message(
                tx, reporter_id, t(language, "draft.full", count=refused, limit=limit)
            )

    async def notify_draft(self, tx: Tx, reporter_id: int) -> None:
        """The debounced notice: how many items wait in the draft."""
        count = await tx.items.draft_count(reporter_id)
        if count:
            language = await self.context.language_of(tx, reporter_id)
            await sends.message(tx, reporter_id, t(language, "draft.waiting", count=count))

    async def expire_draft(self, tx: Tx, reporter_id: int) -> None:
        await tx.users.clear_draft_note(reporter_id)
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
