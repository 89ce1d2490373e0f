"""Buttons under cards and digests: the actions that apply now, reason pickers, and the
buttons that (re)post a case's card."""

from __future__ import annotations

from bot.config import Config
from bot.domain.lifecycle import Action, Decision, available_actions
from bot.domain.models import Case, State
from bot.render.callback_data import (
    encode_action,
    encode_category_choice,
    encode_other_reason,
    encode_reason,
)
from bot.render.i18n import plain
from bot.render.message import Button, rows_of

# Case-number buttons per row on queues and digests.
CASE_BUTTONS_PER_ROW = 5


def card_buttons(
    case: Case, config: Config, language: str, picker: str | None = None, more_evidence: int = 0
) -> list[list[Button]]:
    """The buttons that apply now: a reason picker, the escalation choice, or the actions."""
    cancel = Button(plain(language, "button.cancel"), encode_action(Action.CANCEL, case.id))
    if picker in (Decision.TAKE_DOWN.value, Decision.DISMISS.value) and not case.state.decided:
        decision = Decision(picker)
        category = config.categories.get(case.category)
        reasons = getattr(category.reasons, decision.reasons_key) if category else {}
        buttons = [
            Button(
                str(labels.get(language) or labels.get("en") or code),
                encode_reason(case.id, decision, code),
            )
            for code, labels in reasons.items()
        ]
        buttons.append(
            Button(plain(language, "button.other_reason"), encode_other_reason(case.id, decision))
        )
        return [*rows_of(buttons, 2), [cancel]]
    if picker == Action.ESCALATE.value and case.state is State.NEW:
        skip = Button(plain(language, "button.skip_note"), encode_action(Action.SKIP_NOTE, case.id))
        return [[skip, cancel]]
    buttons = [
        Button(plain(language, f"button.{action.name.lower()}"), encode_action(action, case.id))
        for action in available_actions(case.state, claimed=case.claimed_by is not None)
    ]
    rows = rows_of(buttons, 2)
    if more_evidence:
        label = plain(language, "button.more_evidence", count=more_evidence)
        rows.append([Button(label, encode_action(Action.MORE_EVIDENCE, case.id))])
    return rows


def post_buttons(case_ids: list[int]) -> list[list[Button]]:
    """A `#N` button per case that posts its card (queues, digests, alarms)."""
    buttons = [Button(f"#{case_id}", encode_action(Action.POST, case_id)) for case_id in case_ids]
    return rows_of(buttons, CASE_BUTTONS_PER_ROW)


def category_choice(config: Config, report_id: int, language: str) -> list[list[Button]]:
    """The categories, most urgent first, for a report that waits for one."""
    buttons = [
        Button(category.label(language), encode_category_choice(report_id, key))
        for key, category in config.categories_by_urgency()
    ]
    return rows_of(buttons, 2)
