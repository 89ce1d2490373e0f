"""Filing a report: it opens a new case, or joins the oldest undecided case sharing an item.

A reporter repeating their own report changes nothing but gets the same number back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.config import Reporter
from bot.desk.alarms import Alarms
from bot.desk.context import DeskContext, UseCase
from bot.desk.evidence import auto_evidence, post_case
from bot.domain.models import UNDECIDED, Item
from bot.domain.vocabulary import EventKind, ReportStatus, TimerKind
from bot.outbox import sends
from bot.render.i18n import t
from bot.store import Tx


class ReportResult(StrEnum):
    OPENED = "opened"
    JOINED = "joined"
    REPEATED = "repeated"
    EMPTY = "empty"
    NOT_REPORTER = "not_reporter"
    CHOOSE_CATEGORY = "choose_category"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class ReportOutcome:
    result: ReportResult
    case_id: int | None = None


async def new_report(
    tx: Tx,
    reporter: Reporter,
    chat_id: int,
    command_message_id: int,
    items: list[Item],
    *,
    case_id: int | None,
    status: ReportStatus,
    category: str | None = None,
    note: str = "",
) -> int:
    """A report by `reporter` that takes `items` out of their draft."""
    report_id = await tx.reports.insert(
        case_id=case_id,
        reporter_id=reporter.id,
        reporter_name=reporter.name,
        organization=reporter.organization,
        chat_id=chat_id,
        command_message_id=command_message_id,
        category=category,
        note=note,
        status=status,
    )
    await tx.items.attach(report_id, [item.id for item in items])
    return report_id


async def forget_draft_timers(tx: Tx, reporter_id: int) -> None:
    """The draft is empty: no notice about it, no expiry of it."""
    await tx.timers.cancel(TimerKind.DRAFT_NOTICE.key(reporter_id))
    await tx.timers.cancel(TimerKind.DRAFT_EXPIRY.key(reporter_id))


class Filing(UseCase):
    def __init__(self, context: DeskContext, alarms: Alarms) -> None:
        super().__init__(context)
        self.alarms = alarms

    async def file(
        self, tx: Tx, report_id: int, reporter: Reporter, category: str, language: str
    ) -> ReportOutcome:
        """Open a new case for the report, or join the oldest undecided case sharing an item."""
        config = self.config()
        items = await tx.items.of_report(report_id)
        priority = config.categories[category].priority
        case = await tx.cases.oldest_undecided_with(item.identity for item in items)
        report = await tx.reports.get(report_id)
        assert report is not None
        if case is None:
            case_id = await tx.cases.insert(category, priority)
            await self.alarms.arm(tx, case_id)
            await tx.reports.set_case(report_id, case_id, ReportStatus.OPEN)
            await tx.facts.opened(case_id, category, priority, report)
            await tx.events.add(
                case_id, EventKind.REPORTED, actor_id=reporter.id, actor_name=reporter.name
            )
            await sends.message(tx, report.chat_id, t(language, "report.ack_new", case=case_id))
            await post_case(
                tx,
                config,
                config.moderation.chat_id,
                case_id,
                fair_key=sends.reporter_key(reporter.id),
            )
            return ReportOutcome(ReportResult.OPENED, case_id)

        on_case = await tx.items.of_case(case.id)
        known = {i.identity for i in on_case if i.reporter_id == reporter.id}
        if all(item.identity in known for item in items):
            await tx.reports.set_case(report_id, case.id, ReportStatus.REPEAT)
            await sends.message(tx, report.chat_id, t(language, "report.ack_repeat", case=case.id))
            return ReportOutcome(ReportResult.REPEATED, case.id)

        await tx.reports.set_case(report_id, case.id, ReportStatus.OPEN)
        await tx.facts.joined(case.id, report)
        if priority < case.priority:
            await tx.cases.update_if(case.id, UNDECIDED, category=category, priority=priority)
            await tx.facts.recategorized(case.id, category, priority)
            await self.alarms.arm(tx, case.id)
        await tx.events.add(
            case.id, EventKind.JOINED, actor_id=reporter.id, actor_name=reporter.name
        )
        await sends.message(tx, report.chat_id, t(language, "report.ack_joined", case=case.id))
        joined = await tx.cases.get(case.id)
        assert joined is not None
        for chat in await tx.cards.chats(case.id):
            # Another reporter on the card is worth showing, not worth a decision's urgency.
            await sends.card_edit(tx, chat, case.id, priority=sends.PRIORITY_REFRESH)
            # Content the chat already has is not copied again (it would only spend budget).
            await auto_evidence(tx, config, chat, joined, sends.reporter_key(reporter.id))
        return ReportOutcome(ReportResult.JOINED, case.id)
