"""The transparency report's document: in the configured language, every name escaped in HTML
and Markdown, the charts embedded in the HTML and beside the Markdown."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.domain.figures import DecisionCount, Figures, GroupFigures, Share, Spread
from bot.domain.periods import Period
from bot.render.document import Chart, to_html, to_markdown
from bot.render.report import report_blocks, report_title

HOSTILE = "<script>alert(1)</script> | *Org*"


def month_figures() -> Figures:
    period = Period(date(2026, 11, 1), date(2026, 11, 30), ZoneInfo("Asia/Jakarta"), "2026-11")
    group = GroupFigures("terrorism", 4, 3, Spread(3, 600, 900), Spread(3, 1800, 3000), Share(2, 3))
    return Figures(
        period,
        0.0,
        GroupFigures(
            "", 4, 3, Spread(3, 600, 900), Spread(3, 1800, 3000), Share(2, 3), Share(3, 3)
        ),
        by_category=[group],
        by_organization=[GroupFigures(HOSTILE, 4, 3)],
        by_state={"taken_down": 3, "new": 1},
        decisions=[DecisionCount("taken_down", "propaganda", 3)],
        per_bucket=[(b.label, {"terrorism": 1}) for b in period.buckets()],
    )


def test_the_report_in_indonesian_escapes_every_name(config: Config) -> None:
    blocks = report_blocks(month_figures(), config, "id", 1_800_000_000.0)
    title = report_title(month_figures(), "id")
    assert title == "Laporan transparansi saluran pelapor tepercaya, 2026-11"
    page = to_html(title, "id", blocks)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.count("data:image/png;base64,") == 2
    assert '<html lang="id">' in page and "Ringkasan" in page
    markdown = to_markdown(title, blocks)
    assert "\\<script\\>alert(1)\\</script\\> \\| \\*Org\\*" in markdown
    assert "| Waktu sampai keputusan (waktu bertindak), median | 30 menit |" in markdown
    assert "| diturunkan | propaganda terorisme | 3 |" in markdown
    charts = [b.filename for b in blocks if isinstance(b, Chart)]
    assert charts == ["cases-per-day.png", "time-to-decision.png"]
    assert all(f"]({name})" in markdown for name in charts)


def test_an_empty_month_is_said_plainly(config: Config) -> None:
    empty = Figures(month_figures().period, 0.0, GroupFigures(""))
    markdown = to_markdown("t", report_blocks(empty, config, "en", 0.0))
    assert "No case was first reported in this period." in markdown
    assert "![" not in markdown
