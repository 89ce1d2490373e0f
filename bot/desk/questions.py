"""Questions to reporters and material they add: a case waits for its reporter (the decision
clock paused) until they answer or a moderator withdraws the question."""

from __future__ import annotations

from bot.config import Reporter
from bot.desk.context import UseCase, parse_case_number
from bot.desk.evidence import attach_evidence
from bot.desk.filing import forget_draft_timers, new_report
from bot.desk.history import record, refresh_cards
from bot.domain.models import Case, Item, Person, State
from bot.domain.vocabulary import EventKind, ReportStatus
from bot.outbox import sends
from bot.render.i18n import plain, t
from bot.render.text import REPORTER_TEXT_LIMIT, clip
from bot.store import Tx


class Questions(UseCase):
    async def ask(self, tx: Tx, case: Case, moderator: Person, question: str) -> None:
        """A moderator's question goes to every reporter of the case; the case waits."""
        changed = await tx.cases.update_if(
            case.id,
            [case.state],
            state=State.WAITING,
            state_before=case.state,
            waiting_since=tx.clock(),
        )
        if not changed:
            return
        await record(tx, case.id, EventKind.ASKED, moderator, question)
        for reporter_id in await tx.reports.reporter_ids(case.id):
            language = await self.context.language_of(tx, reporter_id)
            text = t(
                language,
                "question.to_reporter",
                case=case.id,
                text=clip(question, REPORTER_TEXT_LIMIT),
            )
            await sends.question(tx, reporter_id, text, case.id)

    async def resume(
        self, tx: Tx, case: Case, actor: Person, kind: EventKind, detail: str | None
    ) -> bool:
        """Leave `waiting` for the state before it; the paused time stops the decision clock."""
        now = tx.clock()
        changed = await tx.cases.update_if(
            case.id,
            [State.WAITING],
            state=case.state_before or State.NEW,
            state_before=None,
            waiting_since=None,
            paused_seconds=case.paused_seconds + (now - (case.waiting_since or now)),
        )
        if changed:
            await record(tx, case.id, kind, actor, detail)
        return changed

    async def answer(self, tx: Tx, reporter: Reporter, case_id: int, item: Item) -> None:
        """A reporter's reply to a question joins the case."""
        await new_report(
            tx,
            reporter,
            item.chat_id,
            item.message_id,
            [item],
            case_id=case_id,
            status=ReportStatus.ANSWER,
        )
        await attach_evidence(tx, self.config(), case_id)
        case = await tx.cases.get(case_id)
        if case is not None:
            actor = Person(reporter.id, reporter.name)
            detail = item.text or f"[{item.kind}]"
            await self._material_arrived(tx, case, actor, EventKind.ANSWERED, detail)

    async def _material_arrived(
        self, tx: Tx, case: Case, actor: Person, kind: EventKind, detail: str
    ) -> None:
        """New material from a reporter answers a pending question, or joins the history."""
        if case.state is State.WAITING:
            await self.resume(tx, case, actor, EventKind.ANSWERED, detail)
            return
        await tx.events.add(case.id, kind, actor_id=actor.id, actor_name=actor.name, detail=detail)
        await refresh_cards(tx, case.id)

    async def add(self, person: Person, chat_id: int, command_message_id: int, args: str) -> None:
        """/add N: the reporter's current draft joins their undecided case N."""
        config = self.config()
        async with self.store.transaction() as tx:
            language = await self.context.meet(tx, person)
            reporter = await self.reporter_or_refuse(tx, person, language)
            if reporter is None:
                return
            if await tx.reports.by_command(chat_id, command_message_id) is not None:
                return
            case_id = parse_case_number(args)
            if case_id is None:
                await sends.message(tx, chat_id, t(language, "add.usage"))
                return
            case = await tx.cases.reported_by(person.id, case_id)
            if case is None:
                await sends.message(tx, chat_id, t(language, "status.not_found", case=case_id))
                return
            if case.state.decided:
                await sends.message(tx, chat_id, t(language, "add.decided", case=case_id))
                return
            items = await tx.items.draft(person.id)
            if not items:
                await sends.message(tx, chat_id, t(language, "report.empty"))
                return
            words = args.strip().split(maxsplit=1)
            await new_report(
                tx,
                reporter,
                chat_id,
                command_message_id,
                items,
                case_id=case_id,
                note=words[1] if len(words) > 1 else "",
                status=ReportStatus.ADDED,
            )
            await forget_draft_timers(tx, person.id)
            await attach_evidence(tx, config, case_id)
            detail = plain(config.language, "add.detail", count=len(items))
            actor = Person(reporter.id, reporter.name)
            await self._material_arrived(tx, case, actor, EventKind.ADDED, detail)
            await sends.message(
                tx, chat_id, t(language, "add.done", case=case_id, count=len(items))
            )
