"""Flood benchmark: is every case visible to moderators within a minute, under Telegram's limits?

Runs `python -m bot` as a process against the fake Bot API (bot.sandbox) with Telegram's limits
enforced (20 messages a minute into a group, about 1 a second into a private chat, 30 a second
overall) and measures, per workload:

- cases visible to moderators 60 s after the first report (a card, or a digest line with its own
  #N button, as ../shared/product.md defines "visible"),
- acknowledgement latency p50 / p95 (from the /report reaching Telegram to the bot's answer),
- 429s the bot provoked,
and, with the limits lifted, how many reports a second the desk takes in and acknowledges.

and two fair-share workloads: C, a 300-item report followed by one terrorism report (how soon the
terrorism case is visible, how much of the big case's evidence went first); D, 1,000 reports from
one reporter followed by one from another (how soon the other is acknowledged and visible);
and E, a flood bigger than the group's budget: 1,000 reports from 50 reporters in 41 s (how many
cases are visible 60 s after the last report, in how many group messages).

`bench/intake.py` sets the desk beside a bare python-telegram-bot app (the intake ratio).

Run:  .venv/bin/python -m bench.flood            (all workloads, about ten minutes)
      .venv/bin/python -m bench.flood --only A   (one workload: A, B, C, D, E or T)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import re
import signal
import sqlite3
import statistics
import sys
import tempfile
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.sandbox import FakeTelegram
from tests.factories import (
    World,
    many_reporters_config,
    next_date,
    origin_channel,
    origin_hidden_user,
    origin_user,
)

REPO = Path(__file__).resolve().parent.parent
GROUP = -1001234567890
# Every reporter in the configuration; most workloads use the first twenty.
ALL_REPORTERS = [700001 + i for i in range(120)]
REPORTERS = ALL_REPORTERS[:20]
ACK = re.compile(r"#(\d+)")
CARD = re.compile(r"^#(\d+) · ")


@dataclass
class Result:
    workload: str
    reports: int
    distinct_cases: int
    visible_after_60s: int
    ack_p50_s: float
    ack_p95_s: float
    acks_missing: int
    rate_limited_429: int
    group_messages_first_minute: int


async def start_bot(tg: FakeTelegram, tmp: Path, extra: str = "") -> asyncio.subprocess.Process:
    config = tmp / "config.yaml"
    config.write_text(many_reporters_config(tmp, tg.base_url, ALL_REPORTERS, 4) + extra, "utf-8")
    env = {**os.environ, "BOT_TOKEN": tg.token}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "--log-level",
        os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        cwd=REPO,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=(tmp / "bot.log").open("wb"),
    )
    await tg.wait_for(lambda: tg.calls_to("getUpdates"), timeout=30)
    return process


def world_for(tg: FakeTelegram) -> World:
    world = World.build(tg)
    for rid in ALL_REPORTERS:
        tg.add_user(rid, f"Liaison {rid}")
    return world


async def open_chats(tg: FakeTelegram, world: World) -> None:
    """Every reporter sends /start, and the greetings are out before the clock starts."""
    for rid in ALL_REPORTERS:
        world.start(rid)
    await tg.wait_for(lambda: all(tg.messages_in(rid) for rid in ALL_REPORTERS), timeout=120)
    await asyncio.sleep(1.0)


def plan_a(world: World) -> list[tuple[int, list[dict[str, Any]]]]:
    """100 distinct channel posts, 20 reporters x 5, round robin."""
    plan = []
    for n in range(100):
        reporter = REPORTERS[n % 20]
        plan.append(
            (
                reporter,
                [{"forward_origin": origin_channel(world.bad_news, 5000 + n), "text": f"post {n}"}],
            )
        )
    return plan


def plan_b(world: World, rng: random.Random) -> list[tuple[int, list[dict[str, Any]]]]:
    """Mixed origins and albums; 30% repeat content another reporter already reported."""
    originals: list[list[dict[str, Any]]] = []
    plan: list[tuple[int, list[dict[str, Any]]]] = []
    for n in range(100):
        reporter = REPORTERS[n % 20]
        if originals and rng.random() < 0.3:
            plan.append((reporter, rng.choice(originals)))
            continue
        kind = n % 4
        date = next_date()
        items: list[dict[str, Any]]
        if kind == 0:
            items = [{"forward_origin": origin_channel(world.bad_news, 9000 + n), "text": f"c{n}"}]
        elif kind == 1:
            items = [{"forward_origin": origin_user(world.stranger, date), "text": f"user {n}"}]
        elif kind == 2:
            items = [{"forward_origin": origin_hidden_user(f"Anon {n}", date), "text": f"h {n}"}]
        else:
            album = f"album-{n}-{date}"
            items = [
                {
                    "forward_origin": origin_channel(world.secret_cell, 9500 + 3 * n + i),
                    "photo": True,
                    "media_group_id": album,
                }
                for i in range(3)
            ]
        originals.append(items)
        plan.append((reporter, items))
    return plan


async def run_plan(
    tg: FakeTelegram, plan: list[tuple[int, list[dict[str, Any]]]], spread_seconds: float
) -> tuple[float, dict[int, list[float]]]:
    """Send the plan evenly over `spread_seconds`; returns the start and per-reporter send times."""
    sent: dict[int, list[float]] = defaultdict(list)
    start = tg.now()
    gap = spread_seconds / len(plan)
    for index, (reporter, items) in enumerate(plan):
        target = start + index * gap
        await asyncio.sleep(max(0.0, target - tg.now()))
        for item in items:
            tg.send_message(reporter, **item)
        tg.send_message(reporter, text="/report terrorism")
        sent[reporter].append(tg.now())
    return start, sent


def ack_latencies(tg: FakeTelegram, sent: dict[int, list[float]]) -> tuple[list[float], int]:
    latencies: list[float] = []
    missing = 0
    for reporter, times in sent.items():
        acks = [
            c.at
            for c in tg.calls_to("sendMessage", reporter)
            if c.ok and ACK.search(str(c.params.get("text", "")))
        ]
        for i, sent_at in enumerate(times):
            if i < len(acks):
                latencies.append(acks[i] - sent_at)
            else:
                missing += 1
    return latencies, missing


def visible_cases(tg: FakeTelegram, until: float) -> tuple[set[int], int]:
    """Case numbers a moderator could see and open in the group by `until`."""
    visible: set[int] = set()
    messages = 0
    for call in tg.calls_to("sendMessage", GROUP) + tg.calls_to("copyMessage", GROUP):
        if not call.ok or call.at > until:
            continue
        messages += 1
        if call.method != "sendMessage":
            continue
        text = str(call.params.get("text", ""))
        plain = re.sub(r"<[^>]+>", "", text)
        if match := CARD.match(plain):
            visible.add(int(match[1]))
        markup = call.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = str(button.get("callback_data", ""))
                if data.startswith("v1:p:") and f"#{data[5:]}" in plain:
                    visible.add(int(data[5:]))
    messages += sum(
        len(c.params.get("message_ids", []))
        for c in tg.calls_to("copyMessages", GROUP)
        if c.ok and c.at <= until
    )
    return visible, messages


@asynccontextmanager
async def running(
    start: Callable[[FakeTelegram, Path], Awaitable[asyncio.subprocess.Process]], *, limits: bool
) -> AsyncIterator[tuple[FakeTelegram, World, Path]]:
    """The process `start` spawns, against a fresh fake Bot API with the cast; stopped after."""
    tg = FakeTelegram(enforce_rate_limits=limits)
    await tg.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            world = world_for(tg)
            process = await start(tg, tmp)
            try:
                yield tg, world, tmp
            finally:
                process.send_signal(signal.SIGTERM)
                await process.wait()
    finally:
        await tg.stop()


@asynccontextmanager
async def running_desk(
    *, limits: bool, extra: str = ""
) -> AsyncIterator[tuple[FakeTelegram, World, Path]]:
    """`python -m bot` against a fresh fake Bot API, every reporter's chat open; stopped after."""
    async with running(lambda tg, tmp: start_bot(tg, tmp, extra), limits=limits) as running_one:
        await open_chats(running_one[0], running_one[1])
        yield running_one


