"""/stats as text: a period's counts, times to act and shares within target, in a language."""

from __future__ import annotations

from collections.abc import Iterable

from bot.config import Config
from bot.domain.figures import Figures, GroupFigures, Share
from bot.domain.models import State
from bot.render.i18n import Markup, plain, t
from bot.render.labels import category_label
from bot.render.text import MESSAGE_LIMIT, NAME_LIMIT, clip, fit_lines, format_age

NOTHING = "—"
MAX_ORGANIZATIONS_SHOWN = 15
STATE_ORDER = [state.value for state in State]


def duration(seconds: float | None, language: str) -> str:
    """`45s`, `12m`, `1h05m`, `2d3h` (`45 detik`, `12 menit`, `1 jam 5 menit`, `2 hari 3 jam`);
    a dash for nothing measured."""
    if seconds is None:
        return NOTHING
    if seconds < 60:
        whole = max(0, round(seconds))
        return f"{whole} detik" if language == "id" else f"{whole}s"
    return format_age(seconds, language)


def percent(share: Share) -> str:
    """`85% (17/20)`; a dash when there is nothing to share."""
    value = share.percent
    if value is None:
        return NOTHING
    return f"{value:.0f}% ({share.part}/{share.whole})"


def ordered_categories(config: Config, groups: Iterable[GroupFigures]) -> list[GroupFigures]:
    """Most urgent first, as configured; categories no longer configured last."""
    rank = {key: index for index, (key, _) in enumerate(config.categories_by_urgency())}
    return sorted(groups, key=lambda g: (rank.get(g.key, len(rank)), g.key))


def priority_of(config: Config, key: str) -> str:
    category = config.categories.get(key)
    return f"P{category.priority}" if category else "P?"


def states_line(figures: Figures, language: str) -> str:
    known = [s for s in STATE_ORDER if figures.by_state.get(s)]
    others = sorted(s for s in figures.by_state if s not in STATE_ORDER)
    return " · ".join(
        f"{plain(language, f'state.{s}') if s in STATE_ORDER else s} {figures.by_state[s]}"
        for s in [*known, *others]
    )


def stats_text(figures: Figures, config: Config, language: str) -> Markup:
    """Everything /stats says about a period, within one message."""
    period = figures.period.describe()
    if figures.empty:
        return t(language, "stats.empty", period=period)
    total = figures.total
    lines: list[str] = [
        t(language, "stats.title", period=period),
        t(
            language,
            "stats.cases",
            cases=total.cases,
            decisions=total.decisions,
            reopened=figures.reopened,
        ),
        t(language, "stats.states", states=states_line(figures, language)),
        t(
            language,
            "stats.first_action",
            median=duration(total.to_first_action.median, language),
            p90=duration(total.to_first_action.p90, language),
            share=percent(total.first_action_in_target),
        ),
        t(
            language,
            "stats.decision",
            median=duration(total.to_decision.median, language),
            p90=duration(total.to_decision.p90, language),
            share=percent(total.decision_in_target),
        ),
        t(
            language,
            "stats.visible",
            median=duration(figures.to_visible.median, language),
            p90=duration(figures.to_visible.p90, language),
        ),
        "",
        t(language, "stats.by_category"),
    ]
    for group in ordered_categories(config, figures.by_category):
        lines.append(
            t(
                language,
                "stats.category_line",
                priority=priority_of(config, group.key),
                category=category_label(config, group.key, language),
                cases=group.cases,
                first_median=duration(group.to_first_action.median, language),
                first_p90=duration(group.to_first_action.p90, language),
                decision_median=duration(group.to_decision.median, language),
                decision_p90=duration(group.to_decision.p90, language),
                share=percent(group.decision_in_target),
            )
        )
    lines += ["", t(language, "stats.by_organization")]
    for group in figures.by_organization[:MAX_ORGANIZATIONS_SHOWN]:
        lines.append(
            t(
                language,
                "stats.organization_line",
                organization=clip(group.key, NAME_LIMIT),
                cases=group.cases,
                median=duration(group.to_decision.median, language),
                p90=duration(group.to_decision.p90, language),
                share=percent(group.decision_in_target),
            )
        )
    hidden = len(figures.by_organization) - MAX_ORGANIZATIONS_SHOWN
    if hidden > 0:
        lines.append(f"+{hidden}")
    lines += ["", past_target_line(figures, config, language)]
    return Markup(fit_lines(lines, MESSAGE_LIMIT))


def past_target_line(figures: Figures, config: Config, language: str) -> Markup:
    if not figures.past_target_now:
        return t(language, "stats.past_target_none")
    listed = ", ".join(
        f"{category_label(config, key, language)} {count}"
        for key, count in figures.past_target_now.items()
    )
    return t(language, "stats.past_target", categories=listed)
