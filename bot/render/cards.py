"""The card of a case: everything a moderator needs to decide, within one message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from bot.config import Config
from bot.domain.models import Case, CaseView, Event, Origin
from bot.domain.vocabulary import EventKind, ReportStatus
from bot.render.i18n import Markup, escape, plain, t
from bot.render.keyboards import card_buttons
from bot.render.labels import category_label, overdue_label, priority_mark, reason_label
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
    utf16_len,
)
from bot.render.times import full_time, history_time, zone_abbreviation

MAX_REPORTERS_SHOWN = 10
MAX_ORIGINS_SHOWN = 8
MAX_NOTES_SHOWN = 5
MAX_HISTORY_SHOWN = 20
# An earlier case's reason, beside its number on a card.
EARLIER_REASON_LIMIT = 60


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


@dataclass(frozen=True)
class HistoryClock:
    """How a card writes the times of its history: in the desk's zone, whose abbreviation the
    heading names once (a line in another one, across a change to summer time, names its own);
    a line not on the received day, or not today, carries its date."""

    zone: tzinfo
    language: str
    received: float
    now: float | None
    abbreviation: str

    @classmethod
    def of(cls, view: CaseView, config: Config) -> HistoryClock:
        moment = view.as_of if view.as_of is not None else view.case.created_at
        return cls(
            config.zone,
            config.language,
            view.case.created_at,
            view.as_of,
            zone_abbreviation(moment, config.zone),
        )

    def time_of(self, timestamp: float) -> str:
        written = history_time(
            timestamp, self.zone, self.language, anchor=self.received, now=self.now
        )
        own = zone_abbreviation(timestamp, self.zone)
        return written if own == self.abbreviation else f"{written} {own}"


def history_line(event: Event, clock: HistoryClock) -> Markup:
    language = clock.language
    values: dict[str, object] = {
        "time": clock.time_of(event.at),
        "name": clip(event.actor_name or "?", NAME_LIMIT),
    }
    detail = event.detail
    if event.kind is EventKind.TAKEN_OVER:
        values["previous"] = clip(detail or "?", NAME_LIMIT)
        detail = None
    elif event.kind is EventKind.OVERDUE:
        detail = overdue_label(detail, language)
    line = t(language, f"history.{event.kind}", **values)
    if detail:
        line = Markup(line + ": " + escape(clip(detail, DETAIL_LIMIT)))
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
            priority=priority_mark(case.priority),
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
    tail = [t(language, "card.received", time=full_time(case.created_at, config.zone))]
    if view.evidence_total:
        tail.append(evidence_line(view, language))
    erased = sum(1 for item in view.items if item.erased_at is not None)
    if erased:
        tail.append(t(language, "card.erased", count=erased))
    overdue = [e for e in view.events if e.kind is EventKind.OVERDUE and e.at >= case.clock_start]
    if overdue and not case.state.decided:
        marks = "; ".join(overdue_label(e.detail, language) for e in overdue)
        tail.append(t(language, "card.overdue", targets=marks))
    tail.extend(earlier_lines(view, config))
    clock = HistoryClock.of(view, config)
    history = [history_line(e, clock) for e in view.events][-MAX_HISTORY_SHOWN:]
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
            parts.append(t(language, "card.history", zone=clock.abbreviation))
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


def earlier_outcome(case: Case, config: Config) -> str:
    """`#3 taken down (terrorist propaganda)`: an earlier case and what became of it."""
    language = config.language
    text = f"#{case.id} {escape(plain(language, f'state.{case.state.value}'))}"
    reason = reason_label(config, case, language) if case.state.decided else None
    if reason:
        text += f" ({escape(clip(reason, EARLIER_REASON_LIMIT))})"
    return text


def earlier_lines(view: CaseView, config: Config) -> list[Markup]:
    """Earlier cases of this very content (with their outcome), then other earlier cases from
    the same channel or sender."""
    language = config.language
    lines: list[Markup] = []
    if view.same_content:
        cases = ", ".join(earlier_outcome(c, config) for c in view.same_content)
        lines.append(t(language, "card.same_content", cases=Markup(cases)))
    shown = {c.id for c in view.same_content}
    others = [c for c in view.earlier if c.id not in shown]
    if others:
        cases = ", ".join(f"#{c.id} {plain(language, f'state.{c.state.value}')}" for c in others)
        lines.append(t(language, "card.earlier", cases=cases))
    return lines


def pointer_text(case_id: int, language: str) -> Markup:
    return t(language, "card.pointer", case=case_id)


def evidence_line(view: CaseView, language: str) -> Markup:
    """How many items the case has, how many are copied below, how many wait to be asked for."""
    line = t(language, "card.evidence", total=view.evidence_total, below=view.evidence_posted)
    if view.evidence_more:
        line = Markup(line + t(language, "card.evidence_more", count=view.evidence_more))
    return line