def count_cases(tmp: Path) -> int:
    with sqlite3.connect(tmp / "desk.sqlite3") as db:
        return int(db.execute("SELECT COUNT(*) FROM cases").fetchone()[0])


async def workload(name: str, rng: random.Random) -> Result:
    async with running_desk(limits=True) as (tg, world, tmp):
        plan = plan_a(world) if name == "A" else plan_b(world, rng)
        start, sent = await run_plan(tg, plan, spread_seconds=20.0)
        await asyncio.sleep(max(0.0, start + 60.0 - tg.now()))
        visible, group_messages = visible_cases(tg, start + 60.0)
        latencies, missing = ack_latencies(tg, sent)
        distinct = count_cases(tmp)
    quantiles = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else [0.0] * 19
    return Result(
        workload=name,
        reports=len(plan),
        distinct_cases=distinct,
        visible_after_60s=len(visible),
        ack_p50_s=round(statistics.median(latencies), 3) if latencies else 0.0,
        ack_p95_s=round(quantiles[18], 3),
        acks_missing=missing,
        rate_limited_429=tg.rate_limited,
        group_messages_first_minute=group_messages,
    )


async def throughput(reports: int = 400) -> dict[str, float]:
    """Limits lifted: reports taken in (recorded as cases) and acknowledged per second."""
    async with running_desk(limits=False) as (tg, world, tmp):
        start = tg.now()
        for n in range(reports):
            reporter = REPORTERS[n % 20]
            world.forward_channel_post(reporter, world.bad_news, 20000 + n, text=f"t{n}")
            tg.send_message(reporter, text="/report fraud")

        def acked() -> int:
            return sum(
                1
                for r in REPORTERS
                for c in tg.calls_to("sendMessage", r)
                if c.ok and ACK.search(str(c.params.get("text", "")))
            )

        await tg.wait_for(lambda: tg.pending_updates == 0, timeout=120)
        await tg.wait_for(lambda: acked() >= reports, timeout=300)
        acked_at = tg.now()
        with sqlite3.connect(tmp / "desk.sqlite3") as db:
            first, last = db.execute(
                "SELECT MIN(created_at), MAX(created_at) FROM cases"
            ).fetchone()
    return {
        "reports": reports,
        "intake_reports_per_s": round(reports / max(last - first, 1e-9), 1),
        "acknowledged_reports_per_s": round(reports / (acked_at - start), 1),
    }


