"""Cards and reporter texts as escaped HTML within Telegram's limits, plus their buttons."""

from __future__ import annotations

import time
from collections.abc import Sequence

from bot.callback_data import encode_action, encode_other_reason, encode_reason
from bot.cases import Action, Decision, available_actions
from bot.config import Config
from bot.i18n import Markup, escape, plain, t
from bot.models import Button, Case, CaseView, Event, Origin, Rendered, State

MESSAGE_LIMIT = 4096
NAME_LIMIT = 64
TITLE_LIMIT = 128
NOTE_LIMIT = 600
MAX_REPORTERS_SHOWN = 10
MAX_ORIGINS_SHOWN = 8
MAX_NOTES_SHOWN = 5
MAX_HISTORY_SHOWN = 20
DETAIL_LIMIT = 300
# Moderators' own words (a reason, a question) in a message to a reporter.
REPORTER_TEXT_LIMIT = 1500
# A decision_reason starting with this holds a moderator's typed reason instead of a code.
FREE_TEXT = "text:"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """Cut untrusted text to `limit` UTF-16 units (before escaping), marking the cut."""
    if utf16_len(text) <= limit:
        return text
    out = []
    used = 0
    for char in text:
        size = utf16_len(char)
        if used + size > limit - 1:
            break
        out.append(char)
        used += size
    return "".join(out) + "…"


def format_time(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(timestamp))


def format_clock(timestamp: float) -> str:
    return time.strftime("%H:%M", time.gmtime(timestamp))


def category_label(config: Config, key: str, language: str) -> str:
    category = config.categories.get(key)
    return category.label(language) if category else key


def describe_origin(origin: Origin, language: str) -> Markup:
    title = escape(clip(origin.title or "", TITLE_LIMIT))
    handle = f" @{escape(origin.username)}" if origin.username else ""
    link = origin.link
    link_html = f' <a href="{escape_attr(link)}">{escape(link)}</a>' if link else ""
    text: str
    if origin.type == "channel":
        text = t(language, "origin.channel", title=Markup(title)) + handle
    elif origin.type == "chat":
        text = t(language, "origin.chat", title=Markup(title)) + handle
    elif origin.type == "user":
        text = t(
            language,
            "origin.user",
            name=clip(origin.sender_name or "?", NAME_LIMIT),
            id=origin.sender_user_id or "?",
        )
        text += handle
    elif origin.type == "hidden_user":
        text = t(language, "origin.hidden_user", name=clip(origin.sender_name or "?", NAME_LIMIT))
    elif origin.type == "link":
        text = t(language, "origin.link")
    else:
        text = t(language, "origin.own")
    if origin.author_signature:
        text += f" ({escape(clip(origin.author_signature, NAME_LIMIT))})"
    return Markup(text + link_html)


