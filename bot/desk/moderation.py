"""Moderators' buttons and replies on cases: claim, decide with a reason, escalate, ask the
reporter, reopen (claims: `claims.py`). Every press is one transaction that compares and sets, so
the first of two simultaneous presses wins and the second is told so."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.desk.alarms import Alarms
from bot.desk.claims import Claims
from bot.desk.context import DeskContext, UseCase
from bot.desk.evidence import post_case, queue_evidence
from bot.desk.history import on_duty_mentions, record, refresh_cards
from bot.desk.lookup import Lookup
from bot.desk.presses import ActOutcome, ActResult, Press, answered
from bot.desk.questions import Questions
from bot.domain.lifecycle import Action, Decision, allowed
from bot.domain.models import UNDECIDED, Case, Person, State
from bot.domain.vocabulary import EventKind, PromptKind
from bot.outbox import sends
from bot.render.callback_data import CaseAction
from bot.render.i18n import Markup, plain, t
from bot.render.labels import FREE_TEXT, reason_label
from bot.render.reporter import outcome_text
from bot.render.text import mention
from bot.store import Tx

__all__ = ["ActOutcome", "ActResult", "Moderation", "Press"]

# What a reopen clears: the decision, the claim and the first action (its clocks restart).
REOPENED: dict[str, object] = {
    "decided_by": None,
    "decided_by_name": None,
    "decided_at": None,
    "decision_reason": None,
    "claimed_by": None,
    "claimed_by_name": None,
    "first_action_at": None,
    "paused_seconds": 0.0,
}

# Actions that would decide a case: on a decided case they are answered with who decided it.
DECIDING = (Action.TAKE_DOWN, Action.DISMISS, Action.REASON, Action.OTHER_REASON)


class Moderation(UseCase):
    def __init__(
        self, context: DeskContext, questions: Questions, alarms: Alarms, lookup: Lookup
    ) -> None:
        super().__init__(context)
        self.questions = questions
        self.alarms = alarms
        self.lookup = lookup
        self.claims = Claims(context)
        self._on_press: dict[Action, Callable[[Press], Awaitable[ActOutcome]]] = {
            Action.CLAIM: self.claims.claim,
            Action.RELEASE: self.claims.release,
            Action.TAKE_OVER: self.claims.take_over,
            Action.TAKE_DOWN: self._open_picker,
            Action.DISMISS: self._open_picker,
            Action.CANCEL: self._close_picker,
            Action.REASON: self._decide_with_code,
            Action.OTHER_REASON: self._ask_reason,
            Action.ESCALATE: self._ask_escalation_note,
            Action.SKIP_NOTE: self._escalate_without_note,
            Action.ASK: self._ask_question,
            Action.POST: self._post,
            Action.MORE_EVIDENCE: self._more_evidence,
            Action.CANCEL_QUESTION: self._withdraw_question,
            Action.REOPEN: self._reopen,
        }

    def _answer(
        self, result: ActResult, key: str, *, alert: bool = False, **values: object
    ) -> ActOutcome:
        return answered(self.config().language, result, key, alert=alert, **values)

    async def press(self, moderator: Person, chat_id: int, pressed: CaseAction) -> ActOutcome:
        """A button on a case card in moderator space (the handler checked it is that card)."""
        if not self.config().is_moderator(moderator.id):
            return self._answer(ActResult.NOT_MODERATOR, "press.not_moderator", alert=True)
        async with self.store.transaction() as tx:
            await tx.users.remember_name(moderator.id, moderator.name)
            case = await tx.cases.get(pressed.case_id)
            if case is None:
                return self._answer(ActResult.NOT_FOUND, "button.invalid", alert=True)
            if not allowed(pressed.action, case.state):
                if case.state.decided and pressed.action in DECIDING:
                    return self._already_decided(case)
                await refresh_cards(tx, case.id)
                return self._answer(ActResult.NOT_APPLICABLE, "press.not_applicable")
            return await self._on_press[pressed.action](
                Press(tx, case, moderator, chat_id, pressed)
            )

    def _already_decided(self, case: Case) -> ActOutcome:
        lang = self.config().language
        return self._answer(
            ActResult.ALREADY_DECIDED,
            "press.already_decided",
            alert=True,
            case=case.id,
            state=plain(lang, f"state.{case.state.value}"),
            name=case.decided_by_name or "?",
        )

    async def _open_picker(self, p: Press) -> ActOutcome:
        await p.tx.cards.set_picker(p.case.id, p.chat_id, p.pressed.action.value)
        await sends.card_edit(p.tx, p.chat_id, p.case.id)
        return self._answer(ActResult.DONE, "press.choose_reason")

    async def _close_picker(self, p: Press) -> ActOutcome:
        await p.tx.cards.set_picker(p.case.id, p.chat_id, None)
        await p.tx.prompts.delete_for_case(p.case.id, p.chat_id)
        await sends.card_edit(p.tx, p.chat_id, p.case.id)
        return self._answer(ActResult.DONE, "press.cancelled")

    async def _decide_with_code(self, p: Press) -> ActOutcome:
        decision, code = p.pressed.decision, p.pressed.reason
        assert decision is not None and code is not None
        category = self.config().categories.get(p.case.category)
        reasons = getattr(category.reasons, decision.reasons_key) if category else {}
        if code not in reasons:
            return self._answer(ActResult.NOT_FOUND, "button.invalid", alert=True)
        return await self.decide(p.tx, p.case, p.moderator, decision, code)

    async def _ask_reason(self, p: Press) -> ActOutcome:
        assert p.pressed.decision is not None
        await self._prompt(p, p.pressed.decision.reason_prompt)
        return self._answer(ActResult.DONE, "press.type_reason")

    async def _ask_escalation_note(self, p: Press) -> ActOutcome:
        await p.tx.cards.set_picker(p.case.id, p.chat_id, p.pressed.action.value)
        await sends.card_edit(p.tx, p.chat_id, p.case.id)
        await self._prompt(p, PromptKind.ESCALATION_NOTE)
        return self._answer(ActResult.DONE, "press.type_note")

    async def _escalate_without_note(self, p: Press) -> ActOutcome:
        return await self.escalate(p.tx, p.case, p.moderator, None)

    async def _ask_question(self, p: Press) -> ActOutcome:
        await self._prompt(p, PromptKind.QUESTION)
        return self._answer(ActResult.DONE, "press.type_reply")

    async def _post(self, p: Press) -> ActOutcome:
        await self.lookup.repost(p.tx, p.chat_id, p.case.id)
        return self._answer(ActResult.DONE, "press.posted", case=p.case.id)

    async def _more_evidence(self, p: Press) -> ActOutcome:
        queued = await queue_evidence(p.tx, p.chat_id, p.case, limit=sends.EVIDENCE_BATCH)
        await sends.card_edit(p.tx, p.chat_id, p.case.id)
        return self._answer(ActResult.DONE, "press.more_evidence", count=queued)

    async def _withdraw_question(self, p: Press) -> ActOutcome:
        await self.questions.resume(p.tx, p.case, p.moderator, EventKind.QUESTION_CANCELLED, None)
        return self._answer(ActResult.DONE, "press.done.question_cancelled")

    async def _prompt(self, p: Press, kind: PromptKind) -> None:
        """A ForceReply prompt addressed to one moderator; the worker records its message id."""
        text = t(
            self.config().language,
            f"prompt.{kind.value}",
            case=p.case.id,
            mention=Markup(mention(p.moderator.id, p.moderator.name)),
        )
        await sends.prompt(
            p.tx, p.chat_id, text, case_id=p.case.id, kind=kind, moderator=p.moderator.id
        )

    async def moderator_reply(
        self, moderator: Person, chat_id: int, reply_to_message_id: int, text: str
    ) -> bool:
        """A reply in moderator space: the input a prompt asked for, or an internal note."""
        config = self.config()
        if not config.is_moderator(moderator.id) or not text.strip():
            return False
        text = text.strip()
        async with self.store.transaction() as tx:
            prompt = await tx.prompts.get(chat_id, reply_to_message_id)
            if prompt is not None and prompt.moderator_id == moderator.id:
                case = await tx.cases.get(prompt.case_id)
                if case is None:
                    return False
                await tx.prompts.delete(chat_id, reply_to_message_id)
                await tx.cards.set_picker(case.id, chat_id, None)
                if await self._prompted_input(tx, case, moderator, prompt.kind, text):
                    return True
                await sends.card_edit(tx, chat_id, case.id)
                await sends.message(
                    tx,
                    chat_id,
                    t(config.language, "reply.too_late", case=case.id),
                    priority=sends.PRIORITY_CARD_EDIT,
                )
                return False
            case_id = await tx.cards.case_of_message(chat_id, reply_to_message_id)
            if case_id is None:
                return False
            await tx.cases.mark_first_action(case_id)
            await tx.facts.acted(case_id, EventKind.NOTE, moderator.id, moderator.name)
            await tx.events.add(
                case_id,
                EventKind.NOTE,
                actor_id=moderator.id,
                actor_name=moderator.name,
                detail=text,
            )
            await refresh_cards(tx, case_id)
            return True

    async def _prompted_input(
        self, tx: Tx, case: Case, moderator: Person, kind: PromptKind, text: str
    ) -> bool:
        """Act on what a prompt asked for; False when the case moved on meanwhile."""
        decision = Decision.of_reason_prompt(kind)
        if decision is not None:
            if case.state not in UNDECIDED:
                return False
            await self.decide(tx, case, moderator, decision, None, free_text=text)
            return True
        if kind is PromptKind.ESCALATION_NOTE and case.state is State.NEW:
            await self.escalate(tx, case, moderator, text)
            return True
        if kind is PromptKind.QUESTION and allowed(Action.ASK, case.state):
            await self.questions.ask(tx, case, moderator, text)
            return True
        return False

    async def decide(
        self,
        tx: Tx,
        case: Case,
        moderator: Person,
        decision: Decision,
        code: str | None,
        *,
        free_text: str | None = None,
    ) -> ActOutcome:
        config = self.config()
        now = tx.clock()
        changed = await tx.cases.update_if(
            case.id,
            UNDECIDED,
            state=decision.state,
            state_before=None,
            decided_by=moderator.id,
            decided_by_name=moderator.name,
            decided_at=now,
            decision_reason=code if code else f"{FREE_TEXT}{free_text}",
            waiting_since=None,
            paused_seconds=case.paused_seconds
            + (now - case.waiting_since if case.waiting_since else 0.0),
        )
        if not changed:
            return self._answer(ActResult.NOT_APPLICABLE, "press.not_applicable")
        decided = await tx.cases.get(case.id)
        assert decided is not None
        await tx.cards.clear_pickers(case.id)
        label = reason_label(config, decided, config.language)
        await record(tx, case.id, EventKind(decision.state.value), moderator, label)
        await tx.facts.decided(decided, code or None)
        items = await tx.items.of_case(case.id)
        for reporter_id in await tx.reports.reporter_ids(case.id):
            language = await self.context.language_of(tx, reporter_id)
            theirs = [item for item in items if item.reporter_id == reporter_id]
            await sends.message(
                tx, reporter_id, outcome_text(language, decided, config, theirs), case_id=case.id
            )
        return self._answer(ActResult.DONE, f"press.done.{decision.state.value}", case=case.id)

    async def escalate(self, tx: Tx, case: Case, moderator: Person, note: str | None) -> ActOutcome:
        config = self.config()
        if not await tx.cases.update_if(case.id, [State.NEW], state=State.ESCALATED):
            return self._answer(ActResult.NOT_APPLICABLE, "press.not_applicable")
        await tx.cards.clear_pickers(case.id)
        second_tier = config.moderation.escalation_chat_id
        if second_tier is not None and second_tier not in await tx.cards.chats(case.id):
            await post_case(tx, config, second_tier, case.id)
        await record(tx, case.id, EventKind.ESCALATED, moderator, note)
        if second_tier is None:
            # One message tells the group (an edited card notifies nobody), mentioning whoever
            # is on duty; with nobody on duty, no empty "on duty" line.
            lines = [t(config.language, "escalated.notice", case=case.id)]
            if on_duty := await on_duty_mentions(tx, config.moderation.on_duty):
                lines.append(t(config.language, "on_duty.mentions", mentions=Markup(on_duty)))
            await sends.message(
                tx,
                config.moderation.chat_id,
                Markup("\n".join(lines)),
                priority=sends.PRIORITY_CARD_EDIT,
            )
        return self._answer(ActResult.DONE, "press.done.escalated", case=case.id)

    async def _reopen(self, p: Press) -> ActOutcome:
        changed = await p.tx.cases.update_if(
            p.case.id,
            [State.TAKEN_DOWN, State.DISMISSED],
            state=State.NEW,
            clock_start=p.tx.clock(),
            **REOPENED,
        )
        if not changed:
            return self._answer(ActResult.NOT_APPLICABLE, "press.not_applicable")
        await p.tx.facts.reopened(p.case.id, p.moderator.id, p.moderator.name)
        await p.tx.events.add(
            p.case.id,
            EventKind.REOPENED,
            actor_id=p.moderator.id,
            actor_name=p.moderator.name,
        )
        await self.alarms.arm(p.tx, p.case.id)
        await refresh_cards(p.tx, p.case.id)
        return self._answer(ActResult.DONE, "press.done.reopened", case=p.case.id)
