"""Charts as PNG bytes: cases per day stacked by category, and time to decision against the
category targets.

matplotlib is imported here, inside the functions, only when a chart is drawn: the running bot
stays small until someone asks for /stats. Figures are drawn with the object API on the Agg
canvas (no pyplot, no global state), so drawing in a worker thread is safe.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from bot.config import Config
from bot.domain.figures import Figures
from bot.render.i18n import plain
from bot.render.labels import category_label
from bot.render.stats import ordered_categories

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 100
HOUR = 3600.0


def _figure(rows: int, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.subplots(rows, 1)
    return figure


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _category_keys(figures: Figures, config: Config) -> list[str]:
    seen: set[str] = set()
    for _, counts in figures.per_bucket:
        seen.update(counts)
    order = {key: i for i, (key, _) in enumerate(config.categories_by_urgency())}
    return sorted(seen, key=lambda key: (order.get(key, len(order)), key))


def draw_cases(axes: Axes, figures: Figures, config: Config, language: str) -> None:
    """Cases per day (or month), stacked by category, most urgent at the bottom."""
    labels = [label for label, _ in figures.per_bucket]
    daily = bool(labels) and len(labels[0]) == len("2026-11-30")
    shown = [label[5:] if daily else label for label in labels]
    positions = list(range(len(labels)))
    bottom = [0] * len(labels)
    palette = _palette()
    for index, key in enumerate(_category_keys(figures, config)):
        heights = [counts.get(key, 0) for _, counts in figures.per_bucket]
        axes.bar(
            positions,
            heights,
            bottom=bottom,
            label=category_label(config, key, language),
            color=palette[index % len(palette)],
            width=0.8,
        )
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    axes.set_title(plain(language, "chart.cases_title"))
    axes.set_ylabel(plain(language, "chart.cases"))
    step = max(1, len(labels) // 16)
    axes.set_xticks(positions[::step], shown[::step], rotation=45, ha="right")
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max(bottom, default=0) * 1.3 + 1)  # room for the legend above the bars
    axes.legend(fontsize="small", loc="upper left", ncols=3)


def draw_decisions(axes: Axes, figures: Figures, config: Config, language: str) -> None:
    """Median and 90th percentile time to decision per category, with the category's target."""
    groups = [g for g in ordered_categories(config, figures.by_category) if g.to_decision.count]
    rows = list(range(len(groups)))[::-1]
    values: list[float] = []
    for g in groups:
        values += [g.to_decision.p90 or 0.0, g.to_decision.median or 0.0]
        category = config.categories.get(g.key)
        if category:
            values.append(category.targets.decision_min * 60.0)
    in_hours = max(values, default=0.0) > 3 * HOUR
    unit = HOUR if in_hours else 60.0

    def scaled(seconds: float | None) -> float:
        return (seconds or 0.0) / unit

    # The 90th percentile's bar first, so that the shorter median's shows on top of it.
    for seconds, color, label in (
        ([g.to_decision.p90 for g in groups], "#f4a582", "chart.p90"),
        ([g.to_decision.median for g in groups], "#b2182b", "chart.median"),
    ):
        axes.barh(
            rows,
            [scaled(s) for s in seconds],
            color=color,
            label=plain(language, label),
            height=0.6,
        )
    targets = [
        (row, scaled(config.categories[g.key].targets.decision_min * 60.0))
        for row, g in zip(rows, groups, strict=True)
        if g.key in config.categories
    ]
    if targets:
        axes.scatter(
            [x for _, x in targets],
            [row for row, _ in targets],
            marker="|",
            s=900,
            color="black",
            label=plain(language, "chart.target"),
            zorder=3,
        )
    axes.set_yticks(rows, [category_label(config, g.key, language) for g in groups])
    axes.set_xlabel(plain(language, "chart.hours" if in_hours else "chart.minutes"))
    axes.set_title(plain(language, "chart.decision_title"))
    axes.legend(fontsize="small", loc="best")


def _palette() -> list[Any]:
    from matplotlib import colormaps

    return list(colormaps["tab10"].colors)  # type: ignore[attr-defined]


def stats_chart(figures: Figures, config: Config, language: str) -> bytes:
    """The /stats photo: both charts in one PNG."""
    figure = _figure(2, 9.0)
    top, bottom = figure.axes
    draw_cases(top, figures, config, language)
    draw_decisions(bottom, figures, config, language)
    return _png(figure)


def cases_chart(figures: Figures, config: Config, language: str) -> bytes:
    figure = _figure(1, 4.8)
    draw_cases(figure.axes[0], figures, config, language)
    return _png(figure)


def decisions_chart(figures: Figures, config: Config, language: str) -> bytes:
    figure = _figure(1, 4.8)
    draw_decisions(figure.axes[0], figures, config, language)
    return _png(figure)
