"""Response-time targets: timers from the case's clock start (the first report or the reopen),
announced once per level (at the target, then at twice the target), the decision clock paused
while the case waits for its reporter."""

from __future__ import annotations

from bot.desk.context import UseCase
from bot.desk.history import on_duty_mentions, refresh_cards
from bot.domain.models import State
from bot.domain.vocabulary import EventKind, TimerKind
from bot.outbox import sends
from bot.render.i18n import Markup, plain, t
from bot.render.keyboards import post_buttons
from bot.store import Tx

TARGET_FIRST = "first"
TARGET_DECISION = "decision"
# While a case waits for its reporter, its decision alarm looks again this often.
WAITING_RECHECK_SECONDS = 300.0


class Alarms(UseCase):
    async def arm(self, tx: Tx, case_id: int) -> None:
        """Timers for both targets, from the case's clock start (the report or the reopen)."""
        case = await tx.cases.get(case_id)
        category = self.config().categories.get(case.category) if case else None
        if case is None or category is None:
            return
        targets = category.targets
        for target, minutes in (
            (TARGET_FIRST, targets.first_action_min),
            (TARGET_DECISION, targets.decision_min),
        ):
            key = TimerKind.ALARM.key(case_id, target, 1)
            await tx.timers.set(key, case.clock_start + minutes * 60)

    async def fire(self, tx: Tx, case_id: int, target: str, level: int) -> None:
        """A target's timer came due: tell the group once per level (1x, then 2x the target)."""
        config = self.config()
        key = TimerKind.ALARM.key(case_id, target, level)
        case = await tx.cases.get(case_id)
        category = config.categories.get(case.category) if case else None
        if case is None or category is None or case.state.decided:
            return
        if target == TARGET_FIRST:
            if case.first_action_at is not None:
                return
            minutes = category.targets.first_action_min
            paused = 0.0
        else:
            minutes = category.targets.decision_min
            if case.state is State.WAITING:
                await tx.timers.set(key, tx.clock() + WAITING_RECHECK_SECONDS)
                return
            paused = case.paused_seconds
        due = case.clock_start + level * minutes * 60 + paused
        if tx.clock() < due:
            await tx.timers.set(key, due)  # the clock moved (a pause, a more urgent category)
            return
        lang = config.language
        what = plain(lang, f"target.{target}")
        await tx.events.add(case_id, EventKind.OVERDUE, detail=f"{what} · {level * minutes} min")
        await refresh_cards(tx, case_id)
        on_duty = await on_duty_mentions(tx, config.moderation.on_duty)
        await sends.message(
            tx,
            config.moderation.chat_id,
            t(
                lang,
                "alarm.overdue",
                case=case_id,
                target=what,
                minutes=level * minutes,
                category=category.label(lang),
                mentions=Markup(on_duty or "—"),
            ),
            buttons=post_buttons([case_id]),
            priority=sends.PRIORITY_CARD_EDIT,
        )
        if level == 1:
            await tx.timers.set(
                TimerKind.ALARM.key(case_id, target, 2),
                case.clock_start + 2 * minutes * 60 + paused,
            )
