"""Category and reason labels in a language, a decision's reason as people read it, priority
marks and overdue marks."""

from __future__ import annotations

import re

from bot.config import Config
from bot.domain.lifecycle import Decision
from bot.domain.models import Case, State
from bot.render.i18n import plain

# A decision_reason starting with this holds a moderator's typed reason instead of a code.
FREE_TEXT = "text:"


def category_label(config: Config, key: str, language: str) -> str:
    category = config.categories.get(key)
    return category.label(language) if category else key


def reason_label(config: Config, case: Case, language: str) -> str | None:
    """The reason of a decided case in `language`: a configured code's label or typed text."""
    reason = case.decision_reason
    if not reason:
        return None
    if reason.startswith(FREE_TEXT):
        return reason.removeprefix(FREE_TEXT)
    category = config.categories.get(case.category)
    if category is None:
        return reason
    decision = Decision.TAKE_DOWN if case.state is State.TAKEN_DOWN else Decision.DISMISS
    labels = getattr(category.reasons, decision.reasons_key).get(reason)
    if not labels:
        return reason
    return str(labels.get(language) or labels.get("en") or reason)


def code_label(config: Config, decision: str, code: str | None, language: str) -> str | None:
    """A reason code's label for a decision (`taken_down` or `dismissed`), from whichever
    category has it; None for a typed reason, the code itself if no category has it now."""
    if code is None:
        return None
    key = Decision.TAKE_DOWN.reasons_key if decision == State.TAKEN_DOWN else "dismiss"
    for category in config.categories.values():
        labels = getattr(category.reasons, key).get(code)
        if labels:
            return str(labels.get(language) or labels.get("en") or code)
    return code


# A colour per priority, so the most urgent cases catch the eye in a busy group.
PRIORITY_COLOURS = {1: "🔴", 2: "🟠", 3: "🟡"}
LEAST_URGENT_COLOUR = "⚪"


def priority_mark(priority: int) -> str:
    """`🔴 P1`, `🟠 P2`, `🟡 P3`, `⚪ P4` (and `⚪` for anything less urgent)."""
    return f"{PRIORITY_COLOURS.get(priority, LEAST_URGENT_COLOUR)} P{priority}"


# An overdue event's detail is stored as `<target>:<minutes>` and written in the reader's
# language when shown; details written before that are shown as they were stored.
_OVERDUE_DETAIL = re.compile(r"(first|decision):([0-9]{1,7})")


def overdue_detail(target: str, minutes: int) -> str:
    return f"{target}:{minutes}"


def overdue_label(detail: str | None, language: str) -> str:
    """`first action · 15 min` (`tindakan pertama · 15 menit`) from a stored overdue detail."""
    match = _OVERDUE_DETAIL.fullmatch(detail or "")
    if match is None:
        return detail or ""
    target = plain(language, f"target.{match[1]}")
    return plain(language, "overdue.mark", target=target, minutes=int(match[2]))
