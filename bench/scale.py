"""Scale benchmark: the lookups people wait for, on a desk holding a year (or ten) of cases.

Generates a realistic database at `--cases N` through the project's own migrations (bulk inserts
after `Store.open`): about 1,000 cases a day, 1.25 reports and 1.6 items a case, albums, sources
and reporters drawn with long tails (one channel reported 58,000 times and one reporter with
190,000 reports at a million cases), the event log, case facts, cards, and the outbox and inbox
history that retention leaves (30 and 7 days). The last 10,000 cases (a tenth of a smaller desk)
are undecided.

Then, in a process of its own (so its memory is the desk's, not the generator's), it times the
operations through the real repositories and use cases, on a copy of the database, printing one
line per operation:

    scale: op=NAME cases=N p50_ms=X p95_ms=Y

Run:  .venv/bin/python -m bench.scale --cases 100000
      .venv/bin/python -m bench.scale --cases 1000000 --keep /var/tmp/scale   (reuse it later)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.config import load_config
from bot.desk import Desk
from bot.desk.timers import TimerDispatch, TimerRunner
from bot.domain.identity import item_identity
from bot.domain.lifecycle import Action, Decision
from bot.domain.models import Origin, Person
from bot.domain.vocabulary import TimerKind
from bot.render.callback_data import CaseAction
from bot.render.cards import render_card
from bot.store import Store
from tests.factories import GROUP, MOD_ONE, incoming_item, many_reporters_config

PER_DAY = 1000
UNDECIDED = 10_000
REPORTERS = [800_000 + i for i in range(200)]
BUSIEST_SHARE = 0.152  # of all reports: 190,000 of 1.25 million
TOP_SOURCE_SHARE = 0.036  # of all items: 58,000 of 1.6 million
SOURCES = 20_000
CATEGORIES = [("terrorism", 1), ("hate_speech", 2), ("disinformation", 3), ("gambling", 3)]
START = 1_700_000_000.0
MODERATOR = Person(MOD_ONE, "Mod One")


def undecided_of(cases: int) -> int:
    """The newest cases wait for a decision: 10,000, or a tenth of a smaller desk."""
    return min(UNDECIDED, cases // 10)


def zipf_weights(count: int, exponent: float) -> list[float]:
    return [1.0 / (rank + 1) ** exponent for rank in range(count)]


class Generator:
    """Rows of a synthetic desk, written in bulk."""

    def __init__(self, cases: int, seed: int = 11) -> None:
        self.cases = cases
        self.rng = random.Random(seed)
        rest = zipf_weights(len(REPORTERS) - 1, 1.0)
        scale = (1 - BUSIEST_SHARE) / sum(rest)
        self.reporter_weights = [BUSIEST_SHARE] + [w * scale for w in rest]
        self.source_weights = zipf_weights(SOURCES - 1, 0.9)
        self.tables: dict[str, list[tuple[Any, ...]]] = {}
        self.ids = {"reports": 0, "items": 0, "events": 0, "outbox": 0, "inbox": 0}
        self.message_ids: dict[int, int] = {}

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def row(self, table: str, values: tuple[Any, ...]) -> None:
        self.tables.setdefault(table, []).append(values)

    def source(self) -> str:
        if self.rng.random() < TOP_SOURCE_SHARE:
            return "bigchannel"
        return f"chan{self.rng.choices(range(1, SOURCES), self.source_weights)[0]}"

    def message_id(self, chat: int) -> int:
        self.message_ids[chat] = self.message_ids.get(chat, 0) + 1
        return self.message_ids[chat]

    def one_case(self, case_id: int) -> None:
        rng = self.rng
        created = START + case_id * 86400 / PER_DAY
        category, priority = rng.choice(CATEGORIES)
        undecided = case_id > self.cases - undecided_of(self.cases)
        state = "new" if undecided else rng.choice(["taken_down", "taken_down", "dismissed"])
        decided_at = None if undecided else created + rng.uniform(600, 20_000)
        reason = None if undecided else ("propaganda" if state == "taken_down" else "not_illegal")
        self.row(
            "cases",
            (
                case_id,
                category,
                priority,
                state,
                created,
                created,
                created + 300,
                decided_at,
                MOD_ONE if decided_at else None,
                "Mod One" if decided_at else None,
                reason,
            ),
        )
        channel = self.source()
        post = case_id
        reports = 1 + (rng.random() < 0.2) + (rng.random() < 0.05)
        identities: list[str] = []
        for number in range(reports):
            reporter = rng.choices(REPORTERS, self.reporter_weights)[0]
            report_id = self.next_id("reports")
            album = rng.random() < 0.1
            items = 3 if album else 1 + (rng.random() < 0.2)
            command = self.message_id(reporter) + items
            self.row(
                "reports",
                (
                    report_id,
                    case_id,
                    reporter,
                    f"Liaison {reporter}",
                    f"Org {reporter % 20}",
                    reporter,
                    command,
                    category,
                    "",
                    "open",
                    created + number * 60,
                ),
            )
            for index in range(items):
                origin = Origin(
                    type="channel",
                    chat_id=-1003000000000 - zlib.crc32(channel.encode()) % 10**9,
                    message_id=post + index,
                    title=channel.title(),
                    username=channel,
                )
                identity = item_identity(origin, None, None)
                identities.append(identity)
                self.row(
                    "items",
                    (
                        self.next_id("items"),
                        reporter,
                        self.message_id(reporter),
                        reporter,
                        report_id,
                        "reported",
                        "photo" if album else "text",
                        identity,
                        json.dumps(
                            {
                                "type": "channel",
                                "chat_id": origin.chat_id,
                                "message_id": origin.message_id,
                                "title": origin.title,
                                "username": channel,
                            }
                        ),
                        None if album else f"post {post + index}",
                        f"file{case_id}-{index}",
                        f"group{case_id}" if album else None,
                        created,
                        f"chan:{channel}",
                        case_id,
                    ),
                )
            self.row(
                "case_reporters",
                (case_id, reporter, f"Liaison {reporter}", f"Org {reporter % 20}", created),
            )
            kind = "reported" if number == 0 else "joined"
            self.row(
                "events",
                (
                    self.next_id("events"),
                    case_id,
                    created,
                    reporter,
                    f"Liaison {reporter}",
                    kind,
                    None,
                ),
            )
        for identity in set(identities):
            self.row("evidence_queued", (GROUP, case_id, identity))
        self.row(
            "events",
            (self.next_id("events"), case_id, created + 300, MOD_ONE, "Mod One", "claimed", None),
        )
        if decided_at:
            self.row(
                "events",
                (self.next_id("events"), case_id, decided_at, MOD_ONE, "Mod One", state, "reason"),
            )
        self.row("cards", (case_id, GROUP, 3 * case_id, 1, created + 1))
        self.row("case_facts", (case_id, created, category, priority, created + 1))
        self.row(
            "case_rounds",
            (
                case_id,
                0,
                created,
                created + 300,
                "claimed",
                MOD_ONE,
                "Mod One",
                decided_at,
                state if decided_at else None,
                reason,
            ),
        )
        recent = case_id > self.cases - 30 * PER_DAY
        if recent:
            for chat, kind in ((GROUP, "card"), (GROUP, "evidence"), (REPORTERS[0], "message")):
                self.row(
                    "outbox",
                    (
                        self.next_id("outbox"),
                        chat,
                        2,
                        kind,
                        json.dumps({"text": "✅ Received as case #1" * 3}),
                        case_id,
                        "sent",
                        1,
                        created,
                        created + 1,
                        "[1]",
                    ),
                )
        if case_id > self.cases - 7 * PER_DAY:
            for _ in range(2):
                inbox_id = self.next_id("inbox")
                self.row(
                    "inbox",
                    (
                        inbox_id,
                        f"message:{inbox_id}",
                        inbox_id,
                        json.dumps({"update_id": inbox_id, "padding": "x" * 700}),
                        created,
                        created + 0.1,
                    ),
                )

    def write(self, db: sqlite3.Connection) -> None:
        shapes = {
            "cases": "INSERT INTO cases (id, category, priority, state, created_at, clock_start,"
            " first_action_at, decided_at, decided_by, decided_by_name, decision_reason)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            "reports": "INSERT INTO reports (id, case_id, reporter_id, reporter_name, organization,"
            " chat_id, command_message_id, category, note, status, created_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            "items": "INSERT INTO items (id, chat_id, message_id, reporter_id, report_id, state,"
            " kind, identity, origin, text, file_id, media_group_id, received_at, source, case_id)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            "events": "INSERT INTO events (id, case_id, at, actor_id, actor_name, kind, detail)"
            " VALUES (?,?,?,?,?,?,?)",
            "cards": "INSERT INTO cards (case_id, chat_id, message_id, live, posted_at)"
            " VALUES (?,?,?,?,?)",
            "case_facts": "INSERT INTO case_facts (case_id, reported_at, category, priority,"
            " first_visible_at) VALUES (?,?,?,?,?)",
            "case_rounds": "INSERT INTO case_rounds (case_id, round, started_at, first_action_at,"
            " first_action, first_action_by, first_action_by_name, decided_at, decision,"
            " reason_code) VALUES (?,?,?,?,?,?,?,?,?,?)",
            "case_reporters": "INSERT OR IGNORE INTO case_reporters (case_id, reporter_id,"
            " reporter_name, organization, reported_at) VALUES (?,?,?,?,?)",
            "evidence_queued": "INSERT OR IGNORE INTO evidence_queued (chat_id, case_id, identity)"
            " VALUES (?,?,?)",
            "outbox": "INSERT INTO outbox (id, chat_id, priority, kind, payload, case_id, state,"
            " attempts, created_at, finished_at, result) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            "inbox": "INSERT INTO inbox (id, dedup_key, update_id, payload, received_at,"
            " processed_at) VALUES (?,?,?,?,?,?)",
        }
        for table, sql in shapes.items():
            db.executemany(sql, self.tables.pop(table, []))


def generate(path: Path, cases: int) -> None:
    """A database of `cases` cases, made by the desk's migrations, then filled in bulk."""
    asyncio.run(_create(path))
    generator = Generator(cases)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA synchronous=OFF")
        for start in range(1, cases + 1, 50_000):
            for case_id in range(start, min(cases, start + 49_999) + 1):
                generator.one_case(case_id)
            generator.write(db)
            db.commit()
        db.executemany(
            "INSERT OR IGNORE INTO users (user_id, name, private_chat_at) VALUES (?,?,?)",
            [(reporter, f"Liaison {reporter}", START) for reporter in REPORTERS],
        )
        db.execute("ANALYZE")
        db.commit()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


