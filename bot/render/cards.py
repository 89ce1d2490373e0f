"""The card of a case: everything a moderator needs to decide, within one message."""

from __future__ import annotations

from bot.config import Config
from bot.domain.models import Case, CaseView, Event, Origin
from bot.domain.vocabulary import EventKind, ReportStatus
from bot.render.i18n import Markup, escape, plain, t
from bot.render.keyboards import card_buttons
from bot.render.labels import category_label, reason_label
from bot.render.message import Rendered
from bot.render.text import (
    DETAIL_LIMIT,
    MESSAGE_LIMIT,
    NAME_LIMIT,
    NOTE_LIMIT,
    TITLE_LIMIT,
    clip,
    escape_attr,
    fit_lines,
    format_clock,
    format_time,
    utf16_len,
)

MAX_REPORTERS_SHOWN = 10
MAX_ORIGINS_SHOWN = 8
MAX_NOTES_SHOWN = 5
MAX_HISTORY_SHOWN = 20


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


def state_line(case: Case, language: str) -> Markup:
    text: str = t(language, "card.state", state=plain(language, f"state.{case.state.value}"))
    if case.claimed_by_name and not case.state.decided:
        text += t(language, "card.claimed_by", name=clip(case.claimed_by_name, NAME_LIMIT))
    if case.state.decided and case.decided_by_name:
        text += t(language, "card.decided_by", name=clip(case.decided_by_name, NAME_LIMIT))
    return Markup(text)


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
    reports = sum(1 for r in view.reports if r.status is ReportStatus.OPEN)
    head.append(t(language, "card.reporters", names=shown, count=reports))

    notes = [r for r in view.reports if r.note.strip()]
    origins = view.origins
    origin_lines = [describe_origin(o, language) for o in origins[:MAX_ORIGINS_SHOWN]]
    if len(origins) > MAX_ORIGINS_SHOWN:
        origin_lines.append(Markup(f"+{len(origins) - MAX_ORIGINS_SHOWN}"))
    tail = [t(language, "card.received", time=format_time(case.created_at))]
    if view.evidence_total:
        tail.append(evidence_line(view, language))
    erased = sum(1 for item in view.items if item.erased_at is not None)
    if erased:
        tail.append(t(language, "card.erased", count=erased))
    overdue = [e for e in view.events if e.kind is EventKind.OVERDUE and e.at >= case.clock_start]
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
    buttons = card_buttons(case, config, language, picker, view.evidence_more)

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


def pointer_text(case_id: int, language: str) -> Markup:
    return t(language, "card.pointer", case=case_id)


def evidence_line(view: CaseView, language: str) -> Markup:
    """How many items the case has, how many are copied below, how many wait to be asked for."""
    line = t(language, "card.evidence", total=view.evidence_total, below=view.evidence_posted)
    if view.evidence_more:
        line = Markup(line + t(language, "card.evidence_more", count=view.evidence_more))
    return line
