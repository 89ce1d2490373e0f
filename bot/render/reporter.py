"""What a reporter reads about their cases: status lines and the statement of reasons."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import Config
from bot.domain.models import Case, Item, Origin, State
from bot.render.i18n import Markup, escape, plain, t
from bot.render.labels import reason_label
from bot.render.text import NAME_LIMIT, NOTE_LIMIT, REPORTER_TEXT_LIMIT, clip
from bot.render.times import full_time

# The reporter's own words, when they are what was reported.
OWN_TEXT_LIMIT = 80


def reported_content(items: Sequence[Item], language: str) -> str | None:
    """What a reporter reported, in a few words they recognise: the channel's or sender's name
    and the post's link (`«Bad News» https://t.me/badnews/77`), their own text, clipped; `+N`
    for more sources. None when nothing is left to name (content erased after retention)."""
    origins: list[Origin] = []
    for item in items:
        if item.origin not in origins:
            origins.append(item.origin)
    if not origins:
        return None
    first = origins[0]
    parts: list[str] = []
    name = first.title or first.sender_name
    if name:
        parts.append(f"«{escape(clip(name, NAME_LIMIT))}»")
    if first.link:
        parts.append(escape(first.link))
    elif first.username:
        parts.append(f"@{escape(first.username)}")
    if not parts:
        own = next((i.text for i in items if i.origin == first and i.text), None)
        if first.type == "own" and own:
            parts.append(f"«{escape(clip(' '.join(own.split()), OWN_TEXT_LIMIT))}»")
        else:
            key = "outcome.own" if first.type == "own" else f"origin.short.{first.type}"
            parts.append(escape(plain(language, key)))
    if len(origins) > 1:
        parts.append(f"+{len(origins) - 1}")
    return " ".join(parts)


def outcome_text(
    language: str, case: Case, config: Config, reported: Sequence[Item] = ()
) -> Markup:
    """A statement of reasons for a reporter: what they reported, the decision, why and when;
    never who decided. `reported` are the reporter's own items on the case."""
    what = reported_content(reported, language)
    return t(
        language,
        f"outcome.{case.state.value}",
        case=case.id,
        reported=Markup("\n" + t(language, "outcome.reported", what=Markup(what)) if what else ""),
        reason=clip(reason_label(config, case, language) or "—", REPORTER_TEXT_LIMIT),
        time=full_time(case.decided_at or case.created_at, config.zone),
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
    time = full_time(case.created_at, config.zone)
    return t(language, key, case=case.id, phase=phase, time=time)
