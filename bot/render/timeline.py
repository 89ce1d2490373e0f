"""A case's timeline with durations, for /case N: when it was reported and seen, and each round's
first action and decision against the category's targets."""

from __future__ import annotations

from bot.config import Config
from bot.domain.timeline import Round, Timeline
from bot.render.i18n import Markup, plain, t
from bot.render.stats import duration
from bot.render.text import MESSAGE_LIMIT, NAME_LIMIT, clip, fit_lines
from bot.render.times import full_time

MAX_REPORTERS_NAMED = 5


def _against(seconds: float, target_minutes: int | None, language: str) -> str:
    if target_minutes is None:
        return ""
    key = "timeline.met" if seconds <= target_minutes * 60 else "timeline.missed"
    return plain(language, key, target=duration(target_minutes * 60.0, language))


def _round_lines(
    rnd: Round, targets: tuple[int, int] | None, now: float, language: str, config: Config
) -> list[Markup]:
    first_target, decision_target = targets if targets else (None, None)
    lines: list[Markup] = []
    if rnd.round > 0:
        lines.append(
            t(
                language,
                "timeline.reopened",
                time=full_time(rnd.started_at, config.zone),
                name=clip(rnd.reopened_by_name or "?", NAME_LIMIT),
            )
        )
    if rnd.to_first_action is not None:
        lines.append(
            t(
                language,
                "timeline.first_action",
                after=duration(rnd.to_first_action, language),
                action=plain(language, f"timeline.action.{rnd.first_action}"),
                name=clip(rnd.first_action_by_name or "?", NAME_LIMIT),
                target=_against(rnd.to_first_action, first_target, language),
            )
        )
    elif rnd.decided_at is None:
        waited = now - rnd.started_at
        lines.append(
            t(
                language,
                "timeline.no_action",
                age=duration(waited, language),
                target=_against(waited, first_target, language),
            )
        )
    if rnd.to_decision is not None:
        lines.append(
            t(
                language,
                "timeline.decided",
                after=duration(rnd.to_decision, language),
                decision=plain(language, f"state.{rnd.decision}"),
                name=clip(rnd.decided_by_name or "?", NAME_LIMIT),
                target=_against(rnd.to_decision, decision_target, language),
            )
        )
        if rnd.paused_seconds:
            lines.append(
                t(language, "timeline.paused", paused=duration(rnd.paused_seconds, language))
            )
    else:
        lines.append(
            t(language, "timeline.undecided", age=duration(now - rnd.started_at, language))
        )
    return lines


def timeline_text(timeline: Timeline, config: Config, now: float) -> Markup:
    """The timeline in moderator space's language; times in the configured zone."""
    language = config.language
    facts = timeline.facts
    category = config.categories.get(facts.category)
    targets = (
        (category.targets.first_action_min, category.targets.decision_min) if category else None
    )
    names = [
        f"{clip(r.reporter_name, NAME_LIMIT)} ({clip(r.organization, NAME_LIMIT)})"
        for r in timeline.reporters
    ]
    shown = ", ".join(names[:MAX_REPORTERS_NAMED])
    if len(names) > MAX_REPORTERS_NAMED:
        shown += f" +{len(names) - MAX_REPORTERS_NAMED}"
    lines: list[str] = [
        t(language, "timeline.title", case=facts.case_id),
        t(
            language,
            "timeline.reported",
            time=full_time(facts.reported_at, config.zone),
            names=shown or "?",
        ),
    ]
    if facts.first_visible_at is None:
        lines.append(t(language, "timeline.not_visible"))
    else:
        lines.append(
            t(
                language,
                "timeline.visible",
                after=duration(facts.first_visible_at - facts.reported_at, language),
            )
        )
    for rnd in timeline.rounds:
        lines.extend(_round_lines(rnd, targets, now, language, config))
    return Markup(fit_lines(lines, MESSAGE_LIMIT))
