"""Lists in moderator space: the queue of undecided cases, and digests of new ones."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import Config
from bot.domain.models import Case, CaseView, Origin
from bot.render.i18n import Markup, escape, plain, t
from bot.render.keyboards import post_buttons
from bot.render.labels import category_label, priority_mark
from bot.render.message import Rendered
from bot.render.text import MESSAGE_LIMIT, NAME_LIMIT, clip, fit_lines, format_age, utf16_len

DIGEST_TITLE_LIMIT = 40


def queue_text(
    cases: list[Case], overdue: dict[int, list[str]], config: Config, now: float
) -> Markup:
    """/queue: one compact line per undecided case, most urgent and oldest first."""
    language = config.language
    if not cases:
        return t(language, "queue.empty")
    lines = [t(language, "queue.title", count=len(cases))]
    for case in cases:
        line = t(
            language,
            "queue.line",
            case=case.id,
            category=category_label(config, case.category, language),
            priority=priority_mark(case.priority),
            age=format_age(now - case.clock_start, language),
            state=plain(language, f"state.{case.state.value}"),
        )
        if case.claimed_by_name:
            line = Markup(line + " · " + escape(clip(case.claimed_by_name, NAME_LIMIT)))
        if overdue.get(case.id):
            line = Markup(line + " ⏰")
        lines.append(line)
    return Markup(fit_lines(lines, MESSAGE_LIMIT))


def short_origin(origin: Origin, language: str) -> str:
    """A few words naming where content came from: a title or name, and an @username."""
    name = origin.title or origin.sender_name
    parts = [escape(clip(name, DIGEST_TITLE_LIMIT))] if name else []
    if origin.username:
        parts.append(f"@{escape(origin.username)}")
    if not parts:
        parts.append(plain(language, f"origin.short.{origin.type}"))
    return " ".join(parts)


def _digest_lines(views: Sequence[CaseView], config: Config) -> list[str]:
    language = config.language
    lines: list[str] = [t(language, "digest.title", count=len(views))]
    for view in views:
        case = view.case
        origin = short_origin(view.origins[0], language) if view.origins else ""
        lines.append(
            t(
                language,
                "digest.line",
                case=case.id,
                category=category_label(config, case.category, language),
                priority=priority_mark(case.priority),
                origin=Markup(origin),
            )
        )
    return lines


def digest_capacity(views: Sequence[CaseView], config: Config) -> int:
    """How many of these cases one digest message holds, each with its whole line."""
    used = 0
    for count, line in enumerate(_digest_lines(views, config)):
        used += utf16_len(line) + 1
        if used > MESSAGE_LIMIT - 2:  # as fit_lines keeps them
            return max(0, count - 1)
    return len(views)


def render_digest(views: Sequence[CaseView], config: Config) -> Rendered:
    """Many new cases in one message: a line each, and a button each that posts its card."""
    return Rendered(
        fit_lines(_digest_lines(views, config), MESSAGE_LIMIT),
        post_buttons([v.case.id for v in views]),
    )
