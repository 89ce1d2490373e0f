"""Category and reason labels in a language, and a decision's reason as people read it."""

from __future__ import annotations

from bot.config import Config
from bot.domain.lifecycle import Decision
from bot.domain.models import Case, State

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
