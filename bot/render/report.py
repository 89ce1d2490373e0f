"""The monthly transparency report as a document: notices received by category and by
organization, actions taken by decision and reason, median and p90 time to act, shares within
target, reopened decisions; flagger quality as an annex only when asked for. In one language.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.config import Config
from bot.domain.figures import Figures, FlaggerQuality, Quality
from bot.domain.models import UNDECIDED
from bot.render.charts import cases_chart, decisions_chart
from bot.render.document import Block, Chart, Heading, Paragraph, Table
from bot.render.i18n import plain
from bot.render.labels import category_label, code_label
from bot.render.quality import reasons_text
from bot.render.stats import duration, ordered_categories, percent, priority_of

CASES_CHART = "cases-per-day.png"
DECISIONS_CHART = "time-to-decision.png"


def report_title(figures: Figures, language: str) -> str:
    return plain(language, "transparency.title", month=figures.period.name)


def _summary(figures: Figures, language: str) -> Table:
    total = figures.total
    decided: Counter[str] = Counter()
    for d in figures.decisions:
        decided[d.decision] += d.count
    still_open = sum(figures.by_state.get(state.value, 0) for state in UNDECIDED)

    def row(key: str, value: object) -> list[str]:
        return [plain(language, f"transparency.row.{key}"), str(value)]

    return Table(
        [plain(language, "transparency.col.measure"), plain(language, "transparency.col.value")],
        [
            row("notices", total.cases),
            row("decisions", total.decisions),
            row("taken_down", decided.get("taken_down", 0)),
            row("dismissed", decided.get("dismissed", 0)),
            row("reopened", figures.reopened),
            row("open", still_open),
            row("first_action_median", duration(total.to_first_action.median, language)),
            row("first_action_p90", duration(total.to_first_action.p90, language)),
            row("decision_median", duration(total.to_decision.median, language)),
            row("decision_p90", duration(total.to_decision.p90, language)),
            row("first_in_target", percent(total.first_action_in_target)),
            row("decision_in_target", percent(total.decision_in_target)),
        ],
    )


def _columns(language: str, *keys: str) -> list[str]:
    return [plain(language, f"transparency.col.{key}") for key in keys]


def _by_category(figures: Figures, config: Config, language: str) -> Table:
    rows: list[list[str]] = []
    for g in ordered_categories(config, figures.by_category):
        category = config.categories.get(g.key)
        target = (
            f"{duration(category.targets.first_action_min * 60.0, language)} / "
            f"{duration(category.targets.decision_min * 60.0, language)}"
            if category
            else "—"
        )
        rows.append(
            [
                category_label(config, g.key, language),
                priority_of(config, g.key),
                str(g.cases),
                str(g.decisions),
                duration(g.to_first_action.median, language),
                duration(g.to_first_action.p90, language),
                duration(g.to_decision.median, language),
                duration(g.to_decision.p90, language),
                target,
                percent(g.decision_in_target),
            ]
        )
    header = _columns(
        language,
        "category",
        "priority",
        "cases",
        "decisions",
        "first_median",
        "first_p90",
        "decision_median",
        "decision_p90",
        "targets",
        "in_target",
    )
    return Table(header, rows)


def _by_organization(figures: Figures, language: str) -> Table:
    rows = [
        [
            g.key,
            str(g.cases),
            str(g.decisions),
            duration(g.to_first_action.median, language),
            duration(g.to_decision.median, language),
            duration(g.to_decision.p90, language),
            percent(g.decision_in_target),
        ]
        for g in figures.by_organization
    ]
    header = _columns(
        language,
        "organization",
        "cases",
        "decisions",
        "first_median",
        "decision_median",
        "decision_p90",
        "in_target",
    )
    return Table(header, rows)


def _actions(figures: Figures, config: Config, language: str) -> Table:
    rows = [
        [
            plain(language, f"state.{d.decision}"),
            code_label(config, d.decision, d.reason_code, language)
            or plain(language, "quality.typed_reason"),
            str(d.count),
        ]
        for d in figures.decisions
    ]
    return Table(_columns(language, "decision", "reason", "count"), rows)


def _quality_table(lines: list[FlaggerQuality], config: Config, language: str, first: str) -> Table:
    rows = [
        [
            line.key if first == "organization" else f"{line.key} ({line.organization})",
            str(line.reports),
            str(line.decided),
            percent(line.taken_down_share),
            percent(line.dismissed_share) + reasons_text(line, config, language),
            duration(line.to_decision.median, language),
        ]
        for line in lines
    ]
    header = _columns(
        language, first, "reports", "decided", "taken_down", "dismissed", "decision_median"
    )
    return Table(header, rows)


def report_blocks(
    figures: Figures,
    config: Config,
    language: str,
    generated_at: float,
    quality: Quality | None = None,
) -> list[Block]:
    """Everything the report says, in order; charts drawn here (matplotlib, on demand)."""
    period = figures.period
    generated = datetime.fromtimestamp(generated_at, period.zone).strftime("%Y-%m-%d %H:%M %Z")
    blocks: list[Block] = [
        Paragraph(
            plain(
                language,
                "transparency.intro",
                first=period.first.isoformat(),
                last=period.last.isoformat(),
                zone=period.zone.key,
                generated=generated,
            )
        ),
        Paragraph(plain(language, "transparency.definitions")),
    ]
    if figures.empty:
        blocks.append(Paragraph(plain(language, "transparency.empty")))
        return blocks
    blocks += [
        Heading(plain(language, "transparency.summary")),
        _summary(figures, language),
        Heading(plain(language, "transparency.by_category")),
        _by_category(figures, config, language),
        Heading(plain(language, "transparency.by_organization")),
        _by_organization(figures, language),
        Heading(plain(language, "transparency.actions")),
        _actions(figures, config, language),
        Heading(plain(language, "transparency.charts")),
        Chart(
            CASES_CHART,
            plain(language, "chart.cases_title"),
            cases_chart(figures, config, language),
        ),
    ]
    if figures.total.decisions:
        blocks.append(
            Chart(
                DECISIONS_CHART,
                plain(language, "chart.decision_title"),
                decisions_chart(figures, config, language),
            )
        )
    if quality is not None:
        blocks += [
            Heading(plain(language, "transparency.annex")),
            Paragraph(plain(language, "transparency.annex_intro")),
            _quality_table(quality.by_organization, config, language, "organization"),
            _quality_table(quality.by_reporter, config, language, "reporter"),
        ]
    return blocks