def first_visible_at(tg: FakeTelegram, case: int) -> float | None:
    """When the case first became visible in the group (a card, or a digest line and button)."""
    for call in tg.calls_to("sendMessage", GROUP):
        if not call.ok:
            continue
        text = re.sub(r"<[^>]+>", "", str(call.params.get("text", "")))
        if text.startswith(f"#{case} · ") or f"v1:p:{case}" in str(call.params.get("reply_markup")):
            return call.at
    return None


def acked_case(tg: FakeTelegram, reporter: int, after: float) -> tuple[int, float] | None:
    for call in tg.calls_to("sendMessage", reporter):
        if call.ok and call.at >= after and (match := ACK.search(str(call.params.get("text")))):
            return int(match[1]), call.at
    return None


async def big_report() -> dict[str, Any]:
    """One reporter files 300 forwarded posts in one report; another then reports one terrorism
    post. How long until the terrorism case is visible, and how much of the big case's evidence
    went to the group meanwhile."""
    async with running_desk(limits=True) as (tg, world, _):
        big, other = REPORTERS[0], REPORTERS[1]
        for n in range(300):
            world.forward_channel_post(big, world.bad_news, 30_000 + n, text=f"big {n}")
        tg.send_message(big, text="/report other")
        await tg.wait_for(lambda: acked_case(tg, big, 0.0), timeout=120)
        world.forward_channel_post(other, world.secret_cell, 1, text="attack plan")
        sent_at = tg.now()
        tg.send_message(other, text="/report terrorism")
        acked = await tg.wait_for(lambda: acked_case(tg, other, sent_at), timeout=120)
        case, _ = acked
        visible_at = await tg.wait_for(lambda: first_visible_at(tg, case), timeout=900)
        copies = [
            c for c in tg.calls_to("copyMessage", GROUP) if c.ok and sent_at <= c.at <= visible_at
        ]
        return {
            "workload": "C: a 300-item report, then one terrorism report",
            "terrorism_visible_after_s": round(visible_at - sent_at, 1),
            "big_case_copies_before_it": len(copies),
            "rate_limited_429": tg.rate_limited,
        }


