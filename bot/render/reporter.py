"""What a reporter reads about their cases: status lines and the statement of reasons."""

from __future__ import annotations

from bot.config import Config
from bot.domain.models import Case, State
from bot.render.i18n import Markup, plain, t
from bot.render.labels import reason_label
from bot.render.text import NOTE_LIMIT, REPORTER_TEXT_LIMIT, clip, format_time


def outcome_text(language: str, case: Case, config: Config) -> Markup:
    """A statement of reasons for a reporter: the decision, why and when; never who decided."""
    return t(
        language,
        f"outcome.{case.state.value}",
        case=case.id,
        reason=clip(reason_label(config, case, language) or "—", REPORTER_TEXT_LIMIT),
        time=format_time(case.decided_at or case.created_at),
    )


def reporter_status(language: str, case: Case, config: Config, *, short: bool = False) -> Markup:
    """A case as its reporter sees it: never who handles it, never "escalated"; a decision
    comes with its reason."""
    if case.state.decided:
        phase = plain(language, f"status.phase.{case.state.value}")
        reason = reason_label(config, case, language)
        if reason:
            limit = NOTE_LIMIT if not short else 80
            phase = plain(language, "status.with_reason", phase=phase, reason=clip(reason, limit))
    elif case.state is State.WAITING:
        phase = plain(language, "status.phase.waiting")
    elif case.first_action_at is not None:
        phase = plain(language, "status.phase.in_review")
    else:
        phase = plain(language, "status.phase.received")
    key = "status.line" if short else "status.full"
    return t(language, key, case=case.id, phase=phase, time=format_time(case.created_at))
