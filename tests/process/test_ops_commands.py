"""`python -m bot export` and `python -m bot report` as processes, on the previous release's
database (upgraded on the way): streams, files for the bot's user only, clear errors."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from tests.factories import write_config
from tests.harness import spawn_bot

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "release-0.1.0.sqlite3"
# The fixture's cases were reported on 2027-01-15, so every export names its days.
WHOLE = ["--since", "2027-01-01", "--until", "2027-01-31"]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = write_config(tmp_path, extra="timezone: Asia/Jakarta\n")
    shutil.copyfile(FIXTURE, tmp_path / "desk.sqlite3")
    return path


async def run(config: Path, *args: str) -> tuple[int, str, str]:
    process = await spawn_bot(config, None, args=args)
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_the_export_streams_every_case_as_csv(config: Path) -> None:
    code, out, err = await run(config, "export", *WHOLE)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(r["case"]) for r in rows] == list(range(1, 9))
    decided = rows[2]
    assert (decided["decision"], decided["reason_code"], decided["minutes_to_decision"]) == (
        "taken_down",
        "hoax",
        "6.1",
    )
    assert decided["reported_at"] == "2027-01-15T15:10:10+07:00"
    reopened = rows[3]
    assert (reopened["reopens"], reopened["decisions"], reopened["state"]) == ("1", "1", "new")
    assert rows[0]["organizations"] == "BNPT; Kominfo" and rows[0]["reporters"] == "2"
    assert "notes" not in rows[0]
    assert "Exported 8 cases (2027-01-01 – 2027-01-31 (Asia/Jakarta)) to stdout." in err


async def test_json_with_content_and_quality_to_a_private_file(
    config: Path, tmp_path: Path
) -> None:
    target = tmp_path / "cases.json"
    options = ["--format", "json", "--with-content", "--quality", "--output", str(target)]
    code, _, err = await run(config, "export", *WHOLE, *options)
    assert code == 0, err
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    document = json.loads(target.read_text("utf-8"))
    assert document["period"] == {
        "first_day": "2027-01-01",
        "last_day": "2027-01-31",
        "time_zone": "Asia/Jakarta",
    }
    cases = {case["case"]: case for case in document["cases"]}
    assert len(cases) == 8 and len(cases[4]["rounds"]) == 2
    assert cases[4]["rounds"][0]["decision"] == "dismissed"
    assert any("t.me" in origin for case in cases.values() for origin in case["origins"])
    assert {line["quality_of"] for line in document["quality"]} == {"organization", "reporter"}


async def test_the_report_of_a_month(config: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "report"
    code, out, err = await run(config, "report", "--month", "2027-01", "--output", str(out_dir))
    assert code == 0, err
    assert sorted(Path(line).name for line in out.split()) == [
        "cases-per-day.png",
        "report.html",
        "report.md",
        "time-to-decision.png",
    ]
    assert "| Notices received (cases) | 8 |" in (out_dir / "report.md").read_text("utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "--since", "2027-13-01"], "--since: expected a date such as 2026-11-01"),
        (["export", "--format", "xml"], "invalid choice: 'xml'"),
        (["export", "--since", "2027-02-01", "--until", "2027-01-01"], "--since is after"),
        (["report", "--month", "January", "--output", "x"], "expected a month such as 2026-11"),
        (["report", "--month", "2027-01"], "the following arguments are required: --output"),
    ],
)
async def test_bad_arguments_get_usage_help(config: Path, args: list[str], message: str) -> None:
    code, _, err = await run(config, *args)
    assert code == 2
    assert message in err and "usage: python -m bot" in err and "Traceback" not in err


async def test_no_database_yet_is_said_plainly(tmp_path: Path) -> None:
    code, _, err = await run(write_config(tmp_path), "export")
    assert code == 1
    assert f"No database at {tmp_path / 'desk.sqlite3'}" in err and "Traceback" not in err
