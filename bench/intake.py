"""Intake against the floor: the desk beside a bare python-telegram-bot app, in the same run.

The bare app (bench/bare.py) makes the same three calls per report (the acknowledgement, a card
in the group, a copy of the evidence) and stores nothing; the desk keeps every guarantee
(`synchronous=FULL`, an acknowledgement only after its report is committed, Telegram's pacing).
Both run against the same fake Bot API on the same machine, one after the other:

- limits lifted: 600 reports from 120 reporters queued at once; reports handled a second, from
  the moment they are queued until the last is committed (the desk) or answered (the bare app);
- Telegram's limits on both sides (the bare app paced by PTB's AIORateLimiter): 120 reporters
  report at once; receipts a second until the last reporter holds one;
- a held backlog: 10,000 rows waiting for the moderator group, drained at its 20 messages a
  minute; the share of one core the desk process uses meanwhile.

Run:  .venv/bin/python -m bench.intake     (about three minutes)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.bare import bare_app
from bench.flood import (
    ACK,
    ALL_REPORTERS,
    GROUP,
    count_cases,
    running_desk,
    start_bot,
    world_for,
)
from bot.outbox import sends
from bot.sandbox import FakeTelegram
from bot.store import Store
from tests.factories import World

BACKLOG = 10_000
CPU_WINDOW_SECONDS = 60.0


def receipts(tg: FakeTelegram, reporters: list[int]) -> list[float]:
    """When each acknowledgement reached Telegram."""
    return sorted(
        c.at
        for r in reporters
        for c in tg.calls_to("sendMessage", r)
        if c.ok and ACK.search(str(c.params.get("text", "")))
    )


def queue_reports(tg: FakeTelegram, world: World, reporters: list[int], each: int) -> int:
    """Every reporter forwards `each` channel posts, each followed by /report; returns the count."""
    count = 0
    for _ in range(each):
        for reporter in reporters:
            count += 1
            world.forward_channel_post(reporter, world.bad_news, 70_000 + count, text=f"i{count}")
            tg.send_message(reporter, text="/report fraud")
    return count


async def wait_for_count(tg: FakeTelegram, count: Callable[[], int], target: int) -> None:
    await tg.wait_for(lambda: count() >= target, timeout=600)


async def desk_unlimited(each: int = 5) -> float:
    async with running_desk(limits=False) as (tg, world, tmp):
        started = time.time()
        total = queue_reports(tg, world, ALL_REPORTERS, each)
        await wait_for_count(tg, lambda: count_cases(tmp), total)
        with sqlite3.connect(tmp / "desk.sqlite3") as db:
            last = float(db.execute("SELECT MAX(created_at) FROM cases").fetchone()[0])
    return total / (last - started)


async def bare_rate(*, limits: bool, each: int) -> float:
    """Reports answered a second by the bare app, from the moment they are queued."""
    tg = FakeTelegram(enforce_rate_limits=limits)
    await tg.start()
    try:
        world = world_for(tg)
        async with bare_app(tg, GROUP, limits=limits):
            await tg.wait_for(lambda: tg.calls_to("getUpdates"), timeout=30)
            await asyncio.sleep(1.0)  # the desk's runs start after the greetings: so does this
            started = tg.now()
            total = queue_reports(tg, world, ALL_REPORTERS, each)
            await wait_for_count(tg, lambda: len(receipts(tg, ALL_REPORTERS)), total)
            return total / (receipts(tg, ALL_REPORTERS)[-1] - started)
    finally:
        await tg.stop()


async def desk_receipts() -> float:
    async with running_desk(limits=True) as (tg, world, _):
        started = tg.now()
        total = queue_reports(tg, world, ALL_REPORTERS, 1)
        await wait_for_count(tg, lambda: len(receipts(tg, ALL_REPORTERS)), total)
        return total / (receipts(tg, ALL_REPORTERS)[-1] - started)


def cpu_seconds(pid: int) -> float:
    """User and system time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def held_backlog() -> dict[str, Any]:
    """10,000 rows wait for the group (as after an outage); the desk drains them at the group's
    pace. How much of a core does it use while it waits between sends?"""
    tg = FakeTelegram(enforce_rate_limits=True)
    await tg.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            world_for(tg)
            store = await Store.open(tmp / "desk.sqlite3", time.time)
            async with store.transaction() as tx:
                for n in range(BACKLOG):
                    await sends.message(tx, GROUP, f"held message {n}")
            await store.close()
            process = await start_bot(tg, tmp)
            try:
                # The first minute's budget goes at once; measure the steady state after it.
                await tg.wait_for(lambda: len(tg.calls_to("sendMessage", GROUP)) >= 20, timeout=60)
                await asyncio.sleep(5.0)
                sent_before = len(tg.calls_to("sendMessage", GROUP))
                cpu_before, wall_before = cpu_seconds(process.pid), time.monotonic()
                await asyncio.sleep(CPU_WINDOW_SECONDS)
                cpu = cpu_seconds(process.pid) - cpu_before
                wall = time.monotonic() - wall_before
                sent = len(tg.calls_to("sendMessage", GROUP)) - sent_before
            finally:
                process.send_signal(signal.SIGTERM)
                await process.wait()
    finally:
        await tg.stop()
    return {
        "backlog_rows": BACKLOG,
        "window_s": round(wall),
        "group_messages_in_window": sent,
        "cpu_percent_of_a_core": round(100 * cpu / wall, 1),
        "rate_limited_429": tg.rate_limited,
    }


async def main() -> None:
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["unlimited", "receipts", "backlog"])
    args = parser.parse_args()
    if args.only in (None, "unlimited"):
        desk, bare = await desk_unlimited(), await bare_rate(limits=False, each=5)
        figures = {"measure": "limits lifted, reports/s", "desk": desk, "bare": bare}
        print(json.dumps(rounded(figures)), flush=True)
    if args.only in (None, "receipts"):
        desk, bare = await desk_receipts(), await bare_rate(limits=True, each=1)
        figures = {"measure": "120 reporters at once, receipts/s", "desk": desk, "bare": bare}
        print(json.dumps(rounded(figures)), flush=True)
    if args.only in (None, "backlog"):
        print(json.dumps(await held_backlog()), flush=True)


def rounded(figures: dict[str, Any]) -> dict[str, Any]:
    figures["ratio"] = figures["desk"] / figures["bare"]
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()}


if __name__ == "__main__":
    if sys.platform != "linux":
        sys.exit("bench.intake reads /proc for CPU time: run it on Linux")
    asyncio.run(main())
