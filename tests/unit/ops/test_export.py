"""Exports for Telegram: one CSV file when it fits the upload limit, gzipped when only that
fits, one file a month when even that does not; too large even by month is said plainly."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Config
from bot.desk import Desk
from bot.domain.lifecycle import Action
from bot.domain.periods import Period
from bot.ops.export import ExportFile, ExportOptions, TooLarge, export_files, targets_of
from bot.store import Store
from tests.factories import FakeClock
from tests.unit.desk.test_desk import DUA_P, MOD1, SATU_P, act, report_post

DAY = 86_400.0
UTC = ZoneInfo("UTC")


@pytest.fixture
async def two_months(desk: Desk, clock: FakeClock) -> Period:
    """Two cases on 2027-01-15 and three on 2027-02-24, one of each month decided."""
    for index, who in enumerate([SATU_P, DUA_P]):
        case = await report_post(desk, who, 10 + 2 * index, post_id=index)
    await act(desk, MOD1, case, Action.TAKE_DOWN)
    clock.advance(40 * DAY)
    for index, who in enumerate([SATU_P, DUA_P, SATU_P]):
        case = await report_post(desk, who, 30 + 2 * index, post_id=10 + index)
    await act(desk, MOD1, case, Action.DISMISS)
    return Period(date(2027, 1, 1), date(2027, 2, 28), UTC, "2027-01..2027-02")


def files(
    store: Store, config: Config, period: Period, tmp_path: Path, limit: int
) -> list[ExportFile]:
    def spool(name: str) -> Path:
        return tmp_path / name

    return export_files(store.path, ExportOptions(period, targets_of(config)), spool, limit=limit)


def rows_of(exported: ExportFile) -> list[dict[str, str]]:
    content = exported.path.read_bytes()
    if exported.filename.endswith(".gz"):
        content = gzip.decompress(content)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


async def test_one_file_when_it_fits(
    two_months: Period, store: Store, config: Config, tmp_path: Path
) -> None:
    (whole,) = files(store, config, two_months, tmp_path, 10**9)
    assert whole.filename == "cases-2027-01-01_2027-02-28.csv" and whole.cases == 5
    assert [r["case"] for r in rows_of(whole)] == ["1", "2", "3", "4", "5"]
    assert oct(whole.path.stat().st_mode & 0o777) == "0o600"


async def test_gzipped_then_by_month_then_too_large(
    two_months: Period, store: Store, config: Config, tmp_path: Path
) -> None:
    (plain,) = files(store, config, two_months, tmp_path / "a", 10**9)
    size = plain.path.stat().st_size

    (packed,) = files(store, config, two_months, tmp_path / "b", size - 1)
    assert packed.filename.endswith(".csv.gz") and len(rows_of(packed)) == 5
    assert not (tmp_path / "b" / plain.filename).exists()  # only the gzipped file is left

    by_month = files(store, config, two_months, tmp_path / "c", packed.path.stat().st_size - 1)
    assert [(f.filename.split(".")[0], f.cases) for f in by_month] == [
        ("cases-2027-01", 2),
        ("cases-2027-02", 3),
    ]
    assert [len(rows_of(f)) for f in by_month] == [2, 3]

    with pytest.raises(TooLarge):
        files(store, config, two_months, tmp_path / "d", 100)
    assert list((tmp_path / "d").iterdir()) == []


@pytest.fixture(autouse=True)
def _folders(tmp_path: Path) -> None:
    for name in "abcd":
        (tmp_path / name).mkdir()
