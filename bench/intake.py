"""Intake against the floor: the desk beside a bare python-telegram-bot app, in the same run.

The bare app (bench/bare.py) makes the same three calls per report (the acknowledgement, a card
in the group, a copy of the evidence) and stores nothing; the desk keeps every guarantee
(`synchronous=FULL`, an acknowledgement only after its report is committed, Telegram's pacing).
Both run against the same fake Bot API on the same machine, one after the other:

- limits lifted: 600 reports from 120 reporters queued at once; reports taken in a second, from
  the moment they are queued until the last is committed (the desk) or its handler has run (the
  bare app; the rate at which it answered them is shown beside it);
- Telegram's limits on both sides (the bare app paced by PTB's AIORateLimiter): 120 reporters
  report at once; receipts a second until the last reporter holds one;
- a held backlog: 10,000 rows waiting for the moderator group, drained at its 20 messages a
  minute; the share of one core the desk process uses meanwhile.

Run:  .venv/bin/python -m bench.intake     (about four minutes; `--only unlimited`,
      `receipts` or `backlog` for one part)
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
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.flood import (
    ACK,
    ALL_REPORTERS,
    GROUP,
    REPO,
    count_cases,
    running,
    running_desk,
    start_bot,
    world_for,
)
from bot.outbox import sends
from bot.sandbox import FakeTelegram
from bot.sandbox.params import as_int
from bot.store import Store
from tests.factories import World

BACKLOG = 10_000
CPU_WINDOW_SECONDS = 60.0


class Receipts:
    """When each acknowledgement reached Telegram. The call log grows by thousands of entries;
    it is read from where the last look stopped, so polling it does not slow the fake both
    apps talk to."""

    def __init__(self, tg: FakeTelegram, reporters: list[int]) -> None:
        self.tg = tg
        self.reporters = set(reporters)
        self.read = 0
        self.times: list[float] = []

    def count(self) -> int:
        calls = self.tg.calls
        for call in calls[self.read :]:
            if (
                call.ok
                and call.method == "sendMessage"
                and as_int(call.params.get("chat_id")) in self.reporters
                and ACK.search(str(call.params.get("text", "")))
            ):
                self.times.append(call.at)
        self.read = len(calls)
        return len(self.times)


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
    """Until `count()` reaches `target`, looked at five times a second (the fake polls every
    10 ms; the figures come from recorded times, not from when this notices)."""
    looked_at = float("-inf")

    def reached() -> bool:
        nonlocal looked_at
        if time.monotonic() - looked_at < 0.2:
            return False
        looked_at = time.monotonic()
        return count() >= target

    await tg.wait_for(reached, timeout=600)


async def start_bare(
    tg: FakeTelegram, tmp: Path, *, limits: bool, times: Path
) -> asyncio.subprocess.Process:
    """The bare app as a process of its own, as the desk runs."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.bare",
        "--base-url",
        tg.base_url,
        "--group",
        str(GROUP),
        "--times",
        str(times),
        *(["--limits"] if limits else []),
        cwd=REPO,
        env={**os.environ, "BOT_TOKEN": tg.token},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=(tmp / "bare.log").open("wb"),
    )
    await tg.wait_for(lambda: tg.calls_to("getUpdates"), timeout=30)
    return process


async def desk_unlimited(each: int = 5) -> float:
    async with running_desk(limits=False) as (tg, world, tmp):
        started = time.time()
        total = queue_reports(tg, world, ALL_REPORTERS, each)
        await wait_for_count(tg, lambda: count_cases(tmp), total)
        with sqlite3.connect(tmp / "desk.sqlite3") as db:
            last = float(db.execute("SELECT MAX(created_at) FROM cases").fetchone()[0])
    return total / (last - started)


async def bare_rates(*, limits: bool, each: int) -> tuple[float, float]:
    """Reports a second the bare app took in (its handler ran) and answered, from the moment
    they are queued until the last."""
    with tempfile.TemporaryDirectory() as kept:
        times = Path(kept) / "handled"

        def start(tg: FakeTelegram, tmp: Path) -> Awaitable[asyncio.subprocess.Process]:
            return start_bare(tg, tmp, limits=limits, times=times)

        async with running(start, limits=limits) as (tg, world, _):
            await asyncio.sleep(1.0)  # the desk's runs start after the greetings: so does this
            started = time.time()
            answered = await receipts_rate(tg, world, each)
        handled = [float(line) for line in times.read_text().split()]
    return len(handled) / (max(handled) - started), answered


async def receipts_rate(tg: FakeTelegram, world: World, each: int) -> float:
    """Every reporter reports `each` times at once; acknowledgements a second until the last."""
    receipts = Receipts(tg, ALL_REPORTERS)
    started = tg.now()
    total = queue_reports(tg, world, ALL_REPORTERS, each)
    await wait_for_count(tg, receipts.count, total)
    return total / (receipts.times[-1] - started)


async def desk_receipts() -> float:
    async with running_desk(limits=True) as (tg, world, _):
        return await receipts_rate(tg, world, 1)


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
        desk = await desk_unlimited()
        bare, bare_answered = await bare_rates(limits=False, each=5)
        figures = {
            "measure": "limits lifted, reports taken in a second",
            "desk": desk,
            "bare": bare,
            "bare_answered": bare_answered,
        }
        print(json.dumps(rounded(figures)), flush=True)
    if args.only in (None, "receipts"):
        desk, (_, bare) = await desk_receipts(), await bare_rates(limits=True, each=1)
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