async def _create(path: Path) -> None:
    store = await Store.open(path, lambda: START)
    await store.close()


# --- measuring ----------------------------------------------------------------------------------


async def timed(runs: int, operation: Callable[[int], Awaitable[Any]]) -> tuple[float, float]:
    """p50 and p95 of `runs` runs, in milliseconds."""
    samples = []
    for run in range(runs):
        started = time.perf_counter()
        await operation(run)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return statistics.median(samples), p95


def peak_rss_kb() -> int:
    """This process's peak resident memory since its exec (ru_maxrss would also count the
    generator's memory, inherited across fork and exec)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0])


def report(op: str, cases: int, p50: float, p95: float) -> None:
    print(f"scale: op={op} cases={cases} p50_ms={p50:.1f} p95_ms={p95:.1f}", flush=True)


async def measure(database: Path, config_path: Path, cases: int) -> None:
    config = load_config(config_path)
    clock = [START + cases * 86400 / PER_DAY + 3600]
    store = await Store.open(database, lambda: clock[0])
    desk = Desk(store, lambda: config)
    rng = random.Random(5)
    busiest = Person(REPORTERS[0], f"Liaison {REPORTERS[0]}")
    async with store.read() as tx:
        theirs = [c.id for c in await tx.cases.of_reporter(REPORTERS[0], limit=200)]
        big = await tx.items.db.execute_fetchall(
            "SELECT case_id FROM items WHERE source='chan:bigchannel' ORDER BY case_id DESC LIMIT 1"
        )
    big_case = int(next(iter(big))[0])
    runs = 40

    report(
        "status",
        cases,
        *await timed(runs, lambda r: desk.reporters.status(busiest, f"#{rng.choice(theirs)}")),
    )
    report(
        "case",
        cases,
        *await timed(
            runs, lambda r: desk.lookup.show_case(MODERATOR, GROUP, str(rng.randint(1, cases)))
        ),
    )
    report("mycases", cases, *await timed(runs, lambda r: desk.reporters.my_cases(busiest)))

    async def render(_: int) -> None:
        async with store.read() as tx:
            view = await tx.case_view(big_case, GROUP)
        assert view is not None
        render_card(view, config)

    report("card_render_busiest_channel", cases, *await timed(runs, render))

    async def new_report(run: int) -> None:
        reporter = REPORTERS[1 + run % 50]
        person = Person(reporter, f"Liaison {reporter}")
        origin = Origin(
            type="channel",
            chat_id=-1009999,
            message_id=10**7 + run,
            title="Bigchannel",
            username="bigchannel",
        )
        await desk.intake.receive(person, incoming_item(reporter, 10**6 + run, origin, "x"))
        await desk.intake.report(person, reporter, 10**6 + run + 1, "fraud")

    report("new_report", cases, *await timed(runs, new_report))

    first_undecided = cases - undecided_of(cases) + 1
    undecided = list(range(first_undecided, first_undecided + runs))

    async def decide(run: int) -> None:
        case_id = undecided[run]
        await desk.moderation.press(MODERATOR, GROUP, CaseAction(Action.TAKE_DOWN, case_id))
        await desk.moderation.press(
            MODERATOR, GROUP, CaseAction(Action.REASON, case_id, Decision.TAKE_DOWN, "propaganda")
        )

    report("decision", cases, *await timed(runs, decide))
    report("queue", cases, *await timed(runs, lambda r: desk.lookup.queue(MODERATOR, GROUP)))

    async with store.transaction() as tx:
        # A long downtime: both targets of every undecided case passed, twice.
        await tx.timers.db.executemany(
            "INSERT OR REPLACE INTO timers (key, due) VALUES (?, ?)",
            [
                (TimerKind.ALARM.key(case_id, target, level), clock[0] - 60)
                for case_id in range(first_undecided + runs, cases + 1)
                for target in ("first", "decision")
                for level in (1, 2)
            ],
        )
    runner = TimerRunner(TimerDispatch(store, desk.intake, desk.alarms, desk.admin))
    async with store.read() as tx:
        count = len(await tx.timers.due(limit=10**6))
    started = time.perf_counter()
    await runner.fire_due()
    seconds = time.perf_counter() - started
    print(
        f"scale: op=start_up_due_alarms cases={cases} due={count} seconds={seconds:.1f}",
        flush=True,
    )
    await store.close()
    rss_mb = peak_rss_kb() / 1024
    print(f"scale: op=memory cases={cases} max_rss_mb={rss_mb:.0f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="keep (or reuse) the generated database here")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        asyncio.run(measure(args.measure, args.config, args.cases))
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        pristine = folder / f"scale-{args.cases}.sqlite3"
        if not pristine.exists():
            started = time.perf_counter()
            generate(pristine, args.cases)
            size = pristine.stat().st_size / 1e6
            print(
                f"scale: generated cases={args.cases} in {time.perf_counter() - started:.0f} s,"
                f" {size:.0f} MB ({size * 1e6 / args.cases:.0f} bytes a case)",
                flush=True,
            )
        work = Path(scratch) / "work" / "desk.sqlite3"
        work.parent.mkdir()
        shutil.copyfile(pristine, work)
        config = Path(scratch) / "config.yaml"
        config.write_text(
            many_reporters_config(work.parent, "http://127.0.0.1:9/bot", REPORTERS, 20), "utf-8"
        )
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.scale",
                "--cases",
                str(args.cases),
                "--measure",
                str(work),
                "--config",
                str(config),
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
