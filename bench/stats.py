"""Accountability benchmark: /stats on a month of 30,000 cases, and a yearly export of 365,000.

Builds a desk database holding a year of synthetic cases (1,000 a day, 30,000 in the month
measured) with realistic facts: categories, one or two reporters of 20 organizations, first
actions and decisions minutes to days after the report, waits for the reporter, reopens. Then:

- /stats: the figures of the month (SQL) and their text, then the chart, then the whole use
  case as a moderator's /stats runs it (figures, text, chart written to the outbox);
- the export of the month and of the year (CSV and JSON), each in a process of its own so its
  peak memory (max RSS) can be compared: flat memory means the year peaks like the month.

Run:  .venv/bin/python -m bench.stats                 (builds the database: about a minute)
      .venv/bin/python -m bench.stats --keep DIR      (keep/reuse the database in DIR)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import load_config
from bot.desk import Desk
from bot.domain.models import Person
from bot.domain.periods import between, parse_period
from bot.ops.export import ExportOptions, export, targets_of
from bot.render.charts import stats_chart
from bot.render.stats import stats_text
from bot.store import Store
from bot.store.figures import period_figures
from bot.store.reading import reading
from tests.factories import GROUP, MOD_ONE, write_config

YEAR = 2026
PER_DAY = 1000
ZONE = "Asia/Jakarta"
MONTH = "2026-11"
CATEGORIES = [
    ("terrorism", 1, 0.05),
    ("child_abuse", 1, 0.02),
    ("radicalism", 2, 0.08),
    ("hate_speech", 2, 0.15),
    ("disinformation", 3, 0.25),
    ("pornography", 3, 0.10),
    ("gambling", 3, 0.20),
    ("fraud", 3, 0.10),
    ("other", 4, 0.05),
]
ORGANIZATIONS = [f"Org {i}" for i in range(20)]
REPORTERS = [(500_000 + i, f"Liaison {i}", ORGANIZATIONS[i % 20]) for i in range(200)]
MODERATORS = [(111_111, "Mod One"), (222_222, "Mod Two"), (333_000, "Mod Three")]


def one_case(rng: random.Random, case_id: int, reported: float, tables: dict[str, list]) -> None:
    """A synthetic case's rows: decided in 97 of 100 (one decision in 100 reopened and decided
    again), one or two reporters, now and then a wait for the reporter."""
    category, priority, _ = rng.choices(CATEGORIES, [c[2] for c in CATEGORIES])[0]
    acted = reported + rng.lognormvariate(3.5, 1.0) * 60
    paused = rng.uniform(600, 7200) if rng.random() < 0.05 else 0.0
    decided = acted + rng.lognormvariate(4.5, 1.2) * 60 + paused
    still_open = rng.random() < 0.03
    decision = "taken_down" if rng.random() < 0.7 else "dismissed"
    reasons = ["propaganda", "incitement"] if decision == "taken_down" else ["not_illegal"]
    moderator, name = rng.choice(MODERATORS)
    tables["cases"].append(
        (case_id, category, priority, "new" if still_open else decision, reported, reported)
    )
    tables["case_facts"].append((case_id, reported, category, priority, reported + 2.0))
    first = {
        "case_id": case_id,
        "round": 0,
        "started_at": reported,
        "first_action_at": acted,
        "first_action": "claimed" if rng.random() < 0.8 else decision,
        "first_action_by": moderator,
        "first_action_by_name": name,
        "paused_seconds": paused,
        "decided_at": None,
        "decision": None,
        "reason_code": None,
        "decided_by": moderator,
        "decided_by_name": name,
    }
    if not still_open:
        first.update(decided_at=decided, decision=decision, reason_code=rng.choice(reasons))
    tables["case_rounds"].append(first)
    if not still_open and rng.random() < 0.01:
        again = decided + 3600
        tables["case_rounds"].append(
            {
                **first,
                "round": 1,
                "started_at": again,
                "first_action_at": again + 600,
                "paused_seconds": 0.0,
                "decided_at": again + 1800,
                "decision": "taken_down",
                "reason_code": "propaganda",
            }
        )
    for reporter_id, reporter, organization in rng.sample(REPORTERS, rng.choice([1, 1, 2])):
        tables["case_reporters"].append((case_id, reporter_id, reporter, organization, reported))


def build(path: Path) -> None:
    """A year of cases, written straight into the tables the desk keeps (schema by migration)."""

    async def migrate() -> None:
        store = await Store.open(path, time.time)
        await store.close()

    asyncio.run(migrate())
    zone = ZoneInfo(ZONE)
    rng = random.Random(15)
    tables: dict[str, list] = {
        "cases": [],
        "case_facts": [],
        "case_rounds": [],
        "case_reporters": [],
    }
    day = date(YEAR, 1, 1)
    case_id = 0
    while day.year == YEAR:
        start = datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()
        for _ in range(PER_DAY):
            case_id += 1
            one_case(rng, case_id, start + rng.uniform(0, 86_400), tables)
        day += timedelta(days=1)
    columns = ", ".join(f":{name}" for name in tables["case_rounds"][0])
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO cases (id, category, priority, state, created_at, clock_start)"
            " VALUES (?,?,?,?,?,?)",
            tables["cases"],
        )
        db.executemany("INSERT INTO case_facts VALUES (?,?,?,?,?)", tables["case_facts"])
        db.executemany(
            f"INSERT INTO case_rounds ({columns.replace(':', '')}) VALUES ({columns})",
            tables["case_rounds"],
        )
        db.executemany("INSERT INTO case_reporters VALUES (?,?,?,?,?)", tables["case_reporters"])
    rounds = len(tables["case_rounds"])
    print(f"built {case_id} cases ({rounds} rounds) in {path}", file=sys.stderr)


def timed(label: str, action):
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    print(f"{label:<52} {seconds:7.3f} s")
    return result, seconds


def bench_stats(path: Path, config_path: Path) -> None:
    config = load_config(config_path)
    now = datetime(YEAR, 12, 31, tzinfo=ZoneInfo(ZONE)).timestamp()
    month = parse_period(MONTH, now, config.zone)
    assert month is not None

    def figures():
        with reading(str(path)) as db:
            return period_figures(db, month, targets_of(config), now)

    found, _ = timed(f"/stats {MONTH}: figures ({month.days} days of cases)", figures)
    print(f"  {found.total.cases} cases, {found.total.decisions} decisions")
    timed("/stats: text", lambda: stats_text(found, config, config.language))
    timed("/stats: chart (first: imports matplotlib)", lambda: stats_chart(found, config, "en"))
    timed("/stats: chart (again)", lambda: stats_chart(found, config, "en"))

    async def use_case() -> list[float]:
        """Seconds until the figures, then the chart, were queued to be sent."""
        store = await Store.open(path, lambda: now)
        queued: list[float] = []
        started = time.perf_counter()
        store.on_outbox_written(lambda: queued.append(time.perf_counter() - started))
        try:
            desk = Desk(store, lambda: config)
            await desk.stats.stats(Person(MOD_ONE, "Mod One"), GROUP, MONTH)
        finally:
            await store.close()
        return queued

    for attempt in ("first", "again"):
        answered, chart = asyncio.run(use_case())
        print(
            f"/stats as a moderator's command ({attempt}): figures queued after {answered:.3f} s,"
            f" chart after {chart:.3f} s"
        )


def peak_rss_kb() -> int:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across exec
    from the parent that forked it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def export_child(path: str, config_path: str, since: str, until: str, as_json: bool) -> None:
    """Runs in a process of its own: export to /dev/null, then print seconds and peak RSS."""
    config = load_config(config_path)
    period = between(date.fromisoformat(since), date.fromisoformat(until), 0.0, config.zone)
    options = ExportOptions(period, targets_of(config), json=as_json)
    baseline = peak_rss_kb()
    started = time.perf_counter()
    with open("/dev/null", "w", encoding="utf-8") as sink:
        count = export(path, sink, options)
    seconds = time.perf_counter() - started
    peak = peak_rss_kb()
    print(json.dumps({"cases": count, "seconds": seconds, "peak_kb": peak, "base_kb": baseline}))


def bench_export(path: Path, config_path: Path) -> None:
    spans = [("month", "2026-11-01", "2026-11-30"), ("year", "2026-01-01", "2026-12-31")]
    for label, since, until in spans:
        for as_json in (False, True):
            args = [
                sys.executable,
                "-m",
                "bench.stats",
                "--export-child",
                str(path),
                str(config_path),
                since,
                until,
                "json" if as_json else "csv",
            ]
            measured = json.loads(subprocess.run(args, capture_output=True, check=True).stdout)
            kind = "JSON" if as_json else "CSV"
            print(
                f"export of a {label} as {kind}: {measured['cases']} cases in "
                f"{measured['seconds']:.2f} s, peak RSS {measured['peak_kb'] / 1024:.0f} MB "
                f"(after imports {measured['base_kb'] / 1024:.0f} MB)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="a directory to keep (and reuse) the database in")
    parser.add_argument("--export-child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        path, config_path, since, until, kind = args.export_child
        export_child(path, config_path, since, until, kind == "json")
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-stats-"))
    folder.mkdir(parents=True, exist_ok=True)
    config_path = write_config(folder, extra=f"timezone: {ZONE}\n")
    database = folder / "desk.sqlite3"
    if not database.exists():
        timed("build a year of cases", lambda: build(database))
    bench_stats(database, config_path)
    bench_export(database, config_path)


if __name__ == "__main__":
    main()
