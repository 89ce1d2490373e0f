"""Flagger quality as text, for an admin's private chat only: how each organization's and each
reporter's reports ended."""

from __future__ import annotations

from bot.config import Config
from bot.domain.figures import FlaggerQuality, Quality
from bot.render.i18n import Markup, plain, t
from bot.render.labels import code_label
from bot.render.stats import duration, percent
from bot.render.text import MESSAGE_LIMIT, NAME_LIMIT, clip, fit_lines

MAX_LINES_PER_TABLE = 40


def reason_name(config: Config, code: str | None, language: str) -> str:
    """A dismissal reason code as people read it."""
    label = code_label(config, "dismissed", code, language)
    return label if label is not None else plain(language, "quality.typed_reason")


def reasons_text(line: FlaggerQuality, config: Config, language: str) -> str:
    if not line.dismissed_by_reason:
        return ""
    listed = ", ".join(
        f"{reason_name(config, code, language)} {count}"
        for code, count in line.dismissed_by_reason.items()
    )
    return f" ({listed})"


def _line(line: FlaggerQuality, config: Config, language: str, with_org: bool) -> Markup:
    name = clip(line.key, NAME_LIMIT)
    if with_org and line.organization:
        name += f" ({clip(line.organization, NAME_LIMIT)})"
    return t(
        language,
        "quality.line",
        name=name,
        reports=line.reports,
        decided=line.decided,
        taken_down=percent(line.taken_down_share),
        dismissed=percent(line.dismissed_share),
        reasons=reasons_text(line, config, language),
        median=duration(line.to_decision.median, language),
    )


def quality_text(quality: Quality, config: Config, language: str) -> Markup:
    period = quality.period.describe()
    if quality.empty:
        return t(language, "stats.empty", period=period)
    lines: list[str] = [
        t(language, "quality.title", period=period),
        t(language, "quality.columns"),
        "",
        t(language, "quality.organizations"),
    ]
    lines += [
        _line(q, config, language, False) for q in quality.by_organization[:MAX_LINES_PER_TABLE]
    ]
    lines += ["", t(language, "quality.reporters")]
    lines += [_line(q, config, language, True) for q in quality.by_reporter[:MAX_LINES_PER_TABLE]]
    return Markup(fit_lines(lines, MESSAGE_LIMIT))
