"""Claims: who holds a case. Advisory (any moderator may decide), but a claimed case never
changes hands silently: its holder releases it, or another moderator takes it over explicitly
and the previous holder is mentioned in moderator space. Each change compares and sets the
holder the presser saw, so of two simultaneous presses the first wins and the second is told
who holds the case."""

from __future__ import annotations

from bot.desk.context import UseCase
from bot.desk.history import record, refresh_cards
from bot.desk.presses import ActOutcome, ActResult, Press, answered
from bot.domain.models import Case
from bot.domain.vocabulary import EventKind
from bot.outbox import sends
from bot.render.i18n import Markup, t
from bot.render.text import NAME_LIMIT, clip, mention


class Claims(UseCase):
    def _answer(self, result: ActResult, key: str, **values: object) -> ActOutcome:
        alert = result is ActResult.HELD_BY_ANOTHER
        return answered(self.config().language, result, key, alert=alert, **values)

    async def _held_by_another(self, p: Press, case: Case) -> ActOutcome:
        """Who holds the case, and how to take it over; the card is brought up to date, so one
        that still showed Claim now shows Take over."""
        await refresh_cards(p.tx, case.id)
        return self._answer(
            ActResult.HELD_BY_ANOTHER,
            "press.held_by",
            case=case.id,
            name=clip(case.claimed_by_name or "?", NAME_LIMIT),
        )

    async def _moved_on(self, p: Press) -> ActOutcome:
        """The compare-and-set lost to another press: answer from the case as it is now."""
        now = await p.tx.cases.get(p.case.id)
        if now is not None and now.claimed_by not in (None, p.moderator.id):
            return await self._held_by_another(p, now)
        await refresh_cards(p.tx, p.case.id)
        return self._answer(ActResult.NOT_APPLICABLE, "press.not_applicable")

    async def claim(self, p: Press) -> ActOutcome:
        holder = p.case.claimed_by
        if holder == p.moderator.id:
            return self._answer(ActResult.ALREADY_YOURS, "press.already_yours")
        if holder is not None:
            return await self._held_by_another(p, p.case)
        if not await p.tx.cases.change_holder(
            p.case.id, [p.case.state], None, p.moderator.id, p.moderator.name
        ):
            return await self._moved_on(p)
        await record(p.tx, p.case.id, EventKind.CLAIMED, p.moderator)
        return self._answer(ActResult.DONE, "press.done.claimed", case=p.case.id)

    async def release(self, p: Press) -> ActOutcome:
        holder = p.case.claimed_by
        if holder is None:
            await refresh_cards(p.tx, p.case.id)
            return self._answer(ActResult.NOT_APPLICABLE, "press.not_applicable")
        if holder != p.moderator.id:
            await refresh_cards(p.tx, p.case.id)
            return self._answer(
                ActResult.HELD_BY_ANOTHER,
                "press.release_not_yours",
                case=p.case.id,
                name=clip(p.case.claimed_by_name or "?", NAME_LIMIT),
            )
        if not await p.tx.cases.change_holder(p.case.id, [p.case.state], holder, None, None):
            return await self._moved_on(p)
        # Not a first action: the claim it ends already was one.
        await p.tx.events.add(
            p.case.id, EventKind.RELEASED, actor_id=p.moderator.id, actor_name=p.moderator.name
        )
        await refresh_cards(p.tx, p.case.id)
        return self._answer(ActResult.DONE, "press.done.released", case=p.case.id)

    async def take_over(self, p: Press) -> ActOutcome:
        holder, holder_name = p.case.claimed_by, p.case.claimed_by_name or "?"
        if holder is None:
            return await self.claim(p)  # released meanwhile: nobody to take it from
        if holder == p.moderator.id:
            return self._answer(ActResult.ALREADY_YOURS, "press.already_yours")
        if not await p.tx.cases.change_holder(
            p.case.id, [p.case.state], holder, p.moderator.id, p.moderator.name
        ):
            return await self._moved_on(p)
        await p.tx.events.add(
            p.case.id,
            EventKind.TAKEN_OVER,
            actor_id=p.moderator.id,
            actor_name=p.moderator.name,
            detail=holder_name,
        )
        await refresh_cards(p.tx, p.case.id)
        await sends.message(
            p.tx,
            p.chat_id,
            t(
                self.config().language,
                "claim.taken_over",
                case=p.case.id,
                name=clip(p.moderator.name, NAME_LIMIT),
                previous=Markup(mention(holder, clip(holder_name, NAME_LIMIT))),
            ),
            priority=sends.PRIORITY_CARD_EDIT,
        )
        return self._answer(
            ActResult.DONE,
            "press.done.taken_over",
            case=p.case.id,
            name=clip(holder_name, NAME_LIMIT),
        )