async def one_reporter_flood(reports: int = 1000) -> dict[str, Any]:
    """One reporter sends 1,000 reports (the hourly limit raised to 5,000); another reporter then
    reports one post. How long until their acknowledgement, and until their case is visible."""
    extra = "intake:\n  max_reports_per_hour: 5000\n"
    async with running_desk(limits=True, extra=extra) as (tg, world, _):
        flood, other = REPORTERS[0], REPORTERS[1]
        for n in range(reports):
            world.forward_channel_post(flood, world.bad_news, 40_000 + n, text=f"f{n}")
            tg.send_message(flood, text="/report gambling")
        await tg.wait_for(
            lambda: len([c for c in tg.calls_to("sendMessage", flood) if c.ok]) > 20, timeout=300
        )
        world.forward_channel_post(other, world.secret_cell, 2, text="their first")
        sent_at = tg.now()
        tg.send_message(other, text="/report gambling")
        case, acked_at = await tg.wait_for(lambda: acked_case(tg, other, sent_at), timeout=300)
        visible_at = await tg.wait_for(lambda: first_visible_at(tg, case), timeout=900)
        flood_before = [
            n
            for n in range(case + 1, case + reports)
            if (at := first_visible_at(tg, n)) is not None and at < visible_at
        ]
        return {
            "workload": "D: 1,000 reports from one reporter, then one from another",
            "other_ack_after_s": round(acked_at - sent_at, 2),
            "other_visible_after_s": round(visible_at - sent_at, 1),
            "later_flood_cases_visible_before_it": len(flood_before),
            "rate_limited_429": tg.rate_limited,
        }


async def big_flood(reporters: int = 50, each: int = 20, spread: float = 41.0) -> dict[str, Any]:
    """Many reporters at once, more cases than the group's 20 messages a minute could show one
    card each: every case must still be visible within a minute of the last report."""
    async with running_desk(limits=True) as (tg, world, tmp):
        plan = [
            (
                ALL_REPORTERS[n % reporters],
                [{"forward_origin": origin_channel(world.bad_news, 60_000 + n), "text": f"e{n}"}],
            )
            for n in range(reporters * each)
        ]
        _, sent = await run_plan(tg, plan, spread_seconds=spread)
        last = max(max(times) for times in sent.values())
        await asyncio.sleep(max(0.0, last + 60.0 - tg.now()))
        visible, group_messages = visible_cases(tg, last + 60.0)
        latencies, missing = ack_latencies(tg, sent)
        distinct = count_cases(tmp)
    return {
        "workload": f"E: {len(plan)} reports from {reporters} reporters in {spread:.0f} s",
        "distinct_cases": distinct,
        "visible_60s_after_last": len(visible),
        "group_messages": group_messages,
        "ack_p50_s": round(statistics.median(latencies), 3),
        "acks_missing": missing,
        "rate_limited_429": tg.rate_limited,
    }


async def main() -> None:
    # The fake logs the connections a stopping bot drops; they are expected here.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", choices=["A", "B", "C", "D", "E", "T"], help="one workload (T: throughput)"
    )
    args = parser.parse_args()
    rng = random.Random(7)
    results: list[dict[str, Any]] = []
    for name in ("A", "B"):
        if args.only in (None, name):
            result = await workload(name, rng)
            results.append(asdict(result))
            print(json.dumps(asdict(result)), flush=True)
    if args.only in (None, "C"):
        print(json.dumps(await big_report()), flush=True)
    if args.only in (None, "D"):
        print(json.dumps(await one_reporter_flood()), flush=True)
    if args.only in (None, "E"):
        print(json.dumps(await big_flood()), flush=True)
    if args.only in (None, "T"):
        figures = await throughput()
        results.append(figures)
        print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
