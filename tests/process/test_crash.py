"""SIGKILL at chosen moments mid-burst: no acknowledged report is lost, nothing repeats except
the one window Telegram leaves open (accepted by Telegram, not yet recorded by the bot)."""

from __future__ import annotations

import asyncio
import re
import signal
import sqlite3
from pathlib import Path

import pytest

from bot.sandbox import FakeTelegram
from tests.factories import ADMIN, GROUP, World, many_reporters_config
from tests.harness import spawn_bot

# Small enough that every card and copy fits the group's 20-a-minute budget after the restart.
REPORTERS = [333333, 444444, 666661, 666662]
ACK = re.compile(r"#(\d+)")


def prepare(tg: FakeTelegram, tmp_path: Path) -> tuple[World, Path, Path]:
    """The cast with every reporter's and the admin's chat open, a config file, and a log file
    for the bot."""
    world = World.build(tg)
    world.start(ADMIN)
    for reporter in REPORTERS[2:]:
        tg.add_user(reporter, f"Reporter {reporter}")
    for reporter in REPORTERS:
        world.start(reporter)
    config = tmp_path / "config.yaml"
    config.write_text(many_reporters_config(tmp_path, tg.base_url, REPORTERS), "utf-8")
    return world, config, tmp_path / "bot.log"


def burst(tg: FakeTelegram, world: World) -> tuple[int, int]:
    """Each reporter forwards two posts and reports each; some posts are reported by two
    reporters (they join one case) and one reporter repeats their own report."""
    reports = 0
    posts = set()
    for i, reporter in enumerate(REPORTERS):
        for post in (i, i + 100 if i % 2 else i // 2):
            world.forward_channel_post(reporter, world.bad_news, 1000 + post, text=f"post {post}")
            tg.send_message(reporter, text="/report terrorism")
            reports += 1
            posts.add(post)
    return reports, len(posts)


def acks(tg: FakeTelegram, reporter: int) -> list[int]:
    return [
        int(match[1])
        for m in tg.messages_in(reporter)
        if (match := ACK.search(m.get("text") or ""))
    ]


def card_numbers(tg: FakeTelegram) -> list[int]:
    numbers = []
    for message in tg.messages_in(GROUP):
        first = (message.get("text") or "").split("\n")[0]
        if first.startswith("#") and " · " in first:
            numbers.append(int(first.split(" ")[0][1:]))
    return numbers


@pytest.mark.parametrize(
    "crash",
    ["after_get_updates", "commit:7", "commit:16", "after_send_accepted:sendmessage"],
)
async def test_sigkill_mid_burst_loses_no_acknowledged_report(
    tg: FakeTelegram, tmp_path: Path, crash: str
) -> None:
    world, config, log = prepare(tg, tmp_path)
    tg.fail("sendMessage", chat_id=GROUP, kind="500", times=3)  # the group is failing

    env_crash = crash if crash.startswith("commit:") else None
    first = await spawn_bot(config, tg.token, log=log, crash=env_crash)
    if env_crash is None:
        tg.crash_hook(crash, lambda: first.send_signal(signal.SIGKILL))
    await tg.wait_for(lambda: tg.calls_to("getUpdates"), timeout=20)
    total, distinct_posts = burst(tg, world)
    code = await asyncio.wait_for(first.wait(), timeout=30)
    assert code == -signal.SIGKILL, log.read_text()

    tg.clear_faults()
    second = await spawn_bot(config, tg.token, log=log)
    try:
        await tg.wait_for(
            lambda: (
                sum(len(acks(tg, r)) for r in REPORTERS) >= total
                and set(card_numbers(tg)) >= {n for r in REPORTERS for n in acks(tg, r)}
            ),
            timeout=60,
            description="every report acknowledged and every acknowledged case on a card",
        )
        await asyncio.sleep(1.5)  # let anything that would repeat show itself
    finally:
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), timeout=20) == 0, log.read_text()

    acknowledged = {n for r in REPORTERS for n in acks(tg, r)}
    cards = card_numbers(tg)
    assert sorted(set(cards)) == sorted(acknowledged)
    assert len(cards) == len(set(cards)), f"a card was posted twice: {cards}"
    repeats = sum(len(acks(tg, r)) for r in REPORTERS) - total
    allowed = 1 if crash.startswith("after_send_accepted") else 0
    assert 0 <= repeats <= allowed, f"{repeats} acknowledgement(s) repeated"

    with sqlite3.connect(tmp_path / "desk.sqlite3") as db:
        cases_per_post = db.execute(
            "SELECT items.identity, COUNT(DISTINCT reports.case_id) FROM items"
            " JOIN reports ON items.report_id = reports.id GROUP BY items.identity"
        ).fetchall()
        pending = db.execute(
            "SELECT kind FROM outbox WHERE state='pending' AND kind IN ('card', 'message')"
        ).fetchall()
    assert len(cases_per_post) == distinct_posts
    assert all(count == 1 for _, count in cases_per_post), cases_per_post
    assert pending == []  # evidence and detail edits may still wait for the group's budget


async def test_sigterm_with_work_in_flight_exits_promptly_and_resumes(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    world, config, log = prepare(tg, tmp_path)
    tg.fail("sendMessage", chat_id=GROUP, kind="502", times=1000)  # the group keeps failing

    first = await spawn_bot(config, tg.token, log=log)
    await tg.wait_for(lambda: tg.calls_to("getUpdates"), timeout=20)
    total, _ = burst(tg, world)
    await tg.wait_for(lambda: sum(len(acks(tg, r)) for r in REPORTERS) >= total, timeout=20)
    assert card_numbers(tg) == []
    started = asyncio.get_running_loop().time()
    first.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(first.wait(), timeout=20) == 0, log.read_text()
    assert asyncio.get_running_loop().time() - started < 10  # a bounded flush, not a hang

    tg.clear_faults()
    second = await spawn_bot(config, tg.token, log=log)
    try:
        acknowledged = {n for r in REPORTERS for n in acks(tg, r)}
        await tg.wait_for(lambda: set(card_numbers(tg)) >= acknowledged, timeout=60)
        await asyncio.sleep(1.0)
    finally:
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), timeout=20) == 0
    assert len(card_numbers(tg)) == len(acknowledged)
    assert sum(len(acks(tg, r)) for r in REPORTERS) == total
