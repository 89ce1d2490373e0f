"""`python -m bot report`: the monthly transparency report as files a partner can attach as
they are: report.html (one file, charts embedded), report.md with the PNG charts beside it."""

from __future__ import annotations

from pathlib import Path

from bot.config import Config
from bot.domain.periods import Period
from bot.ops.export import targets_of
from bot.ops.files import private_dir, write_private
from bot.render.document import Chart, to_html, to_markdown
from bot.render.report import report_blocks, report_title
from bot.store.figures import period_figures
from bot.store.quality import flagger_quality
from bot.store.reading import reading


def write_report(
    database: str,
    config: Config,
    month: Period,
    output: Path,
    now: float,
    *,
    with_quality: bool = False,
) -> list[Path]:
    """Write the report of `month` into `output` (0600 files); the paths written."""
    with reading(database) as db:
        figures = period_figures(db, month, targets_of(config), now)
        quality = flagger_quality(db, month) if with_quality else None
    language = config.language
    blocks = report_blocks(figures, config, language, now, quality)
    title = report_title(figures, language)
    private_dir(output)
    written = [
        write_private(output / "report.html", to_html(title, language, blocks).encode("utf-8")),
        write_private(output / "report.md", to_markdown(title, blocks).encode("utf-8")),
    ]
    for block in blocks:
        if isinstance(block, Chart):
            written.append(write_private(output / block.filename, block.png))
    return written