def escape_attr(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def history_line(event: Event, language: str) -> Markup:
    line = t(
        language,
        f"history.{event.kind}",
        time=format_clock(event.at),
        name=clip(event.actor_name or "?", NAME_LIMIT),
    )
    if event.detail:
        line = Markup(line + ": " + escape(clip(event.detail, DETAIL_LIMIT)))
    return line


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
    decision = Decision.TAKE_DOWN if case.state.value == "taken_down" else Decision.DISMISS
    labels = getattr(category.reasons, decision.reasons_key).get(reason)
    if not labels:
        return reason
    return str(labels.get(language) or labels.get("en") or reason)


def state_line(case: Case, language: str) -> Markup:
    text: str = t(language, "card.state", state=plain(language, f"state.{case.state.value}"))
    if case.claimed_by_name and not case.state.decided:
        text += t(language, "card.claimed_by", name=clip(case.claimed_by_name, NAME_LIMIT))
    if case.state.decided and case.decided_by_name:
        text += t(language, "card.decided_by", name=clip(case.decided_by_name, NAME_LIMIT))
    return Markup(text)


def card_buttons(
    case: Case, config: Config, language: str, picker: str | None = None
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
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        return [*rows, [cancel]]
    if picker == Action.ESCALATE.value and case.state.value == "new":
        skip = Button(plain(language, "button.skip_note"), encode_action(Action.SKIP_NOTE, case.id))
        return [[skip, cancel]]
    buttons = [
        Button(plain(language, f"button.{action.name.lower()}"), encode_action(action, case.id))
        for action in available_actions(case.state)
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)] if buttons else []


def render_card(view: CaseView, config: Config, picker: str | None = None) -> Rendered:
    """The card of a case: everything a moderator needs to decide, within 4096 characters."""
    language = config.language
    case = view.case
    head = [
        t(
            language,
            "card.title",
            case=case.id,
            category=category_label(config, case.category, language),
            priority=case.priority,
        ),
        state_line(case, language),
    ]
    reason = reason_label(config, case, language) if case.state.decided else None
    if reason:
        head.append(t(language, "card.reason", reason=clip(reason, DETAIL_LIMIT)))
    reporters: list[str] = []
    for report in view.reports:
        entry = (
            f"{clip(report.reporter_name, NAME_LIMIT)} ({clip(report.organization, NAME_LIMIT)})"
        )
        if entry not in reporters:
            reporters.append(entry)
    shown = ", ".join(reporters[:MAX_REPORTERS_SHOWN])
    if len(reporters) > MAX_REPORTERS_SHOWN:
        shown += f" +{len(reporters) - MAX_REPORTERS_SHOWN}"
    reports = sum(1 for r in view.reports if r.status == "open")
    head.append(t(language, "card.reporters", names=shown, count=reports))

    notes = [r for r in view.reports if r.note.strip()]
    origins = view.origins
    origin_lines = [describe_origin(o, language) for o in origins[:MAX_ORIGINS_SHOWN]]
    if len(origins) > MAX_ORIGINS_SHOWN:
        origin_lines.append(Markup(f"+{len(origins) - MAX_ORIGINS_SHOWN}"))
    tail = [t(language, "card.received", time=format_time(case.created_at))]
    overdue = [e for e in view.events if e.kind == "overdue" and e.at >= case.clock_start]
    if overdue and not case.state.decided:
        marks = "; ".join(e.detail or "" for e in overdue)
        tail.append(t(language, "card.overdue", targets=marks))
    if view.earlier:
        tail.append(
            t(
                language,
                "card.earlier",
                cases=", ".join(
                    f"#{c.id} {plain(language, f'state.{c.state.value}')}" for c in view.earlier
                ),
            )
        )
    history = [history_line(e, language) for e in view.events][-MAX_HISTORY_SHOWN:]
    buttons = card_buttons(case, config, language, picker)

    note_limit = NOTE_LIMIT
    while True:
        note_lines = [
            t(
                language,
                "card.note",
                name=clip(r.reporter_name, NAME_LIMIT),
                note=clip(r.note.strip(), note_limit),
            )
            for r in notes[:MAX_NOTES_SHOWN]
        ]
        parts: list[str] = [*head, *note_lines]
        parts.append(t(language, "card.origins"))
        parts.extend(f"• {line}" for line in origin_lines)
        parts.extend(tail)
        if history:
            parts.append(t(language, "card.history"))
            parts.extend(history)
        text = "\n".join(parts)
        if utf16_len(text) <= MESSAGE_LIMIT:
            return Rendered(text, buttons)
        if len(history) > 3:
            history = history[1:]
        elif note_limit > 80:
            note_limit //= 2
        else:
            return Rendered(fit_lines(parts, MESSAGE_LIMIT), buttons)


def fit_lines(lines: Sequence[str], limit: int) -> str:
    """Keep whole lines (each is balanced HTML) while they fit, then mark the cut."""
    kept: list[str] = []
    used = 0
    for line in lines:
        size = utf16_len(line) + 1
        if used + size > limit - 2:
            kept.append("…")
            break
        kept.append(line)
        used += size
    return "\n".join(kept)


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


def format_age(seconds: float) -> str:
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    return f"{hours // 24}d{hours % 24}h"


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
            priority=case.priority,
            age=format_age(now - case.clock_start),
            state=plain(language, f"state.{case.state.value}"),
        )
        if case.claimed_by_name:
            line = Markup(line + " · " + escape(clip(case.claimed_by_name, NAME_LIMIT)))
        if overdue.get(case.id):
            line = Markup(line + " ⏰")
        lines.append(line)
    return Markup(fit_lines(lines, MESSAGE_LIMIT))


def pointer_text(case_id: int, language: str) -> Markup:
    return t(language, "card.pointer", case=case_id)


DIGEST_TITLE_LIMIT = 40


def short_origin(origin: Origin, language: str) -> str:
    """A few words naming where content came from: a title or name, and an @username."""
    name = origin.title or origin.sender_name
    parts = [escape(clip(name, DIGEST_TITLE_LIMIT))] if name else []
    if origin.username:
        parts.append(f"@{escape(origin.username)}")
    if not parts:
        parts.append(plain(language, f"origin.short.{origin.type}"))
    return " ".join(parts)


def render_digest(views: Sequence[CaseView], config: Config) -> Rendered:
    """Many new cases in one message: a line each, and a button each that posts its card."""
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
                priority=case.priority,
                origin=Markup(origin),
            )
        )
    buttons = [Button(f"#{v.case.id}", encode_action(Action.POST, v.case.id)) for v in views]
    rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
    return Rendered(fit_lines(lines, MESSAGE_LIMIT), rows)
