"""Response-time targets: timers from the case's clock start (the first report or the reopen),
announced once per level (at the target, then at twice the target), the decision clock paused
while the case waits for its reporter."""

from __future__ import annotations

from dataclasses import dataclass

from bot.desk.context import UseCase
from bot.desk.history import on_duty_mentions
from bot.domain.models import State
from bot.domain.vocabulary import EventKind, TimerKind
from bot.outbox import sends
from bot.render.i18n import Markup, plain, t
from bot.render.keyboards import post_buttons
from bot.render.labels import overdue_detail
from bot.render.text import MESSAGE_LIMIT, fit_lines
from bot.store import Tx

TARGET_FIRST = "first"
TARGET_DECISION = "decision"
# While a case waits for its reporter, its decision alarm looks again this often.
WAITING_RECHECK_SECONDS = 300.0
# Cases one folded alarm lists by number (with a button each); the rest are counted.
ANNOUNCED_CASES = 40


@dataclass(frozen=True)
class Overdue:
    """A case found past one of its targets."""

    case_id: int
    priority: int
    category: str
    target: str
    minutes: int


def _overdue_text(language: str, key: str, overdue: Overdue) -> Markup:
    """An overdue case in `key`'s words: an alarm of its own, or a line of a longer one."""
    return t(
        language,
        key,
        case=overdue.case_id,
        category=overdue.category,
        target=overdue.target,
        minutes=overdue.minutes,
    )


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

    async def check(self, tx: Tx, due: list[tuple[int, str, int]]) -> list[Overdue]:
        """Targets' timers came due (case, target, level): each case still past its target is
        overdue at that level (1x, then 2x the target); a timer whose clock moved is re-armed.
        Read and written in bulk, so a catch-up of tens of thousands stays quick."""
        config = self.config()
        cases = {case.id: case for case in await tx.cases.many({c for c, _, _ in due})}
        now = tx.clock()
        overdue: list[Overdue] = []
        rearm: dict[str, float] = {}
        events: list[tuple[int, str]] = []
        for case_id, target, level in due:
            case = cases.get(case_id)
            category = config.categories.get(case.category) if case else None
            if case is None or category is None or case.state.decided:
                continue
            key = TimerKind.ALARM.key(case_id, target, level)
            if target == TARGET_FIRST:
                if case.first_action_at is not None:
                    continue
                minutes = category.targets.first_action_min
                paused = 0.0
            else:
                minutes = category.targets.decision_min
                if case.state is State.WAITING:
                    rearm[key] = now + WAITING_RECHECK_SECONDS
                    continue
                paused = case.paused_seconds
            at = case.clock_start + level * minutes * 60 + paused
            if now < at:
                rearm[key] = at  # the clock moved (a pause, a more urgent category)
                continue
            events.append((case_id, overdue_detail(target, level * minutes)))
            if level == 1:
                next_key = TimerKind.ALARM.key(case_id, target, 2)
                rearm[next_key] = case.clock_start + 2 * minutes * 60 + paused
            label = category.label(config.language)
            what = plain(config.language, f"target.{target}")
            overdue.append(Overdue(case_id, case.priority, label, what, level * minutes))
        await tx.timers.set_many(rearm)
        await tx.events.add_many(EventKind.OVERDUE, events)
        # Marking a card overdue is detail: after a downtime, thousands of such edits must not
        # go ahead of the digests that make waiting cases visible.
        marked = sorted({case_id for case_id, _ in events})
        await sends.card_edits(tx, await tx.cards.live_chats_of(marked), sends.PRIORITY_REFRESH)
        return overdue

    async def announce(self, tx: Tx, overdue: list[Overdue]) -> None:
        """One message in the moderator group for every case found overdue together (after a
        jump of the clock or a downtime, hundreds at once), most urgent first."""
        if not overdue:
            return
        config = self.config()
        lang = config.language
        # Nobody on duty: the alarm stands alone, with no empty "on duty" line.
        mentions = await on_duty_mentions(tx, config.moderation.on_duty)
        on_duty = [t(lang, "on_duty.mentions", mentions=Markup(mentions))] if mentions else []
        if len(overdue) == 1:
            [one] = overdue
            alarm = _overdue_text(lang, "alarm.overdue", one)
            text = Markup("\n".join([alarm, *on_duty]))
            listed = [one]
        else:
            ordered = sorted(overdue, key=lambda o: (o.priority, o.case_id))
            listed = ordered[:ANNOUNCED_CASES]
            lines = [t(lang, "alarm.overdue_many", count=len(overdue)), *on_duty]
            lines += [_overdue_text(lang, "alarm.overdue_line", o) for o in listed]
            if len(ordered) > len(listed):
                lines.append(t(lang, "alarm.overdue_more", count=len(ordered) - len(listed)))
            text = Markup(fit_lines(lines, MESSAGE_LIMIT))
        await sends.message(
            tx,
            config.moderation.chat_id,
            text,
            buttons=post_buttons(sorted({o.case_id for o in listed})),
            priority=sends.PRIORITY_ALARM,
        )
