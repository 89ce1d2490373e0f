"""Charts: valid PNGs in both languages, and matplotlib stays out of the running bot until a
chart is drawn."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from PIL import Image

from bot.config import Config
from bot.domain.figures import Figures, GroupFigures, Share, Spread
from bot.domain.periods import Period
from bot.render.charts import cases_chart, decisions_chart, stats_chart

HOUR = 3600.0


def figures(days: int = 7) -> Figures:
    first = date(2026, 1, 1)
    period = Period(first, first + timedelta(days=days - 1), ZoneInfo("Asia/Jakarta"), "x")
    per_bucket = [
        (b.label, {"terrorism": i % 3, "fraud": 2} if i % 2 else {"other": 1})
        for i, b in enumerate(period.buckets())
    ]
    slow = GroupFigures("fraud", 9, 8, Spread(8, HOUR, 2 * HOUR), Spread(8, 30 * HOUR, 50 * HOUR))
    fast = GroupFigures("terrorism", 5, 5, Spread(5, 60, 600), Spread(5, 1200, 4000), Share(4, 5))
    return Figures(period, 0.0, fast, by_category=[slow, fast], per_bucket=per_bucket)


def png_size(content: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG"
    image.verify()
    return image.size


def test_the_stats_chart_is_a_png_with_both_charts(config: Config) -> None:
    width, height = png_size(stats_chart(figures(), config, "en"))
    assert width == 1000 and height == 900
    assert png_size(stats_chart(figures(), config, "id"))[1] == 900


def test_the_report_charts_by_day_and_by_month(config: Config) -> None:
    assert png_size(cases_chart(figures(30), config, "en")) == (1000, 480)
    assert png_size(decisions_chart(figures(), config, "en")) == (1000, 480)
    yearly = figures(365)
    assert len(yearly.per_bucket) == 12  # a year is drawn by month
    assert png_size(cases_chart(yearly, config, "id")) == (1000, 480)


def test_matplotlib_is_not_loaded_until_a_chart_is_drawn() -> None:
    code = (
        "import sys, bot.runtime, bot.__main__, bot.desk.stats, bot.render.charts;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'numpy')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"
